"""The verdict pass's shortcuts for regexes and outcomes, each against the tree walk (``operators.evaluate``), which takes none
of them, on calls that hit their edges."""

from __future__ import annotations

from typing import Any

from test_plan import engine_with

from hotline.inspect import verdicts as vd
from hotline.inspect.context import CallContext
from hotline.inspect.operators import evaluate
from hotline.model import Call, Speaker, Turn

REGEX_CALL = Call("regex", [Turn(Speaker.AGENT, "您好，请问有什么可以帮您？"),
                            Turn(Speaker.CITIZEN, "我不投诉了，就是问问。"),
                            Turn(Speaker.AGENT, ""),
                            Turn(Speaker.CITIZEN, "我要投诉，这并不是态度很差的问题。"),
                            Turn(Speaker.AGENT, "您的态度很差我理解，我要投诉的事记下了。"),
                            Turn(Speaker.CITIZEN, "好的。")])

# patterns whose every match counts (no ``exclude``, no guards: one search per turn), beside the same patterns
# where a match may not count (an exclude around it, a guard): the first must hit turns the second does not
REGEXES: list[dict[str, Any]] = [
    {"pattern": "^.", "speaker": "any", "guards": False},  # anchored, no match in an empty turn
    {"pattern": "^.", "speaker": "citizen", "min_chars": 8, "guards": False},  # not turn 5
    {"pattern": "^(?:您好)?", "speaker": "any", "guards": False},  # anchored, an empty match at 0 counts
    {"pattern": "x*", "speaker": "any", "guards": False},  # empty matches everywhere, an empty turn's included
    {"pattern": "投诉", "speaker": "any", "guards": False},
    {"pattern": "投诉", "exclude": "不投诉", "speaker": "any", "guards": False},  # turn 1's match does not count
    {"pattern": "(态度)很差", "speaker": "any", "guards": False},
    {"pattern": "(态度)很差", "speaker": "any", "guards": True},  # turn 3's is negated (并不是)
]


def test_a_regex_whose_every_match_counts_hits_the_turns_the_tree_walk_finds() -> None:
    """Fails when an exclude or a guard is skipped (``verdicts._regex``: ``any_match``), or when the one search
    finds something other than the first of ``turn_matches``."""
    rules = [{"id": f"test.regex{i}.v1", "kind": "award", "match": {"regex": r}} for i, r in enumerate(REGEXES)]
    engine = engine_with(*rules)
    n = len(REGEX_CALL.turns)
    agent = sum(1 << i for i, t in enumerate(REGEX_CALL.turns) if t.speaker is Speaker.AGENT)
    got: list[int | None] = []
    for r in rules:
        match = engine.rule(str(r["id"])).match
        assert match is not None
        for allowed in (None, agent, (1 << n) - 1 - agent, 0b1011):
            want = vd.hit_mask(evaluate(match, CallContext(REGEX_CALL, engine.compiled), allowed))
            assert vd.verdict(match, CallContext(REGEX_CALL, engine.compiled), allowed) == want, (r, allowed)
        got.append(vd.verdict(match, CallContext(REGEX_CALL, engine.compiled)))
    # the edges the calls were made for (bit i + 1: turn i)
    assert got[0] == 0b1110110 and got[1] == 0b10100 and got[2] == 0b1111110 and got[3] == 0b1111110
    assert got[4] == 0b110100 and got[5] == 0b110000
    assert got[6] == 0b110000 and got[7] == 0b100000


def test_a_rule_that_passed_was_awarded_or_did_not_apply_has_one_outcome_shared_by_every_call() -> None:
    """The outcomes ``_Rule`` makes once: what the status says (an award's points, none otherwise), the same object
    on every card (fails when one is made with the wrong status or points, or made afresh for each call)."""
    from hotline.content import data_path
    from hotline.formats import read_calls
    from hotline.model import RuleOutcome

    engine = engine_with({"id": "test.award.v1", "kind": "award", "points": 2,
                          "match": {"phrases": {"phrases": ["您好"], "speaker": "agent"}}})
    cards = [engine.inspect(c) for c in read_calls(data_path("samples", "calls"))]
    first: dict[tuple[str, str], RuleOutcome] = {}
    for card in cards:
        for o in card.outcomes:
            if o.status == "failed":
                continue
            rule = engine.rule(o.rule_id)
            assert o == RuleOutcome(rule.id, rule.dimension, o.status, rule.points if o.status == "awarded" else 0.0)
            assert first.setdefault((o.rule_id, o.status), o) is o
    assert {status for _, status in first} == {"passed", "na", "awarded"}
