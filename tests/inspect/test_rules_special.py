"""特殊来电处置 and timing families: silent calls, harassment, emergencies, dead air, reply gap,
interruptions, speech rate, audio metrics, and Python rules (工单)."""

import pytest
from helpers import call, status

from hotline.inspect import Engine, default_engine
from hotline.model import Call, Speaker, Turn, WorkOrder
from hotline.norms import load_default

GREET = "坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"


def inspect(*lines: str):  # noqa: ANN201
    return default_engine().inspect(call(*lines))


SILENT_GOOD = [
    "[00:00.0-00:04.0] 坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？",
    "[00:04.0-00:09.0] 市民：（无声）",
    "[00:09.0-00:12.0] 坐席：您好，请问您能听到我的声音吗？",
    "[00:12.0-00:17.0] 市民：（无声）",
    "[00:17.0-00:23.0] 坐席：对不起，您的电话没有声音，请您换一部电话再打来好吗？再见！",
]


def test_silent_call_protocol_followed() -> None:
    sc = inspect(*SILENT_GOOD)
    assert status(sc, "special.silent_protocol.v1") == "passed"
    assert status(sc, "special.silent_spacing.v1") == "passed"
    assert status(sc, "resolve.next_step.v1") == "na"
    assert status(sc, "closing.thanks_goodbye.v1") == "na"


@pytest.mark.parametrize(
    ("lines", "protocol", "spacing"),
    [
        (["[00:00.0-00:04.0] 坐席：您好，12345热线，1024号为您服务，请问有什么可以帮您？",
          "[00:04.0-00:06.0] 市民：（无声）", "[00:06.0-00:08.0] 坐席：喂，再不说话我就挂了。"], "failed", "failed"),
        (["[00:00.0-00:04.0] 坐席：您好，12345热线，1024号为您服务，请问有什么可以帮您？",
          "[00:04.0-00:20.0] 市民：（无声）", "[00:20.0-00:26.0] 坐席：您好，能听到吗？",
          "[00:26.0-00:30.0] 市民：（无声）",
          "[00:30.0-00:36.0] 坐席：对不起，您的电话没有声音，请您换一部电话再打来，再见。"], "passed", "failed"),
    ],
)
def test_silent_call_protocol_broken(lines: list[str], protocol: str, spacing: str) -> None:
    sc = inspect(*lines)
    assert status(sc, "special.silent_protocol.v1") == protocol
    assert status(sc, "special.silent_spacing.v1") == spacing


def test_harassment_handled_and_not_handled() -> None:
    abuse = "市民：小妹妹陪我聊聊天嘛，你声音真好听。"
    good = inspect(GREET, abuse, "坐席：请您文明用语。如果您有需要办理的事项，请您说明；否则我将结束通话。",
                   "市民：你多大了？", "坐席：感谢来电，再见。")
    bad = inspect(GREET, abuse, "坐席：呵呵，你猜。", "市民：你多大了？", "坐席：二十。")
    assert status(good, "special.harassment.v1") == "passed"
    assert status(bad, "special.harassment.v1") == "failed"
    genuine = inspect(GREET, "市民：他妈的，老板拖欠我三个月工资！", "坐席：您先消消气，我帮您登记。")
    assert status(genuine, "special.harassment.v1") == "na"


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("坐席：请您立即离开房间，不要开关电器，我马上为您转接119。", "passed"),
        ("坐席：好的，我帮您登记，三个工作日内答复。", "failed"),
    ],
)
def test_emergency_transfer(agent: str, expected: str) -> None:
    sc = inspect(GREET, "市民：我家厨房燃气泄漏了，味道特别大！", agent)
    assert status(sc, "special.emergency_transfer.v1") == expected
    assert sc.vetoed == (expected == "failed")


def test_timing_rules_need_times() -> None:
    sc = inspect(GREET, "市民：我想问个事。", "坐席：请讲。")
    for rule in ("timing.dead_air.v1", "timing.reply_gap.v1", "timing.speech_rate.v1", "listen.interrupt.v1"):
        assert status(sc, rule) == "na"


def test_timing_violations() -> None:
    sc = inspect(
        "[00:00.0-00:05.0] 坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？",
        "[00:05.5-00:12.0] 市民：我想问一下我家孩子入学的事情需要准备什么材料。",
        "[00:19.0-00:20.0] 坐席：您需要准备户口本、房产证和孩子的出生医学证明这三样材料。",
        "[00:21.0-00:30.0] 市民：那要是租房的话怎么办呢，我们家是租房子住的。",
        "[00:28.0-00:45.0] 坐席：租房的话需要居住证。",
        "[00:58.0-01:00.0] 市民：好的。",
    )
    assert status(sc, "timing.reply_gap.v1") == "failed"       # 7 s before answering
    assert status(sc, "timing.speech_rate.v1") == "failed"     # 31 chars in 1 s, 9 chars in 17 s
    assert status(sc, "listen.interrupt.v1") == "failed"       # starts 2 s before the citizen ends
    assert status(sc, "timing.dead_air.v1") == "failed"        # 13 s of nothing
    notes = {f.rule_id: f.evidence for f in sc.findings}
    assert "7.0 秒" in notes["timing.reply_gap.v1"]


def test_audio_metrics_rule() -> None:
    quiet = Call("a", [Turn(Speaker.AGENT, "您好")], {"metrics": {"agent_loudness_dbfs": -42.0}})
    fine = Call("b", [Turn(Speaker.AGENT, "您好")], {"metrics": {"agent_loudness_dbfs": -20.0, "agent_clipping_ratio": 0}})
    assert status(default_engine().inspect(quiet), "audio.loudness.v1") == "failed"
    assert status(default_engine().inspect(fine), "audio.loudness.v1") == "passed"
    assert status(default_engine().inspect(Call("c", [Turn(Speaker.AGENT, "您好")])), "audio.loudness.v1") == "na"


def test_python_rules_need_a_work_order() -> None:
    c = call(GREET, "市民：路灯坏了。")
    sc = default_engine().inspect(c)
    for rule in ("workorder.required_fields.v1", "workorder.contradiction.v1", "workorder.downgrade.v1",
                 "workorder.summary.v1", "workorder.routing.v1", "workorder.urgency.v1", "workorder.category.v1"):
        assert status(sc, rule) == "na"
    assert "工单" not in sc.dimensions


def test_python_rule_findings_land_in_the_scorecard() -> None:
    rb = load_default()
    rules = [r.model_copy(update={"impl": "tests_python_rule:always_missing"}) if r.id == "workorder.required_fields.v1"
             else r for r in rb.rules]
    engine = Engine(rb.model_copy(update={"rules": rules}))
    sc = engine.inspect(call(GREET, "市民：路灯坏了。"), work_order=WorkOrder(summary="路灯坏了"))
    assert status(sc, "workorder.required_fields.v1") == "failed"
    f = next(f for f in sc.findings if f.rule_id == "workorder.required_fields.v1")
    assert f.dimension == "工单" and "电话" in f.message
    assert sc.dimensions["工单"] < 5


def test_recording_without_words_is_judged_on_timing_only() -> None:
    turns = [Turn(Speaker.AGENT, "", 0.0, 4.0), Turn(Speaker.CITIZEN, "", 4.5, 9.0), Turn(Speaker.AGENT, "", 16.0, 18.0)]
    sc = default_engine().inspect(Call("vad", turns, {"metrics": {"citizen_speech_seconds": 4.5}}))
    assert status(sc, "greeting.standard.v1") == "na"
    assert status(sc, "forbidden.phrase.v1") == "na"
    assert status(sc, "timing.reply_gap.v1") == "failed"
    assert not sc.vetoed


def test_relative_pace_compares_agent_with_citizen() -> None:
    slow_citizen = "[00:05.0-00:17.0] 市民：喂，姑娘啊，我想问问，我那个补贴怎么还没到账呢？"  # 20 chars in 12 s
    fast_agent = "[00:18.0-00:24.0] 坐席：补贴每个季度发一次，季度末那个月二十号左右打到社保卡里。"  # 26 chars in 6 s
    calm_agent = "[00:18.0-00:30.0] 坐席：补贴每个季度发一次，季度末那个月二十号左右打到社保卡里。"
    first = "[00:00.0-00:04.5] 坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"
    assert status(inspect(first, slow_citizen, fast_agent), "timing.relative_pace.v1") == "failed"
    assert status(inspect(first, slow_citizen, calm_agent), "timing.relative_pace.v1") == "passed"


def test_award_rules_add_points_up_to_the_dimension_maximum() -> None:
    from hotline.norms.schema import RuleSpec

    rb = load_default()
    award = RuleSpec.model_validate({
        "id": "service.praise_award.v1", "title": "主动赞美", "dimension": "同理心与情绪安抚", "points": 3,
        "kind": "award", "match": {"detector": "praise"}, "message": "坐席给予了积极反馈"})
    engine = Engine(rb.model_copy(update={"rules": [*rb.rules, award]}))
    lines = [GREET, "市民：我建议在学校门口加个红绿灯，你们什么态度！", "坐席：请问哪个学校？",
             "市民：实验小学。", "坐席：感谢您的建议，您说得很对。"]
    sc = engine.inspect(call(*lines))
    outcome = next(o for o in sc.outcomes if o.rule_id == "service.praise_award.v1")
    assert outcome.status == "awarded" and outcome.points == 3
    without = Engine(rb).inspect(call(*lines))
    dim = "同理心与情绪安抚"
    assert sc.dimensions[dim] == min(15.0, without.dimensions[dim] + 3)
