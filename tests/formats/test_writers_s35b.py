"""``record_json`` gathers the failed outcomes' points in its own walk of the outcomes (``Scorecard.taken``): each
finding's deduction is still ``Scorecard.deductions``'s, when a rule failed twice (the later outcome wins), when
outcomes that passed or did not apply carry points, and when a rule's cap or a dimension's loss is shared."""

from __future__ import annotations

import json

from hotline.formats import writers
from hotline.model import Call, Finding, RuleOutcome, Scorecard, Severity, Speaker, Turn


def _finding(rule: str, dimension: str, points: float) -> Finding:
    return Finding(rule, dimension, Severity.MINOR, 0, (0, 1), "您", "说明", points=points)


def test_record_json_deductions_are_the_cards() -> None:
    call = Call("d-1", [Turn(Speaker.AGENT, "您好")])
    findings = [_finding("a", "礼貌", 3.0), _finding("a", "礼貌", 3.0), _finding("b", "礼貌", 2.0),
                _finding("c", "规范", 5.0), _finding("d", "规范", 1.0)]
    outcomes = [RuleOutcome("a", "礼貌", "failed", -9.0), RuleOutcome("a", "礼貌", "failed", -4.0),
                RuleOutcome("b", "礼貌", "passed", -7.0), RuleOutcome("b", "礼貌", "failed", -2.0),
                RuleOutcome("c", "规范", "na", -2.0), RuleOutcome("d", "规范", "failed", -1.0)]
    card = Scorecard("d-1", 80.0, {"礼貌": 5.0, "规范": 4.0}, findings, "v", {"礼貌": 10.0, "规范": 10.0}, outcomes)
    expected = card.deductions()
    # a's later failure caps it (its earlier one would give 3, 2, 0); the points of b that passed and of c that
    # did not apply are not read (c would take 2)
    assert expected == [3.0, 1.0, 1.0, 5.0, 1.0]
    line = writers.record_json(call, card)
    assert line is not None and line.decode() == writers.encode(writers.record(call, card)) + "\n"
    assert [f["deduction"] for f in json.loads(line)["findings"]] == expected
    assert card.deductions() == expected  # nothing of the card used up
