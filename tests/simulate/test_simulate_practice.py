"""Targeted practice: weak rules → the scenarios that exercise them."""

from __future__ import annotations

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
