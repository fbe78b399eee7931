"""倾听与确认, 同理心, 解答与解决 families."""

import pytest
from helpers import call, status

from hotline.inspect import default_engine

GREET = "坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"
ASK = "坐席：请问您贵姓？方便留一个联系电话吗？具体在哪个小区？"
GIVE = "市民：我姓李，电话13800001111，阳光花园。"
RESTATE = "坐席：我跟您确认一下：您反映阳光花园楼下夜间施工噪音，希望尽快处理，对吗？"
DISPATCH = "坐席：我已为您登记，转交区城管局处理，5个工作日内给您回复。"
CLOSE = ["坐席：请问还有其他可以帮您的吗？", "市民：没有了。", "坐席：感谢您的来电，再见！"]
COMPLAINT = "市民：我要反映我们小区旁边工地天天半夜施工，吵得没法睡觉。"


def inspect(*lines: str):  # noqa: ANN201
    return default_engine().inspect(call(*lines))


def test_model_answer_passes_listening_and_resolving() -> None:
    sc = inspect(GREET, COMPLAINT, ASK, GIVE, RESTATE, "市民：对。", DISPATCH, *CLOSE)
    for rule in ("listen.key_facts.v1", "listen.restate.v1", "resolve.next_step.v1", "resolve.time_limit.v1"):
        assert status(sc, rule) == "passed", rule


@pytest.mark.parametrize(
    ("lines", "rule", "expected"),
    [
        ([GREET, COMPLAINT, "坐席：好的。", "市民：就在阳光花园旁边，麻烦你们管管。", DISPATCH, *CLOSE],
         "listen.key_facts.v1", "failed"),
        ([GREET, COMPLAINT, ASK, GIVE, DISPATCH, *CLOSE], "listen.restate.v1", "failed"),
        ([GREET, COMPLAINT, ASK, GIVE, *CLOSE, RESTATE], "listen.restate.v1", "failed"),  # restated after closing
        ([GREET, COMPLAINT, ASK, GIVE, RESTATE, "市民：对。", *CLOSE], "resolve.next_step.v1", "failed"),
        ([GREET, COMPLAINT, ASK, GIVE, "坐席：好的，我帮您登记转交区城管局。", *CLOSE], "resolve.time_limit.v1", "failed"),
        (["坐席：您好，12345热线，1024号为您服务，请问有什么可以帮您？", "市民：好的。"], "listen.key_facts.v1", "na"),
    ],
)
def test_listening_and_resolving(lines: list[str], rule: str, expected: str) -> None:
    assert status(inspect(*lines), rule) == expected


def test_backchannel_needed_only_when_citizen_talks_at_length() -> None:
    long_turn = "市民：" + "我们家楼上天天晚上十二点以后还在装修，电钻声音特别大，孩子第二天还要上学，老人也睡不好。"
    where = "市民：阳光花园三栋二单元。"
    without = inspect(GREET, long_turn, "坐席：请问是哪个小区？", where, *CLOSE)
    with_bc = inspect(GREET, long_turn, "坐席：嗯，明白，请问是哪个小区？", where, *CLOSE)
    short = inspect(GREET, "市民：查个公积金。", "坐席：请问您的身份证号？", *CLOSE)
    assert status(without, "listen.backchannel.v1") == "failed"
    assert status(with_bc, "listen.backchannel.v1") == "passed"
    assert status(short, "listen.backchannel.v1") == "na"


@pytest.mark.parametrize(
    ("citizen", "agent", "expected"),
    [
        ("市民：你们到底管不管？我都气死了！", "坐席：请问您的联系电话？", "failed"),
        ("市民：你们到底管不管？我都气死了！", "坐席：我非常理解您的心情，您先别着急。", "passed"),
        ("市民：孩子明天就要开学了，急死了，怎么办啊？", "坐席：您别着急，我帮您查一下。", "passed"),
        ("市民：我想问下公积金怎么提取。", "坐席：请问您是本市缴存的吗？", "na"),
    ],
)
def test_empathy_after_emotion(citizen: str, agent: str, expected: str) -> None:
    sc = inspect(GREET, citizen, agent, "市民：好吧。", "坐席：请问是哪个小区？", *CLOSE)
    assert status(sc, "empathy.after_emotion.v1") == expected


def test_empathy_window_is_two_agent_turns() -> None:
    late = inspect(GREET, "市民：太过分了！", "坐席：请问哪个小区？", "市民：阳光花园。",
                   "坐席：请问您贵姓？", "市民：姓李。", "坐席：我理解您的心情。", *CLOSE)
    assert status(late, "empathy.after_emotion.v1") == "failed"
    finding = next(f for f in late.findings if f.rule_id == "empathy.after_emotion.v1")
    assert "太过分" in finding.evidence and finding.turn_index == 2


@pytest.mark.parametrize(
    ("agent", "expected"),
    [("坐席：非常抱歉让您多次来电，我这次帮您加急督办。", "passed"), ("坐席：请问是哪个小区？", "failed")],
)
def test_apology_after_repeat_complaint(agent: str, expected: str) -> None:
    sc = inspect(GREET, "市民：我打了好几次电话了，一直没人管！", agent, *CLOSE)
    assert status(sc, "empathy.apology.v1") == expected


@pytest.mark.parametrize(
    ("agent", "expected"),
    [("坐席：感谢您的宝贵建议，我们会记录并转交相关部门。", "passed"), ("坐席：行，知道了。", "failed")],
)
def test_praise_for_suggestion(agent: str, expected: str) -> None:
    sc = inspect(GREET, "市民：我建议在学校门口增设一个红绿灯。", agent, *CLOSE)
    assert status(sc, "empathy.praise.v1") == expected


@pytest.mark.slow
def test_semantic_empathy_catches_wording_without_listed_phrases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_SEMANTIC", "1")
    lines = [GREET, "市民：你们到底管不管？我都气死了！"]
    warm = inspect(*lines, "坐席：遇到这种事换谁都会着急，我们一起想办法。", *CLOSE)
    cold = inspect(*lines, "坐席：请问您的联系电话是多少？", *CLOSE)
    assert status(warm, "empathy.after_emotion.v1") == "passed"
    assert status(cold, "empathy.after_emotion.v1") == "failed"


APOLOGY = "坐席：非常抱歉让您多次来电，我这次帮您加急督办。"
REPEAT = "市民：我之前也反映过好几次了，一直没解决。"
ESCALATE = "市民：我都打了三次电话了！你们到底管不管？再不管我就去投诉你们！"


@pytest.mark.parametrize(
    ("middle", "expected"),
    [
        # one apology after the first repeat is enough when the citizen only repeats it
        ([REPEAT, APOLOGY, REPEAT, "坐席：请问是哪个小区？", REPEAT, "坐席：好的，我记下了。"], "passed"),
        # … unless the citizen escalates again: then another apology is owed
        ([REPEAT, APOLOGY, ESCALATE, "坐席：请问是哪个小区？", "市民：阳光花园。", "坐席：好的，我记下了。"], "failed"),
        ([REPEAT, APOLOGY, ESCALATE, "坐席：实在抱歉，让您一次次打电话，我这就加急督办。"], "passed"),
        # no apology at all
        ([REPEAT, "坐席：请问是哪个小区？", "市民：阳光花园。", "坐席：好的，我记下了。"], "failed"),
    ],
)
def test_repeat_complaint_apology_once_unless_the_citizen_escalates_again(middle: list[str], expected: str) -> None:
    sc = inspect(GREET, *middle, *CLOSE)
    assert status(sc, "empathy.apology.v1") == expected
    assert sum(f.rule_id == "empathy.apology.v1" for f in sc.findings) == (expected == "failed")
