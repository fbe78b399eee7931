"""服务禁语 family: forbidden phrases, flat refusals, rushing, retorts — with the hard negatives."""

import pytest
from helpers import call, spans, status

from hotline.inspect import default_engine

GREET = "坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"


@pytest.mark.parametrize(
    ("agent", "rule", "expected"),
    [
        ("你去投诉啊，我也没办法。", "forbidden.phrase.v1", ["你去投诉啊", "我也没办法"]),
        ("你问我，我问谁？", "forbidden.sarcasm.v1", ["你问我，我问谁"]),
        ("这么简单都不知道吗？", "forbidden.sarcasm.v1", ["这么简单都不知道"]),
        ("喂，再不说话我就挂了。", "forbidden.phrase.v1", ["再不说话我就挂了"]),
        ("你快点讲，说重点。", "forbidden.rushing.v1", ["你快点讲", "说重点"]),
        ("我这边很忙，长话短说。", "forbidden.rushing.v1", ["我这边很忙", "长话短说"]),
        ("你才有病，神经病。", "forbidden.retort.v1", ["你才有病", "神经病"]),
        ("这个我不知道。", "forbidden.flat_refusal.v1", ["不知道"]),
        ("不行。", "forbidden.flat_refusal.v1", ["不行"]),
        ("這個不歸我們管。", "forbidden.flat_refusal.v1", ["不歸我們管"]),
        ("這事你自己去找物業。", "shirking.no_way_forward.v1", ["你自己去找"]),
        ("研究研究再说吧。", "forbidden.brushoff.v1", ["研究研究", "再说吧"]),
    ],
)
def test_violation_found_with_span(agent: str, rule: str, expected: list[str]) -> None:
    c = call(GREET, "市民：我想反映个事情。", f"坐席：{agent}")
    sc = default_engine().inspect(c)
    assert status(sc, rule) == "failed"
    assert spans(sc, rule, c) == expected


@pytest.mark.parametrize(
    ("agent", "rule"),
    [
        ("不好意思，让您久等了。", "forbidden.flat_refusal.v1"),
        ("不客气，这是我们应该做的。", "forbidden.flat_refusal.v1"),
        ("不用谢，没问题。", "forbidden.flat_refusal.v1"),
        ("这个事不是不能办，我帮您转到区住建局。", "forbidden.flat_refusal.v1"),
        ("不会的，您放心。", "forbidden.flat_refusal.v1"),
        ("您是说物业跟您讲「这事不归我们管」，是吗？", "shirking.no_way_forward.v1"),
        ("您是说物业跟您讲“你去投诉啊”，对吗？", "forbidden.phrase.v1"),
        ("他说了句你快点说，我明白您的意思。", "forbidden.rushing.v1"),
        ("这个事项不归我们管，我帮您转交到区城管局，工作人员会联系您。", "shirking.no_way_forward.v1"),
        ("这个我不清楚，我帮您登记转交相关部门核实。", "forbidden.flat_refusal.v1"),
        # a condition ("if it still does not work, …") is not a refusal
        ("要是重启以后还是不行，您就带着卡到营业厅换一张。", "forbidden.flat_refusal.v1"),
        ("万一您还是不会，就照着说明书再操作一遍。", "forbidden.flat_refusal.v1"),
    ],
)
def test_hard_negatives_pass(agent: str, rule: str) -> None:
    sc = default_engine().inspect(call(GREET, "市民：我想反映个事情。", f"坐席：{agent}"))
    assert status(sc, rule) == "passed"


@pytest.mark.parametrize(
    "citizen",
    ["你们都是饭桶，去投诉啊！", "我不知道，不行，你快点说！", "这事不归你们管吗？你去死吧"],
)
def test_citizen_words_never_count_against_agent(citizen: str) -> None:
    sc = default_engine().inspect(call(GREET, f"市民：{citizen}", "坐席：您先别着急，请您慢慢说。"))
    for rule in ("forbidden.phrase.v1", "forbidden.flat_refusal.v1", "forbidden.rushing.v1",
                 "forbidden.retort.v1", "shirking.no_way_forward.v1"):
        assert status(sc, rule) == "passed", rule


@pytest.mark.parametrize("agent", ["占道的事这不归我们管。", "物业费这种不归我们管的。", "这个问题不是我们管的事。"])
def test_saying_it_is_not_ours_with_no_way_forward_is_shirking(agent: str) -> None:
    # curriculum case c02: saying whose it is not is no fault; giving no way forward in that turn or the next is
    sc = default_engine().inspect(call(GREET, "市民：楼下饭店晚上太吵了。", f"坐席：{agent}",
                                       "市民：那我该找谁？", "坐席：这个我也不清楚。"))
    assert status(sc, "shirking.no_way_forward.v1") == "failed"


def test_shirking_answered_in_next_agent_turn_passes() -> None:
    sc = default_engine().inspect(call(GREET, "市民：楼下饭店油烟太大。", "坐席：这个不归我们管。",
                                       "市民：那找谁？", "坐席：我帮您转交区生态环境局，3个工作日内联系您。"))
    assert status(sc, "shirking.no_way_forward.v1") == "passed"


def test_veto_zeroes_the_call() -> None:
    sc = default_engine().inspect(call(GREET, "市民：你们什么破热线！", "坐席：你才有病！"))
    assert sc.vetoed and sc.total == 0
    assert any(f.veto and f.rule_id == "forbidden.retort.v1" for f in sc.findings)


# ── a dispatch the agent calls pointless in the same turn is no way forward (rulebook: futile_dispatch) ──

@pytest.mark.parametrize(
    "agent",
    [
        "给您登记了也没用，您直接去找物业吧。",
        "派单也解决不了，你直接去找开发商。",
        "给您上报了也是白报，你去问你们社区。",
        "工单提交了也没人管的，你自己去街道问问。",
        "帮你转给区里也就是走个流程，你自己跑一趟吧。",
        "转给街道？转不转都一样，你去找你们物业。",
        "帮您登记有什么用，你找学校去。",
        "我这边就给你登记一下，别的我们管不了，你找开发商去。",
    ],
)
def test_a_dispatch_called_pointless_is_no_way_forward(agent: str) -> None:
    # the dispatch is named only as the reason for sending the citizen elsewhere: the push-away stands
    sc = default_engine().inspect(call(GREET, "市民：小区门口的路灯坏了一个月了。", f"坐席：{agent}", "市民：那好吧。"))
    assert status(sc, "shirking.no_way_forward.v1") == "failed"


@pytest.mark.parametrize(
    "agent",
    [
        "反正我们就是负责登记转办的，三天内回复您。",
        "反正我们这边就是负责登记转办的，转过去会有专人联系您。",
        "我这边给您登记转办，也会跟进。",
        "我这边给您登记转办也会跟进的。",
        "转过去以后也是由他们联系您。",
        "转到区里也一样会有专人联系您。",
        "您反映的情况我都记下来了，一样会转给相关部门。",
        "我这边帮您登记转给区住建局，其他的我们这边管不了。",
        # a futile word beside a real dispatch with a time limit: the time limit is still a way forward
        "光登记也没用，我给您加急转给区住建局，三个工作日内回复您。",
    ],
)
def test_sincere_dispatch_talk_is_a_way_forward(agent: str) -> None:
    sc = default_engine().inspect(call(GREET, "市民：小区门口的路灯坏了一个月了。", "坐席：这个您自己去找物业。",
                                       "市民：物业不管啊。", f"坐席：{agent}"))
    assert status(sc, "shirking.no_way_forward.v1") == "passed"


# ── a consultation answered in the agent's next turn is a way forward; an answer beside the push-away is not ──

@pytest.mark.parametrize(
    ("question", "push", "answer"),
    [
        ("我想问一下生育津贴能领多少？", "这个你自己算一下嘛。",
         "按您单位上年度职工月平均工资除以三十，再乘以产假天数，一般能领到两万左右。"),
        ("我想问一下孩子上学要办什么证明？", "你自己去学校问嘛。",
         "一般要户口本、房产证或者租房备案证明，还有孩子的疫苗接种证。"),
    ],
)
def test_a_push_away_the_agent_then_answers_is_no_shirking(question: str, push: str, answer: str) -> None:
    sc = default_engine().inspect(call(GREET, f"市民：{question}", f"坐席：{push}", "市民：我不清楚啊。", f"坐席：{answer}"))
    assert status(sc, "shirking.no_way_forward.v1") == "passed"


@pytest.mark.parametrize(
    "agent",
    ["这个你自己去社保局问，生育津贴是按单位平均工资算的。", "你自己去学校问嘛，一般要户口本和房产证。"],
)
def test_an_answer_in_the_push_away_turn_does_not_undo_it(agent: str) -> None:
    # the answer must come in a turn that does not push the citizen away again
    sc = default_engine().inspect(call(GREET, "市民：我想咨询个事情。", f"坐席：{agent}", "市民：哦。"))
    assert status(sc, "shirking.no_way_forward.v1") == "failed"


# ── telling the caller to ring 12345 (this very hotline) again is no way forward ──

@pytest.mark.parametrize("agent", ["你可以拨打12345找值班长。", "您可以拨打12345热线反映。"])
def test_sending_the_caller_back_to_this_hotline_is_no_way_forward(agent: str) -> None:
    sc = default_engine().inspect(call(GREET, "市民：我家楼下的井盖丢了好几天了。", "坐席：这个你去找市政。",
                                       "市民：市政在哪我都不知道！", f"坐席：{agent}"))
    assert status(sc, "shirking.no_way_forward.v1") == "failed"


@pytest.mark.parametrize(
    "agent",
    ["我给您登记一下转给市政，后续有问题您可以再打12345。", "我这边帮您转交区市政所，3个工作日内回复，不满意可以再拨打12345。"],
)
def test_a_real_dispatch_with_a_reminder_of_this_hotline_is_a_way_forward(agent: str) -> None:
    sc = default_engine().inspect(call(GREET, "市民：我家楼下的井盖丢了好几天了。", "坐席：这个你去找市政。",
                                       "市民：市政在哪我都不知道！", f"坐席：{agent}"))
    assert status(sc, "shirking.no_way_forward.v1") == "passed"


# ── sending the citizen to search it up alone or to hand it to the family is shirking ──

@pytest.mark.parametrize(
    "agent",
    [
        "办事指南都在网站上挂着，你自己不会上网看看吗？",
        "流程都印在宣传单上了，自己不会看吗？",
        "这种事情喊你女儿帮你操作一下嘛。",
        "让你家里年轻人帮你弄一下就好了。",
    ],
)
def test_self_search_rebukes_and_handing_it_to_the_family_are_shirking(agent: str) -> None:
    assert _after_an_elderly_callers_question(agent) == "failed"


@pytest.mark.parametrize(
    "agent",
    [
        "您自己不会查也没关系，我把申请条件给您念一遍：年满八十周岁、本市户籍就可以。",
        "您可以让您女儿陪您一起来社区窗口，带上身份证和户口本就能办。",
        "办的时候让您家人陪着您，有不懂的当场问工作人员。",
        "申请要带身份证和户口本，您家人帮您代办的话再带一份委托书。",
    ],
)
def test_help_for_an_elderly_caller_is_not_shirking(agent: str) -> None:
    assert _after_an_elderly_callers_question(agent) == "passed"


def _after_an_elderly_callers_question(agent: str) -> str:
    """How the shirking rule ends when ``agent`` answers an elderly caller's question about a subsidy."""
    sc = default_engine().inspect(call(GREET, "市民：我想问问高龄补贴怎么申请，我年纪大了搞不懂。", f"坐席：{agent}",
                                       "市民：哦。"))
    return status(sc, "shirking.no_way_forward.v1")


def test_a_complaint_pushed_away_is_not_undone_by_information_in_the_next_turn() -> None:
    # the citizen wants something done: only a way forward (dispatch, transfer, time limit) answers the push-away
    sc = default_engine().inspect(call(GREET, "市民：楼上天天漏水到我家，你们管一管。", "坐席：这个你去找物业。",
                                       "市民：物业不管啊。", "坐席：漏水维修一般由责任方承担，物业费是按建筑面积收的。"))
    assert status(sc, "shirking.no_way_forward.v1") == "failed"
