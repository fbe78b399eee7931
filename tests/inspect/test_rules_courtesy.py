"""服务规范 family: greeting, closing, 十字礼貌用语, 您 vs 你, 软垫式语气."""

import pytest
from helpers import call, spans, status

from hotline.inspect import default_engine

GREET = "坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"
CLOSE = ["坐席：请问还有其他可以帮您的吗？", "市民：没有了。", "坐席：感谢您的来电，再见！"]
BODY = ["市民：我家楼下的路灯坏了好几天了，晚上特别黑。", "坐席：好的，请问是哪个小区？",
        "市民：幸福里小区三号楼门口。"]


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (GREET, "passed"),
        ("坐席：您好，12345热线，工号1024，有什么可以帮您？", "passed"),
        ("坐席：喂，什么事？", "failed"),
        ("坐席：您好，请问有什么可以帮您？", "failed"),  # no hotline name, no 工号
        ("坐席：12345，1024号。", "failed"),
    ],
)
def test_greeting(first: str, expected: str) -> None:
    sc = default_engine().inspect(call(first, *BODY, *CLOSE))
    assert status(sc, "greeting.standard.v1") == expected


def test_greeting_must_be_first_agent_turn() -> None:
    sc = default_engine().inspect(call("坐席：喂？", "市民：喂。", GREET))
    assert status(sc, "greeting.standard.v1") == "failed"
    assert sc.findings[0].turn_index == 0


@pytest.mark.parametrize(
    ("closing", "anything_else", "thanks_goodbye"),
    [
        (CLOSE, "passed", "passed"),
        (["坐席：好的，就这样。"], "failed", "failed"),
        (["坐席：还有别的问题吗？", "市民：没了。", "坐席：好，挂了。"], "passed", "failed"),
        (["坐席：谢谢您，再见。"], "failed", "passed"),
    ],
)
def test_closing(closing: list[str], anything_else: str, thanks_goodbye: str) -> None:
    sc = default_engine().inspect(call(GREET, *BODY, *closing))
    assert status(sc, "closing.anything_else.v1") == anything_else
    assert status(sc, "closing.thanks_goodbye.v1") == thanks_goodbye


def test_ten_polite_words() -> None:
    good = default_engine().inspect(call(GREET, *BODY, *CLOSE))
    bad = default_engine().inspect(call("坐席：喂。", *BODY, "坐席：行，知道了。"))
    assert status(good, "polite.ten_words.v1") == "passed"
    assert status(bad, "polite.ten_words.v1") == "failed"


def test_informal_you_flags_each_use_but_not_quotes() -> None:
    c = call(GREET, *BODY, "坐席：你说的地方我记下了，你等通知。", "坐席：他说「你们别管」是吗？")
    sc = default_engine().inspect(c)
    assert spans(sc, "polite.informal_you.v1", c) == ["你", "你"]


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("坐席：电话多少？", "failed"),
        ("坐席：叫什么名字？", "failed"),
        ("坐席：请问您的联系电话是多少？", "passed"),
        ("坐席：麻烦您留一下姓名和联系电话。", "passed"),
        ("坐席：不好意思，具体地址在哪里？", "passed"),
    ],
)
def test_cushion_before_asking_personal_details(agent: str, expected: str) -> None:
    sc = default_engine().inspect(call(GREET, *BODY, agent, *CLOSE))
    assert status(sc, "polite.cushion.v1") == expected


@pytest.mark.parametrize(
    "agent",
    ["坐席：好的，我记下了。分机4521。", "坐席：嗯嗯，您接着说。分机7969。", "坐席：我帮您转接业务科的分机，请稍等。",
     "坐席：有问题您再打过来，转分机3306找我。"],
)
def test_an_extension_number_the_agent_gives_is_not_asking_for_a_phone(agent: str) -> None:
    # 分机 and its digits are a number the agent gives (or transfers to), not the citizen's phone asked for
    sc = default_engine().inspect(call(GREET, *BODY, agent, *CLOSE))
    assert status(sc, "polite.cushion.v1") == "passed"


def test_overlapping_phrases_of_one_question_are_one_finding() -> None:
    # 「具体在哪」 and 「在哪里」 both match 具体在哪里: the same words, one deduction; two questions, two
    c = call(GREET, *BODY, "坐席：您别急，慢慢说，具体在哪里？", "市民：幸福里。", "坐席：电话多少？叫什么名字？", *CLOSE)
    sc = default_engine().inspect(c)
    assert [f.turn_index for f in sc.findings if f.rule_id == "polite.cushion.v1"] == [4, 6, 6]


def test_check_utterance_reports_sentence_rules() -> None:
    found = {f.rule_id for f in default_engine().check_utterance("你快点说，电话多少？这不归我们管，你自己去找物业。")}
    assert {"polite.informal_you.v1", "polite.cushion.v1", "forbidden.rushing.v1", "forbidden.flat_refusal.v1",
            "shirking.no_way_forward.v1"} <= found
    assert default_engine().check_utterance("请问您的联系电话是多少？") == []
