"""Live hints are computed on the trainee's turn before the citizen answers (``hear``, then ``answer``): every
一票否决 rule whose reaction is still owed, every rule whose window closes with the next turn, and every
finding on the turn — each shown once, with the better wording."""

from __future__ import annotations

from hotline.simulate.session import DrillSession

GREET = "您好，12345政务服务便民热线，108号为您服务，请问有什么可以帮您？"


def _start(library, engine, scenario: str, hints: bool = True) -> DrillSession:
    s = DrillSession.start(scenario, seed=3, library=library, engine=engine, hints=hints)
    s.say(GREET)
    return s


def test_a_veto_rule_is_hinted_before_the_citizen_answers(library, engine):
    s = _start(library, engine, "gas-leak-transfer")  # the citizen smells gas
    turns_before = len(s.turns)
    hints = s.hear("请问您贵姓？")
    assert len(s.turns) == turns_before + 1 and s.turns[-1].speaker.value == "agent"  # no answer yet
    veto = [h for h in hints if h["rule_id"] == "special.emergency_transfer.v1"]
    assert veto and veto[0]["veto"] and veto[0]["kind"] == "owed" and "一票否决" in veto[0]["message"]
    assert veto[0]["suggestion"] == engine.rule("special.emergency_transfer.v1").suggestion
    reply = s.answer()
    assert reply.hints == hints and s.turns[-1].speaker.value == "citizen"
    assert s.trace[-1].hints == hints  # kept with the turn it was about


def test_a_hint_is_shown_once(library, engine):
    s = _start(library, engine, "gas-leak-transfer")
    first = s.hear("请问您贵姓？")
    s.answer()
    second = s.hear("麻烦您留个电话。") if not s.ended else []
    ids = [h["rule_id"] for h in first + second]
    assert ids.count("special.emergency_transfer.v1") == 1


def test_a_closing_window_is_hinted_on_its_last_turn(library, engine):
    s = _start(library, engine, "gas-leak-transfer")  # the caller is frightened: empathy within two turns
    owed = [h for h in s.hear("请问您贵姓？") if h["rule_id"] == "empathy.after_emotion.v1"]
    assert owed and owed[0]["turns_left"] == 1 and "下一句" in owed[0]["message"]


def test_no_hint_is_owed_once_the_trainee_did_it(library, engine):
    s = _start(library, engine, "gas-leak-transfer")
    hints = s.hear("您别着急，请您马上离开房间，不要开关电器，我马上为您转接119，请问具体地址是哪里？")
    assert not [h for h in hints if h["rule_id"] in ("special.emergency_transfer.v1", "empathy.after_emotion.v1")]


def test_a_finding_on_the_turn_comes_with_the_better_wording(library, engine):
    s = _start(library, engine, "wage-construction")
    hints = s.hear("你快点讲，我很忙")
    rushing = [h for h in hints if h["rule_id"] == "forbidden.rushing.v1"]
    assert rushing and rushing[0]["kind"] == "finding" and rushing[0]["suggestion"]


def test_no_hints_when_they_are_off_and_a_turn_waits_for_its_answer(library, engine):
    import pytest

    from hotline.simulate.errors import DrillStateError

    s = _start(library, engine, "gas-leak-transfer", hints=False)
    assert s.hear("请问您贵姓？") == []
    with pytest.raises(DrillStateError, match="还没有回答"):
        s.hear("喂？")
    s.answer()


def test_a_heard_turn_survives_saving_the_session(library, engine):
    s = _start(library, engine, "gas-leak-transfer")
    hints = s.hear("请问您贵姓？")
    restored = DrillSession.from_dict(s.to_dict(), library=library, engine=engine)
    assert restored.heard is not None and restored.heard.hints == hints
    reply = restored.answer()
    assert reply.text and restored.trace[-1].text == "请问您贵姓？"
