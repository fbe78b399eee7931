"""Wrong judgments found by trying the product as a new user would, each kept as a regression test:
misconduct in words no phrase list holds, reported speech, restatements in the agent's own words, the
abuse protocol with a real request, a question answered on the phone, and messages that say exactly
what is missing."""

import pytest
from helpers import call, status

from hotline.inspect import default_engine

GREET = "坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"


def engine():  # noqa: ANN201
    return default_engine(semantic=False)


@pytest.mark.parametrize(
    ("agent", "rule"),
    [
        ("你到底想说什么？", "forbidden.rushing.v1"),
        ("你挑重点讲。", "forbidden.rushing.v1"),
        ("你是听不懂还是怎么的？", "forbidden.sarcasm.v1"),
        ("这种事还用问？", "forbidden.sarcasm.v1"),
        ("有本事你去告啊。", "forbidden.retort.v1"),
        ("我态度怎么了？", "forbidden.retort.v1"),
        ("下班了，明天再打。", "forbidden.brushoff.v1"),
        ("慢慢等通知吧。", "forbidden.brushoff.v1"),
        ("这我上哪儿知道去。", "forbidden.flat_refusal.v1"),
        ("供热不是我们负责的。", "forbidden.flat_refusal.v1"),
        ("你嗓门小点。", "forbidden.phrase.v1"),
        ("再这样我挂了啊。", "forbidden.phrase.v1"),
        ("谁让你当时不签合同。", "forbidden.phrase.v1"),
        ("你上网自己查嘛。", "shirking.no_way_forward.v1"),
        ("你想找谁就找谁去。", "shirking.no_way_forward.v1"),
        ("这事你找街道，我们这儿管不着。", "shirking.no_way_forward.v1"),
    ],
)
def test_misconduct_in_words_no_phrase_list_holds(agent: str, rule: str) -> None:
    assert rule in {f.rule_id for f in engine().check_utterance(agent)}


@pytest.mark.parametrize("citizen", ["还让不让人活了！", "你们就是这么为人民服务的？"])
def test_citizen_anger_in_other_words(citizen: str) -> None:
    assert "citizen_anger" in engine().acts(citizen, speaker="citizen", semantic=False)


def test_abuse_in_other_words() -> None:
    assert "citizen_abuse" in engine().acts("我去你大爷的", speaker="citizen", semantic=False)


def test_reported_speech_is_not_shirking_and_does_not_veto_the_call() -> None:
    sc = engine().inspect(call(
        GREET, "市民：楼上漏水渗到我家，物业的人说让我自己去找楼上，我找了好几次楼上都不开门。",
        "坐席：物业的人让您自己去找楼上，是这样吗？", "市民：对，就是这样。",
        "坐席：好的，这个我帮您转给街道和区住建局协调，3个工作日内给您回复。请问还有其他可以帮您的吗？",
        "市民：没有了。", "坐席：感谢您的来电，再见！"))
    assert status(sc, "shirking.no_way_forward.v1") == "passed"
    assert not sc.vetoed and sc.total > 0


def test_a_restatement_in_the_agents_own_words_counts() -> None:
    sc = engine().inspect(call(
        GREET, "市民：我家小孩明年上小学，户口在城西区，房子是租的，想问能不能在城西区上学。",
        "坐席：请问您租房多久了，有没有办居住证？", "市民：租了三年了，居住证办了。",
        "坐席：您是说孩子户口在城西区、您家租房居住满三年并有居住证，想咨询明年能否在城西区入学，对吗？",
        "市民：对。", "坐席：可以的，凭户口本、租房合同和居住证到城西区教育局报名。请问还有其他可以帮您的吗？",
        "市民：没有了，谢谢。", "坐席：感谢您的来电，再见！"))
    assert status(sc, "listen.restate.v1") == "passed"


def test_repeating_one_detail_is_not_a_restatement() -> None:
    sc = engine().inspect(call(
        GREET, "市民：我们小区门口的路灯坏了一个多星期了，晚上黑乎乎的，老人出门不安全。",
        "坐席：请问是哪个小区？", "市民：城东的幸福里小区，南门那边。",
        "坐席：是幸福里小区南门，对吧？", "市民：对。",
        "坐席：好的，我帮您转给区城管局，3个工作日内处理。请问还有其他可以帮您的吗？",
        "市民：没有了。", "坐席：感谢您的来电，再见！"))
    assert status(sc, "listen.restate.v1") == "failed"


ABUSE_HANDLED = [
    GREET,
    "市民：你们这帮废物，我家门口的垃圾三天没人收了，臭得要死，你们他妈的管不管？",
    "坐席：请您文明用语，我们是来帮您解决问题的。请问是哪个小区门口？",
    "市民：少废话，你们就是一群饭桶，吃干饭的！",
    "坐席：请您文明用语。如果您继续辱骂，我将结束本次通话。",
    "市民：你算个什么东西，去死吧！",
    "坐席：请您文明用语，本次通话到此结束，如您需要反映问题，欢迎文明来电。再见。",
]


def test_abusive_caller_with_a_real_request_is_judged_by_the_abuse_protocol() -> None:
    sc = engine().inspect(call(*ABUSE_HANDLED))
    assert status(sc, "special.harassment.v1") == "passed"
    for rule in ("closing.anything_else.v1", "listen.key_facts.v1", "listen.restate.v1", "resolve.time_limit.v1"):
        assert status(sc, rule) == "na", rule


def test_abusive_caller_insulted_back_fails_the_protocol() -> None:
    lines = [*ABUSE_HANDLED[:3], "市民：少废话，你们就是一群饭桶，吃干饭的！", "坐席：你才是饭桶，爱打不打。"]
    sc = engine().inspect(call(*lines))
    assert status(sc, "special.harassment.v1") == "failed"
    assert sc.vetoed


def test_a_question_answered_on_the_phone_needs_no_time_limit() -> None:
    sc = engine().inspect(call(
        GREET, "市民：你好，我想问一下新生儿医保在哪里办理，需要带什么材料？",
        "坐席：新生儿医保可以在出生后三个月内到户籍所在地社区服务中心办理，带户口本和出生医学证明就可以，也可以在医保公众号上线上办理。",
        "市民：好的，那出生证明还没拿到可以先办吗？", "坐席：需要先拿到出生医学证明，拿到后再办理就可以。",
        "市民：好的，明白了。", "坐席：请问还有其他可以帮您的吗？", "市民：没有了，谢谢。", "坐席：感谢您的来电，再见！"))
    assert status(sc, "resolve.time_limit.v1") == "na"
    assert status(sc, "resolve.next_step.v1") == "passed"


def test_a_complaint_registered_without_a_time_limit_is_docked() -> None:
    sc = engine().inspect(call(
        GREET, "市民：我家楼下的饭店每天晚上排油烟，熏得窗户都不能开，太难受了。",
        "坐席：好的，请问饭店叫什么名字，在哪条路？", "市民：和平路上的老张饭店。",
        "坐席：好的，我帮您登记转交区市场监管局处理。请问还有其他可以帮您的吗？",
        "市民：没有了。", "坐席：感谢您的来电，再见！"))
    assert status(sc, "resolve.time_limit.v1") == "failed"


@pytest.mark.parametrize(
    ("first", "missing"),
    [
        ("您好，12345，请问有什么可以帮您？", "工号"),
        ("12345热线，1024号为您服务。", "您好、询问诉求"),
        ("喂？", "您好、热线名称、工号、询问诉求"),
    ],
)
def test_greeting_message_names_the_missing_parts(first: str, missing: str) -> None:
    sc = engine().inspect(call(f"坐席：{first}", "市民：我想问个事。"))
    message = next(f.message for f in sc.findings if f.rule_id == "greeting.standard.v1")
    assert f"缺少：{missing}）" in message


@pytest.mark.parametrize(
    ("last", "missing"),
    [("好的，再见。", "致谢"), ("感谢您的来电。", "道别"), ("好，就这样。", "致谢、道别")],
)
def test_closing_message_names_what_is_missing(last: str, missing: str) -> None:
    sc = engine().inspect(call(GREET, "市民：我想问一下公积金怎么提取。", "坐席：带身份证到公积金中心窗口办理。",
                               "市民：好的。", f"坐席：{last}"))
    message = next(f.message for f in sc.findings if f.rule_id == "closing.thanks_goodbye.v1")
    assert f"缺少：{missing}）" in message
