"""Answer parsing and grading of choice questions, option shuffling."""

from __future__ import annotations

import random

import pytest

from hotline.curriculum.grading import (
    grade_choice,
    parse_letters,
    parse_true_false,
    shuffle_options,
    unanswered,
    valid_response,
)
from hotline.curriculum.schema import Question


@pytest.mark.parametrize(
    ("text", "n", "expected"),
    [("b", 4, ["B"]), ("A,C", 4, ["A", "C"]), ("c a", 4, ["A", "C"]), ("A、C、C", 4, ["A", "C"]),
     ("ac", 4, ["A", "C"]), ("E", 4, None), ("", 4, None), ("A1", 4, None), (" d ", 4, ["D"])],
)
def test_parse_letters(text, n, expected):
    assert parse_letters(text, n) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("对", True), ("正确", True), ("t", True), ("√", True), ("错", False), ("×", False), ("f", False),
     ("no", False), ("也许", None), ("", None)],
)
def test_parse_true_false(text, expected):
    assert parse_true_false(text) == expected


def _q(**kw) -> Question:
    base = {"id": "t-1", "topic": "taboo", "difficulty": 1, "stem": "题干", "explanation": "解析"}
    return Question.model_validate({**base, **kw})


SINGLE = {"type": "single", "options": ["甲", "乙", "丙", "丁"], "answer": "c"}
MULTI = {"type": "multiple", "options": ["甲", "乙", "丙", "丁"], "answer": ["A", "d"]}
TF = {"type": "true_false", "answer": False}


@pytest.mark.parametrize(
    ("spec", "text", "correct"),
    [(SINGLE, "C", True), (SINGLE, "c", True), (SINGLE, "A", False), (SINGLE, "AC", False),
     (MULTI, "AD", True), (MULTI, "d,a", True), (MULTI, "A", False), (MULTI, "ABD", False),
     (TF, "错", True), (TF, "对", False), (TF, "随便", False)],
)
def test_grade_choice(spec, text, correct):
    res = grade_choice(_q(**spec), text)
    assert res.correct is correct
    assert res.explanation == "解析"
    assert res.score == (1.0 if correct else 0.0)


def test_expected_answer_is_readable():
    assert grade_choice(_q(**MULTI), "A").expected == "AD"
    assert grade_choice(_q(**TF), "对").expected == "错"


def test_valid_response_rejects_multiple_letters_for_single():
    assert valid_response(_q(**SINGLE), "B")
    assert not valid_response(_q(**SINGLE), "AB")
    assert valid_response(_q(**MULTI), "AB")
    assert not valid_response(_q(**TF), "B")


def test_unanswered_is_wrong_and_marked():
    res = unanswered(_q(**SINGLE))
    assert not res.correct and not res.answered and res.feedback == ["未作答"]


def test_shuffle_keeps_the_same_correct_options(cur):
    rng = random.Random(5)
    moved = 0
    for q in cur.questions:
        s = shuffle_options(q, rng)
        original = {q.options[ord(a) - 65] for a in q.correct_letters()}
        shuffled = {s.options[ord(a) - 65] for a in s.correct_letters()}
        assert original == shuffled and sorted(q.options) == sorted(s.options), q.id
        moved += s.correct_letters() != q.correct_letters()
    assert moved > len(cur.questions) // 3  # the right answer is not always where the author put it
