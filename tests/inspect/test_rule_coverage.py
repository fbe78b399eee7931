"""Every rule of the default rulebook is seen both failing and passing in the rule tables: the
tables record each rule's outcome on every call they judge (see tests/conftest.py), and the run fails
at the end when a rule was never seen one way or the other."""

import pytest

from hotline.inspect import default_engine


def test_every_rule_is_seen_failing_and_passing_in_the_rule_tables(record_property: pytest.FixtureRequest) -> None:
    """Asks for the check; the verdict comes when the whole run has reported its outcomes."""
    record_property("rule_coverage_asked", True)


def test_every_detector_is_used_or_exported() -> None:
    engine = default_engine()
    assert {"greeting", "empathy", "ask_phone", "restate", "next_step", "forbidden", "shirking",
            "rushing", "citizen_anger"} <= set(engine.detector_names())


def test_acts_reads_one_utterance() -> None:
    acts = default_engine().acts("不好意思，请问您贵姓？我非常理解您的心情，实在抱歉让您久等了。")
    assert {"cushion", "ask_name", "empathy", "apology"} <= acts
    assert "forbidden" not in acts
    assert "citizen_anger" in default_engine().acts("你们什么态度，我要投诉！", speaker="citizen")


def test_partial_call_skips_end_of_call_rules_and_open_windows() -> None:
    from helpers import call

    c = call("坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？", "市民：你们到底管不管？气死我了！")
    live = default_engine().inspect(c, partial=True)
    done = default_engine().inspect(c)
    live_status = {o.rule_id: o.status for o in live.outcomes}
    assert live_status["closing.thanks_goodbye.v1"] == "na"
    assert live_status["empathy.after_emotion.v1"] == "passed"  # the agent has not had a turn yet
    assert {o.rule_id: o.status for o in done.outcomes}["closing.thanks_goodbye.v1"] == "failed"


def test_acts_without_semantic_layer() -> None:
    assert "empathy" in default_engine().acts("我理解您的心情", semantic=False)
