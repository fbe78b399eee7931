"""The shared types as the rest of the product uses them, compiled (``hotline.native``) or not: workers send
calls and scorecards back pickled, outputs copy them with ``dataclasses.replace``, and outcomes stay frozen."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from hotline.model import (
    Call,
    CitizenBlock,
    Finding,
    Review,
    RuleOutcome,
    Scorecard,
    Severity,
    Speaker,
    Turn,
)


def _card() -> tuple[Call, Scorecard]:
    call = Call("c-1", [Turn(Speaker.AGENT, "您好", 0.0, 1.5), Turn(Speaker.CITIZEN, "路灯坏了", 2.0, 4.0)], {"agent_id": "7"})
    finding = Finding("forbidden.phrase.v1", "服务用语", Severity.MAJOR, 0, (0, 2), "您好", "禁语", points=5.0,
                      confidence=0.91, threshold=0.6)
    outcomes = [RuleOutcome("forbidden.phrase.v1", "服务用语", "failed", -5.0), RuleOutcome("greeting.v1", "开场", "passed")]
    card = Scorecard("c-1", 95.0, {"服务用语": 15.0}, [finding], "v1", {"服务用语": 20.0}, outcomes,
                     citizen=CitizenBlock(anger=[(1, 0.4)], dissatisfaction=0.3, escalation=[("投诉坐席", 1, "投诉")]),
                     review=Review("sample", ["低分"]))
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
