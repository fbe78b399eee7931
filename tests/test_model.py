"""The shared types as the rest of the product uses them, compiled (``hotline.native``) or not: workers send
calls and scorecards back pickled, outputs copy them with ``dataclasses.replace``, and outcomes stay frozen."""

from __future__ import annotations

import copy
import dataclasses
import math
import pickle

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from hotline.model import (
    Call,
    CitizenBlock,
    Finding,
    Pending,
    Review,
    RuleOutcome,
    Scorecard,
    Severity,
    Speaker,
    Turn,
    rounded,
)


def _card() -> tuple[Call, Scorecard]:
    call = Call("c-1", [Turn(Speaker.AGENT, "您好", 0.0, 1.5), Turn(Speaker.CITIZEN, "路灯坏了", 2.0, 4.0)], {"agent_id": "7"})
    finding = Finding("forbidden.phrase.v1", "服务用语", Severity.MAJOR, 0, (0, 2), "您好", "禁语", points=5.0,
                      confidence=0.91, threshold=0.6)
    outcomes = [RuleOutcome("forbidden.phrase.v1", "服务用语", "failed", -5.0), RuleOutcome("greeting.v1", "开场", "passed")]
    card = Scorecard("c-1", 95.0, {"服务用语": 15.0}, [finding], "v1", {"服务用语": 20.0}, outcomes,
                     citizen=CitizenBlock(anger=[(1, 0.4)], dissatisfaction=0.3, escalation=[("投诉坐席", 1, "投诉")]),
                     review=Review("sample", ["低分"]), pending=[Pending("empathy.v1", 1, None, 2, "路灯坏了")])
    return call, card


def test_a_call_and_its_scorecard_come_back_from_pickle_as_they_went() -> None:
    call, card = _card()
    back_call, back_card = pickle.loads(pickle.dumps((call, card)))
    assert back_call == call and back_card == card
    assert back_card.outcomes[0].points == -5.0 and back_card.findings[0].span == (0, 2)
    assert copy.deepcopy(card) == card


def test_an_outcome_stays_frozen_and_hashable() -> None:
    outcome = RuleOutcome("r", "d", "passed")
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.status = "failed"  # type: ignore[misc]
    assert hash(outcome) == hash(RuleOutcome("r", "d", "passed")) and pickle.loads(pickle.dumps(outcome)) == outcome


def test_copies_change_only_what_they_name() -> None:
    call, card = _card()
    turn = dataclasses.replace(call.turns[1], text="路灯**")
    assert (turn.speaker, turn.text, turn.start, turn.end) == (Speaker.CITIZEN, "路灯**", 2.0, 4.0)
    masked = dataclasses.replace(card, notice="已脱敏")
    assert masked.notice == "已脱敏" and masked.findings is card.findings and card.notice == ""
    assert dataclasses.asdict(call)["turns"][0] == {"speaker": Speaker.AGENT, "text": "您好", "start": 0.0, "end": 1.5}


def test_what_is_not_given_is_new_each_time() -> None:
    """The types' own __init__ (compiled) give each object its own empty lists and dicts, as default_factory did."""
    a, b = Call("a", []), Call("b", [])
    assert a.meta == {} and a.meta is not b.meta
    one, two = Scorecard("a", 1.0, {}, [], "v"), Scorecard("b", 1.0, {}, [], "v")
    assert (one.outcomes, one.pending, one.max_dimensions) == ([], [], {}) and one.outcomes is not two.outcomes
    block = CitizenBlock()
    assert (block.anger, block.drivers, block.escalation) == ([], [], []) and block.anger is not CitizenBlock().anger
    assert Review().level == "auto_pass" and Review().reasons is not Review().reasons
    assert Turn(Speaker.AGENT, "x") == Turn(Speaker.AGENT, "x", None, None)


def _same(x: float, digits: int) -> None:
    want, got = round(x, digits), rounded(x, digits)
    assert type(got) is type(want) and (repr(got) == repr(want)), (x, digits, want, got)


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(0, 6))
@example(0.125, 2)  # an exact tie: to even (0.12), not up
@example(0.375, 2)  # a tie rounded up to even (0.38)
@example(0.0005, 3)  # just above a tie, scaled onto one (0.5): 0.001
@example(2.675, 2)  # just below a tie (2.67)
@example(-0.0001, 3)  # a negative that rounds to -0.0
@example(-0.0, 3)
@example(4503599627370495.5, 0)  # past the fast path
def test_rounded_is_round(x: float, digits: int) -> None:
    _same(x, digits)
    for step in (math.inf, -math.inf):  # the floats either side, where ties hide
        _same(math.nextafter(x, step), digits)


@given(st.integers(0, 10**7), st.integers(0, 6))
def test_rounded_near_every_half(k: int, digits: int) -> None:
    half = (k + 0.5) / 10**digits
    for x in (half, math.nextafter(half, 0.0), math.nextafter(half, 1.0), -half):
        _same(x, digits)


def test_rounded_keeps_an_int_an_int() -> None:
    assert rounded(5, 2) == 5 and type(rounded(5, 2)) is int and type(rounded(True, 2)) is int  # type: ignore[arg-type]
