"""Every rule of the default rulebook has test cases in a rule table."""

from pathlib import Path

from hotline.inspect import default_engine

TESTS = Path(__file__).parent


def test_every_rule_id_has_test_cases() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_rules_*.py"))
    missing = [r for r in default_engine().rule_ids() if r not in text]
    assert missing == []


def test_every_detector_is_used_or_exported() -> None:
    engine = default_engine()
    assert {"greeting", "empathy", "ask_phone", "restate", "next_step", "forbidden", "shirking",
            "rushing", "citizen_anger"} <= set(engine.detector_names())


def test_acts_reads_one_utterance() -> None:
    acts = default_engine().acts("不好意思，请问您贵姓？我非常理解您的心情。")
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
