"""Failed outcomes are remembered by the object too (``writers._outcome_json``): each is still written as itself,
when outcomes are freed one after another (the allocator hands the same places out again) and for the points that
are no dictionary key (-0.0, NaN)."""

from __future__ import annotations

from hotline.formats import writers
from hotline.model import Call, RuleOutcome, Scorecard, Speaker, Turn


def test_each_failed_outcome_is_written_as_itself() -> None:
    call = Call("o-1", [Turn(Speaker.AGENT, "您好")])
    odd = [-0.0, float("nan"), -1.5, -2.0]
    for i in range(300):
        outcome = RuleOutcome(f"rule.{i % 7}", "维度", "failed", odd[i % 4] if i % 5 == 0 else -float(i % 9 + 1))
        card = Scorecard("o-1", 90.0, {}, [], "v", outcomes=[outcome, outcome])
        line = writers.record_json(call, card)
        assert line is not None and line.decode() == writers.encode(writers.record(call, card)) + "\n"
        del outcome, card, line
