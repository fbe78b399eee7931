"""The guards every phrase, pattern and act match goes through: quotation (with and without a
reporting word), negation, reported speech without quote marks, and a restatement of the citizen's
account. Each table row fails if its guard is removed."""

import pytest
from helpers import call, status

from hotline.inspect import default_engine

GREET = "坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"
ASK = "市民：我想反映个事情。"


def judge(agent: str):  # noqa: ANN201
    return default_engine(semantic=False).inspect(call(GREET, ASK, f"坐席：{agent}"))


@pytest.mark.parametrize(
    ("agent", "rule"),
    [
        # quote marks alone, no reporting word before them
        ("通知上写的是“你去投诉啊”，这个我帮您转给住建局。", "forbidden.phrase.v1"),
        ("门口那张纸写着「不归我们管」，这个我帮您转交城管局。", "forbidden.flat_refusal.v1"),
        ("告示牌上就一句『你自己去找』，这个我帮您转交城管局。", "shirking.no_way_forward.v1"),
        ("群里那条消息是「快点说，别啰嗦」，我帮您记录下来。", "forbidden.rushing.v1"),
    ],
)
def test_quoted_words_are_not_the_agents_own(agent: str, rule: str) -> None:
    assert status(judge(agent), rule) == "passed"


@pytest.mark.parametrize(
    ("agent", "rule"),
    [
        ("这个不是不归我们管，我马上帮您转到区住建局。", "forbidden.flat_refusal.v1"),
        ("我没说管不了，我现在就帮您登记转办。", "forbidden.flat_refusal.v1"),
        ("并不是研究研究就完了，我帮您登记，五个工作日内答复。", "forbidden.brushoff.v1"),
    ],
)
def test_negated_phrases_are_not_violations(agent: str, rule: str) -> None:
    assert status(judge(agent), rule) == "passed"


@pytest.mark.parametrize(
    ("agent", "rule"),
    [
        ("物业的人让您自己去找楼上，是这样吗？", "shirking.no_way_forward.v1"),
        ("社区那边叫你自己去找开发商，对吧？", "shirking.no_way_forward.v1"),
    ],
)
def test_reported_speech_without_quote_marks(agent: str, rule: str) -> None:
    sc = judge(agent)
    assert status(sc, rule) == "passed"
    assert not sc.vetoed


def test_restating_the_citizens_account_is_not_the_agents_misconduct() -> None:
    sc = default_engine(semantic=False).inspect(c := call(
        GREET, "市民：楼上漏水，物业不管，让我自己去找开发商，你们问我我问谁啊！",
        "坐席：我跟您确认一下：您家楼上漏水，物业不管，您自己去找开发商也没结果，您希望有人协调维修，对吗？",
        "市民：对。"))
    assert status(sc, "shirking.no_way_forward.v1") == "passed"
    assert [h.turn_index for h in default_engine().detect(c, "restate")] == [2]


@pytest.mark.parametrize(
    ("agent", "rule"),
    [
        ("你去投诉啊。", "forbidden.phrase.v1"),
        ("不归我们管。", "forbidden.flat_refusal.v1"),
        ("你自己去找开发商。", "shirking.no_way_forward.v1"),
        ("快点说，别啰嗦。", "forbidden.rushing.v1"),
    ],
)
def test_the_same_words_unguarded_are_violations(agent: str, rule: str) -> None:
    """The positive twins of the rows above: what the guards let through when nothing guards it."""
    assert status(judge(agent), rule) == "failed"


@pytest.mark.parametrize("opening", ["不好意思打扰您了", "没关系的", "“我楼下”那家店"])
def test_a_citizen_turn_that_opens_with_a_polite_or_quoted_phrase_is_still_the_citizen_speaking(opening: str) -> None:
    """The guards keep a phrase's words from counting where they are negated, quoted or polite; they do not
    decide whether the citizen said anything. Two substantive citizen turns make a substantive call, so
    the closing must ask whether anything else is needed, however the citizen began each turn."""
    c = call("坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？",
             f"市民：{opening}，我想反映一下小区门口的路灯坏了好几天了",
             "坐席：好的，请问是哪个小区，具体在哪个位置？",
             f"市民：{opening}，就是幸福里小区三号楼门口那一盏路灯",
             "坐席：好的，已经给您登记，转城管部门处理，三个工作日内答复您。感谢您的来电，再见。")
    assert [h.turn_index for h in default_engine().detect(c, "citizen_speaks")] == [1, 3]
    assert status(default_engine().inspect(c), "closing.anything_else.v1") == "failed"


@pytest.mark.parametrize("text", [
    "那张纸上写着“你们自己看着办”，我帮您转过去", "物业说不归他们管，您先别急", "您是说明天再打过来吗", "他们让您自己去问问对吧",
    "好的，我这边给您登记一下", "‘不行’两个字就打发了", "没人接，不知道，就这样吧"])
def test_one_scan_for_quotes_and_reported_speech_guards_as_the_separate_ones(text: str) -> None:
    """A turn holding none of ``Compiled.plain_words`` (read off the joint scan) is neither quoted nor reported: every
    span is guarded as without that scan (fails when a quote mark, a marker or a reported literal is left out)."""
    import dataclasses

    from hotline.inspect.context import CallContext
    from hotline.model import Call, Speaker, Turn

    compiled = default_engine(semantic=False).compiled
    assert compiled.plain_key and compiled.plain_words
    one = Call("c", [Turn(Speaker.AGENT, text)])
    fast, slow = CallContext(one, compiled), CallContext(one, dataclasses.replace(compiled, plain_key=""))
    n = len(fast.norm[0].text)
    spans = [(s, e) for s in range(n) for e in range(s + 1, min(n, s + 6) + 1)]
    assert [(fast.guarded(0, s, e), fast.act_guarded(0, s, e)) for s, e in spans] == \
        [(slow.guarded(0, s, e), slow.act_guarded(0, s, e)) for s, e in spans]
    assert any(slow.guarded(0, s, e) or slow.act_guarded(0, s, e) for s, e in spans) or fast._plain_turn(0)
