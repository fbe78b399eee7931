"""Targeted practice: weak rules → the scenarios that exercise them."""

from __future__ import annotations

import pytest

from hotline.model import Finding, RuleOutcome, Scorecard, Severity
from hotline.simulate.practice import pick_scenarios, weak_rules


def card(failed: list[str]) -> Scorecard:
    outcomes = [RuleOutcome(r, "x", "failed") for r in failed] + [RuleOutcome("greeting.standard.v1", "x", "passed")]
    findings = [Finding(r, "x", Severity.MINOR, 0, None, "", "") for r in failed]
    return Scorecard("c", 50, {}, findings, "v", outcomes=outcomes)


def test_weak_rules_most_frequent_first():
    cards = [card(["empathy.after_emotion.v1", "listen.restate.v1"]), card(["empathy.after_emotion.v1"])]
    assert weak_rules(cards) == ["empathy.after_emotion.v1", "listen.restate.v1"]


def test_pick_scenarios_exercise_the_weak_rules(library):
    picks = pick_scenarios(["special.silent_protocol.v1"], library)
    assert [p.scenario.id for p in picks] == ["silent-call"]
    picks = pick_scenarios(["empathy.apology.v1", "listen.restate.v1"], library, limit=3)
    assert len(picks) == 3
    assert all("empathy.apology.v1" in p.rules for p in picks[:2])
    assert [p.score for p in picks] == sorted((p.score for p in picks), reverse=True)


def test_pick_scenarios_excludes_and_handles_unknown(library):
    picks = pick_scenarios(["special.emergency_transfer.v1"], library, exclude=["gas-leak-transfer"])
    assert picks and "gas-leak-transfer" not in {p.scenario.id for p in picks}
    assert pick_scenarios(["no.such.rule.v1"], library) == []


def test_weak_rules_from_inspect_and_debrief_records(tmp_path):
    import json

    from hotline.simulate.errors import SimulateError
    from hotline.simulate.practice import read_score_records, weak_rules_from_records

    qa = card(["listen.restate.v1", "empathy.after_emotion.v1"]).to_dict()
    drill = {"scorecard": card(["listen.restate.v1"]).to_dict(), "outcome": "hangup"}
    jsonl = tmp_path / "qa.jsonl"
    jsonl.write_text(json.dumps(qa, ensure_ascii=False) + "\n\n" + json.dumps(drill) + "\n", encoding="utf-8")
    assert weak_rules_from_records(read_score_records(jsonl)) == ["listen.restate.v1", "empathy.after_emotion.v1"]
    single = tmp_path / "one.json"
    single.write_text(json.dumps(drill), encoding="utf-8")
    assert weak_rules_from_records(read_score_records(single)) == ["listen.restate.v1"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"outcomes": [', encoding="utf-8")
    with pytest.raises(SimulateError, match=r"bad\.json 第 1 行"):
        read_score_records(bad)
