"""Grading of choice and true/false answers: pure functions, no I/O, no engine."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from hotline.curriculum.schema import LETTERS, Question

_TRUE = {"对", "正确", "是", "√", "T", "TRUE", "Y", "YES", "1"}
_FALSE = {"错", "错误", "否", "×", "X", "F", "FALSE", "N", "NO", "0"}


@dataclass(slots=True)
class AnswerResult:
    """The verdict on one answer, with the explanation the trainee reads afterwards."""

    question_id: str
    correct: bool
    given: str
    expected: str
    explanation: str
    feedback: list[str] = field(default_factory=list)
    answered: bool = True

    @property
    def score(self) -> float:
        return 1.0 if self.correct else 0.0


def parse_letters(text: str, n_options: int) -> list[str] | None:
    """'b', 'A,C', 'a c', 'A、C' → sorted letters; None when something is not a valid option."""
    cleaned = re.sub(r"[\s,，、;；/]+", "", text.strip().upper())
    if not cleaned:
        return None
    valid = set(LETTERS[:n_options])
    if any(ch not in valid for ch in cleaned):
        return None
    return sorted(set(cleaned))


def parse_true_false(text: str) -> bool | None:
    word = text.strip().upper()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def valid_response(q: Question, text: str) -> bool:
    """Whether ``text`` is a well-formed answer to ``q`` (the terminal asks again otherwise)."""
    if q.type == "true_false":
        return parse_true_false(text) is not None
    if q.type == "rewrite":
        return bool(text.strip())
    letters = parse_letters(text, len(q.options))
    if letters is None:
        return False
    return q.type == "multiple" or len(letters) == 1


def expected_text(q: Question) -> str:
    if q.type == "true_false":
        return "对" if q.answer else "错"
    if q.type == "rewrite":
        return q.references[0]
    return "".join(q.correct_letters())


def grade_choice(q: Question, text: str) -> AnswerResult:
    """Grade a single, multiple (all or nothing), scenario or true/false answer."""
    if q.type == "true_false":
        given = parse_true_false(text)
        correct = given is not None and given == q.answer
        shown = "" if given is None else ("对" if given else "错")
    else:
        letters = parse_letters(text, len(q.options)) or []
        correct = letters == q.correct_letters()
        shown = "".join(letters)
    return AnswerResult(q.id, correct, shown, expected_text(q), q.explanation,
                        answered=bool(text.strip()))


def unanswered(q: Question) -> AnswerResult:
    return AnswerResult(q.id, False, "", expected_text(q), q.explanation, ["未作答"], answered=False)


def shuffle_options(q: Question, rng: random.Random) -> Question:
    """A copy of a choice question with its options in random order and the answer remapped,
    so the bank can list the right answer first without the paper giving it away."""
    if not q.options:
        return q
    order = list(range(len(q.options)))
    rng.shuffle(order)
    new_letter = {LETTERS[old]: LETTERS[new] for new, old in enumerate(order)}
    answer: str | list[str] | bool | None = q.answer
    if isinstance(q.answer, str):
        answer = new_letter[q.answer]
    elif isinstance(q.answer, list):
        answer = sorted(new_letter[a] for a in q.answer)
    return q.model_copy(update={"options": [q.options[i] for i in order], "answer": answer})
