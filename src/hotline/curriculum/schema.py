"""Schemas of the curriculum data: lessons, questions, exams and case commentary.

Every file is validated with these models (unknown keys are errors), so a city editing the data
gets a message naming the file and the field instead of a wrong quiz."""

from __future__ import annotations

import string
from typing import Literal

from pydantic import Field, field_validator, model_validator

from hotline.content import Strict

LETTERS = string.ascii_uppercase
DIFFICULTY_NAMES = {1: "基础", 2: "进阶", 3: "提高"}
TYPE_NAMES = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "scenario": "情景判断题",
    "rewrite": "改写题",
}
QuestionType = Literal["single", "multiple", "true_false", "scenario", "rewrite"]


class WordingPair(Strict):
    """A bad wording next to a good one; ``flags`` names the rule the engine raises on ``bad``."""

    bad: str
    good: str
    why: str
    flags: str | None = None


class RuleClaim(Strict):
    """What a lesson teaches about one rule (checked against the rulebook, so they cannot drift apart)."""

    rule: str
    veto: bool | None = Field(None, description="the lesson says it is (or is not) 一票否决")
    severity: Literal["minor", "major", "critical"] | None = None
    numbers: dict[str, float] = Field(
        default_factory=dict, description="thresholds the lesson states, as operator.field: value (speech_rate.max_cpm: 300)")


class LessonMeta(Strict):
    """Front matter of a lesson Markdown file."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    order: int
    summary: str
    objectives: list[str] = Field(min_length=1)
    rules: list[str] = Field(default_factory=list)
    pairs: list[WordingPair] = Field(min_length=1)
    claims: list[RuleClaim] = Field(default_factory=list)
    self_check: list[str] = Field(min_length=1)


class Question(Strict):
    """One question of the bank. ``answer`` is a letter (single/scenario), a list of letters
    (multiple) or true/false (true_false); rewrite questions carry references instead."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    type: QuestionType
    topic: str
    difficulty: int = Field(ge=1, le=3)
    stem: str
    scenario: str | None = None
    options: list[str] = Field(default_factory=list)
    answer: str | list[str] | bool | None = None
    explanation: str
    rules: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    bad: str | None = None
    references: list[str] = Field(default_factory=list)
    keywords: list[list[str]] = Field(default_factory=list)
    require_acts: list[str] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list, description="改写中出现即改变原意的词")

    @field_validator("answer", mode="before")
    @classmethod
    def _letters_upper(cls, v: object) -> object:
        if isinstance(v, str):
            return v.strip().upper()
        if isinstance(v, list):
            return [str(x).strip().upper() for x in v]
        return v

    @model_validator(mode="after")
    def _check_shape(self) -> Question:
        check = {
            "single": _check_single,
            "scenario": _check_scenario,
            "multiple": _check_multiple,
            "true_false": _check_true_false,
            "rewrite": _check_rewrite,
        }[self.type]
        check(self)
        return self

    def correct_letters(self) -> list[str]:
        """Correct option letters of a choice question (empty for other kinds)."""
        if isinstance(self.answer, str):
            return [self.answer]
        if isinstance(self.answer, list):
            return sorted(self.answer)
        return []


def _check_options(q: Question, minimum: int) -> None:
    if len(q.options) < minimum:
        raise ValueError(f"{TYPE_NAMES[q.type]}至少需要 {minimum} 个选项，现有 {len(q.options)} 个")
    if len(set(q.options)) != len(q.options):
        raise ValueError("选项有重复")


def _letter_ok(q: Question, letter: str) -> None:
    valid = LETTERS[: len(q.options)]
    if len(letter) != 1 or letter not in valid:
        raise ValueError(f"答案 {letter!r} 不是有效选项（应为 {'/'.join(valid)} 之一）")


def _check_single(q: Question) -> None:
    _check_options(q, 3)
    if not isinstance(q.answer, str):
        raise ValueError(f"{TYPE_NAMES[q.type]}必须恰有一个正确答案（answer 写一个字母）")
    _letter_ok(q, q.answer)


def _check_scenario(q: Question) -> None:
    if not q.scenario:
        raise ValueError("情景判断题需要 scenario（情景描述）")
    _check_single(q)


def _check_multiple(q: Question) -> None:
    _check_options(q, 4)
    if not isinstance(q.answer, list) or len(set(q.answer)) < 2:
        raise ValueError("多选题至少要有两个正确答案（answer 写字母列表）")
    if len(set(q.answer)) != len(q.answer):
        raise ValueError("多选题答案有重复字母")
    if len(q.answer) >= len(q.options):
        raise ValueError("多选题不能所有选项都正确")
    for letter in q.answer:
        _letter_ok(q, letter)


def _check_true_false(q: Question) -> None:
    if not isinstance(q.answer, bool):
        raise ValueError("判断题的 answer 必须是 true 或 false")
    if q.options:
        raise ValueError("判断题不写 options")


def _check_rewrite(q: Question) -> None:
    if not q.bad:
        raise ValueError("改写题需要 bad（待改写的坐席原话）")
    if len(q.references) < 2:
        raise ValueError("改写题至少需要两条 references（参考答案）")
    if q.answer is not None or q.options:
        raise ValueError("改写题不写 answer / options，用 references 给参考答案")
    clash = [w for w in q.avoid for ref in q.references if w in ref]
    if clash:
        raise ValueError(f"参考答案中出现了 avoid 中的词：{'、'.join(sorted(set(clash)))}")
    if not q.rules and not q.require_acts:
        raise ValueError("改写题需要 rules（针对的规则）或 require_acts（必须出现的话术）")


class QuestionFile(Strict):
    questions: list[Question] = Field(min_length=1)


class ExamSection(Strict):
    """Draw ``count`` questions matching the filters; empty filters mean any."""

    title: str
    count: int = Field(ge=1)
    points: float = Field(gt=0)
    topics: list[str] = Field(default_factory=list)
    types: list[QuestionType] = Field(default_factory=list)
    difficulty: list[int] = Field(default_factory=list)


class ExamSpec(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str
    time_limit_minutes: int = Field(ge=1)
    pass_mark: float = Field(ge=0, le=100, description="及格线：百分制")
    sections: list[ExamSection] = Field(min_length=1)


class RewritePolicy(Strict):
    """How rewrite answers are judged; thresholds were calibrated on ``calibration.yaml``."""

    always_check_rules: list[str]
    min_similarity: float = Field(gt=0, lt=1)
    min_margin_over_bad: float
    min_margin_over_generic: float
    generic_sentences: list[str] = Field(min_length=1)
    act_labels: dict[str, str] = Field(default_factory=dict)


class ExamsFile(Strict):
    issuer: str
    certificate_title: str
    rewrite: RewritePolicy
    exams: list[ExamSpec] = Field(min_length=1)


class CaseNote(Strict):
    """A trainer's note on one sentence; ``turn`` counts from 1, as the engine's messages do.
    ``rules`` names the rules the note speaks of: the engine must find each at this sentence."""

    turn: int = Field(ge=1)
    note: str
    rules: list[str] = Field(default_factory=list)


class CaseCommentary(Strict):
    """Trainer's commentary next to a case transcript (the findings come from the engine)."""

    title: str
    kind: Literal["good", "bad", "mixed"]
    topics: list[str] = Field(min_length=1)
    summary: str
    commentary: str
    notes: list[CaseNote] = Field(default_factory=list)
    illustrates_failed: list[str] = Field(default_factory=list)
    illustrates_passed: list[str] = Field(default_factory=list)
    discussion: list[str] = Field(default_factory=list)


class CalibrationItem(Strict):
    """``limits`` are wrong rewrites the grader is known to accept (documented, not asserted)."""

    question: str
    accept: list[str] = Field(default_factory=list)
    reject: list[str] = Field(default_factory=list)
    limits: list[str] = Field(default_factory=list)


class CalibrationFile(Strict):
    items: list[CalibrationItem] = Field(min_length=1)
