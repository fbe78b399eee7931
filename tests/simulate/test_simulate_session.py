"""Scripted trainees against real scenarios: the model answer, the rude agent, seeds, saved sessions."""

from __future__ import annotations

import json

import pytest
from drill_helpers import play, reference

from hotline.model import WorkOrder
from hotline.simulate.errors import DrillStateError, SimulateError
from hotline.simulate.session import DrillSession

RUDE = ["喂，说吧", "你快点讲，我很忙", "这事不归我们管，你自己去找", "你问我我问谁", "你爱找谁找谁", "你有完没完"]
NORMAL = ["wage-construction", "noise-night-construction", "property-elevator", "housing-fund-withdraw",
          "food-takeaway-sick", "stray-dogs", "medical-insurance-elderly"]


def order_for(sc) -> dict:
    from hotline.simulate.model_answer import model_order

    return model_order(sc)


@pytest.mark.parametrize("scenario_id", NORMAL)
def test_model_answer_ends_calm_and_scores_high(scenario_id, library, engine):
    sc = library.get(scenario_id)
    s = play(scenario_id, reference(scenario_id), library=library)
    assert s.outcome == "resolved"
    start, end = s.trace[0].mood_before, s.state.mood()
    assert end["anger"] <= library.defaults.thresholds.satisfied_anger
    assert end["anger"] < start["anger"] or start["anger"] <= 0.2
    assert end["trust"] > start["trust"]
    s.engine = engine
    s.submit_order(order_for(sc))
    d = s.debrief()
    assert d.scorecard.total >= 90 and not d.scorecard.vetoed
    assert d.missed == [] and d.order_ok


@pytest.mark.parametrize("scenario_id", ["wage-construction", "noise-night-construction", "food-takeaway-sick",
                                         "property-elevator", "consumer-gym-closed"])
def test_rude_agent_escalates_and_is_hung_up_on(scenario_id, library, engine):
    s = play(scenario_id, RUDE, library=library)
    assert s.ended and s.outcome == "hangup"
    angers = [e.mood_after["anger"] for e in s.trace]
    assert angers[-1] > s.trace[0].mood_before["anger"]
    assert s.state.patience == 0 or s.trace[-1].end == "hangup"
    s.engine = engine
    d = s.debrief()
    assert d.scorecard.total < 60
    assert any(m.direction == "worse" and m.better for m in d.moves)
    assert len(d.missed) >= 3


def test_same_seed_replays_exactly_and_seeds_vary(library):
    lines = reference("wage-construction")
    a = play("wage-construction", lines, seed=42, library=library)
    b = play("wage-construction", lines, seed=42, library=library)
    assert [t.text for t in a.turns] == [t.text for t in b.turns]
    transcripts = {tuple(t.text for t in play("wage-construction", lines, seed=n, library=library).turns)
                   for n in range(6)}
    assert len(transcripts) > 1


def test_lines_are_not_repeated_within_a_call(library):
    s = play("garbage-uncollected", ["您好"] + ["嗯"] * 6, library=library)
    replies = [t.text for t in s.turns if t.speaker.value == "citizen"]
    assert len(replies) == len(set(replies))


def test_session_state_round_trips_through_json(library):
    lines = reference("property-elevator")
    whole = play("property-elevator", lines, seed=9, library=library)
    half = play("property-elevator", lines[:4], seed=9, library=library)
    saved = json.loads(json.dumps(half.to_dict(), ensure_ascii=False))
    resumed = DrillSession.from_dict(saved, library=library)
    for line in lines[4:]:
        resumed.say(line)
    assert [t.text for t in resumed.turns] == [t.text for t in whole.turns]
    assert resumed.state.to_dict() == whole.state.to_dict()


def test_api_order_errors(library):
    s = DrillSession.start("wage-restaurant", seed=1, library=library)
    with pytest.raises(DrillStateError, match="结束通话"):
        s.debrief()
    s.end()
    assert s.outcome == "agent_ended"
    with pytest.raises(DrillStateError):
        s.say("您好")
    with pytest.raises(SimulateError, match="不认识的字段"):
        s.submit_order({"request_type": "投诉", "colour": "red"})
    with pytest.raises(SimulateError):
        DrillSession.from_dict({"version": 99}, library=library)
    with pytest.raises(SimulateError, match="字段"):
        DrillSession.from_dict({"version": 1, "scenario": "wage-restaurant"}, library=library)


def test_order_from_dict_accepts_strings(library):
    s = DrillSession.start("wage-restaurant", seed=1, library=library)
    order = s.submit_order({"request_type": "投诉", "category": "劳动和社会保障 › 工资福利 / 工资发放",
                            "address": "城西区文化路88号"})
    assert isinstance(order, WorkOrder)
    assert order.category == ["劳动和社会保障", "工资福利", "工资发放"]
    assert order.address.detail == "城西区文化路88号"


def test_live_hints_show_new_findings_of_the_turn(library, engine):
    s = DrillSession.start("wage-construction", seed=1, library=library, engine=engine, hints=True)
    first = s.say("喂，说吧")
    assert any(h["rule_id"] == "greeting.standard.v1" for h in first.hints)
    second = s.say("您别着急，麻烦您具体说一下是什么情况？")
    assert all(h["rule_id"] != "greeting.standard.v1" for h in second.hints)  # not repeated
    third = s.say("你快点讲")
    assert any(h["rule_id"] == "forbidden.rushing.v1" and h["suggestion"] for h in third.hints)
    assert all(h["turn_index"] is not None for h in first.hints + second.hints + third.hints)


def test_silent_call_has_no_citizen_words(library, engine):
    s = play("silent-call", reference("silent-call"), library=library)
    assert s.outcome == "resolved"
    assert all(t.speaker.value == "agent" for t in s.turns)
    s.engine = engine
    d = s.debrief()
    outcome = {o.rule_id: o.status for o in d.scorecard.outcomes}
    assert outcome["special.silent_protocol.v1"] == "passed"
    rude = play("silent-call", ["您好，12345热线", "喂，再不说话我就挂了", "再见"], library=library)
    rude.engine = engine
    assert any(f.rule_id == "forbidden.phrase.v1" for f in rude.debrief().scorecard.findings)


def test_transfer_call_punishes_form_filling(library):
    s = play("gas-leak-transfer", ["您好，12345热线，108号为您服务", "请问您贵姓？", "请问是什么时候开始闻到的？"], library=library)
    assert s.ended and s.outcome == "hangup"
    good = play("gas-leak-transfer", reference("gas-leak-transfer"), library=library)
    assert good.outcome == "resolved"
