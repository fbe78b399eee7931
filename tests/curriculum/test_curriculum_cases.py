"""The case library: every case reads as a Call, the engine's verdict matches what the trainer
says the case illustrates, and the case renders in the terminal and as HTML."""

from __future__ import annotations

import pytest

from hotline.curriculum import CurriculumError
from hotline.curriculum.cases import analyse, failed_rule_ids, find_case, load_cases, passed_rule_ids
from hotline.curriculum.console import turn_lines
from hotline.curriculum.html import case_html
from hotline.model import Call

CASES = load_cases().items


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_engine_agrees_with_the_trainer(case, engine):
    card = analyse(case, engine)
    c = case.commentary
    assert set(c.illustrates_failed) <= failed_rule_ids(card), c.illustrates_failed
    assert set(c.illustrates_passed) <= passed_rule_ids(card), c.illustrates_passed
    assert c.illustrates_failed or c.illustrates_passed
    if c.kind == "bad":
        assert c.illustrates_failed and card.findings
    if c.kind == "good":
        assert not set(c.illustrates_passed) & failed_rule_ids(card)
        assert not card.vetoed


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_note_names_rules_the_engine_finds_at_that_sentence(case, engine):
    card = analyse(case, engine)
    for note in case.commentary.notes:
        found = {f.rule_id for f in card.findings if f.turn_index == note.turn - 1}
        assert set(note.rules) <= found, f"第 {note.turn} 句「{note.note}」：引擎只找到 {sorted(found)}"


def test_notes_that_describe_misconduct_name_their_rules():
    """A trainer's note on a bad case's sentence says which rule it is, so the check above covers it
    (mixed cases may note what is missing from the whole call instead)."""
    for case in CASES:
        if case.commentary.kind != "bad":
            continue
        for note in case.commentary.notes:
            assert note.rules, f"{case.id} 第 {note.turn} 句的批注没有写 rules"


@pytest.mark.parametrize("case", [c for c in CASES if c.commentary.kind == "bad"], ids=lambda c: c.id)
def test_a_bad_case_does_not_pass(case, engine):
    card = analyse(case, engine)
    assert card.total < engine.rulebook.scoring.pass_mark, card.total


def test_cases_are_calls_with_ids_and_titles():
    for case in CASES:
        assert isinstance(case.call, Call) and case.call.id == case.id
        assert case.call.meta["title"] == case.title
        assert len(case.call.turns) >= 3


def test_timed_cases_keep_their_times():
    silent = find_case("c05_silent_protocol")
    assert silent.call.has_times and silent.call.turns[1].start == 13.0


def test_find_case_unknown():
    with pytest.raises(CurriculumError, match="没有案例"):
        find_case("c99_nothing")


def test_terminal_transcript_highlights_findings(engine):
    case = find_case("c02_noise_shirking")
    card = analyse(case, engine)
    lines = [text for _, text in turn_lines(case, card)]
    plain = "\n".join(t.plain for t in lines)
    assert "不归我们管" in plain and "讲评：" in plain and "⚠" in plain
    styled = {t.plain[s.start:s.end] for t in lines for s in t.spans if "on red" in str(s.style)}
    assert "不归我们管" in styled


def test_case_html(engine, cur):
    case = find_case("c02_noise_shirking")
    html = case_html(case, analyse(case, engine), {t: cur.topic_title(t) for t in cur.topic_ids()})
    assert "<mark>不归我们管</mark>" in html and "讲评" in html and "服务禁语与推诿" in html
    assert "这是一通典型的推诿电话" in html
