"""Exams: assembled from the bank by section (topic / type / difficulty mix), reproducible by
seed, graded with an explanation per question. Grading is pure; the terminal and the web app
only collect answers and the time taken."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from hotline.curriculum.grading import AnswerResult, shuffle_options, unanswered
from hotline.curriculum.loader import CurriculumError
from hotline.curriculum.schema import ExamSection, ExamSpec, Question

Grader = Callable[[Question, str], AnswerResult]


@dataclass(slots=True)
class ExamItem:
    question: Question
    points: float
    section: str


@dataclass(slots=True)
class Exam:
    spec: ExamSpec
    seed: int
    items: list[ExamItem]

    @property
    def total_points(self) -> float:
        return sum(item.points for item in self.items)

    @property
    def time_limit_seconds(self) -> int:
        return self.spec.time_limit_minutes * 60


@dataclass(slots=True)
class ExamResult:
    exam: Exam
    results: list[AnswerResult]
    points: float
    percent: float
    passed: bool
    elapsed_seconds: float
    over_time: bool
    by_topic: dict[str, tuple[int, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Plain data for storage or the web app: the paper, every answer and its verdict."""
        return {
            "exam_id": self.exam.spec.id,
            "seed": self.exam.seed,
            "points": self.points,
            "total_points": self.exam.total_points,
            "percent": self.percent,
            "passed": self.passed,
            "elapsed_seconds": round(self.elapsed_seconds, 1),
            "over_time": self.over_time,
            "by_topic": {t: list(v) for t, v in self.by_topic.items()},
            "failed_rules": self.failed_rules(),
            "answers": [
                {"question_id": r.question_id, "section": item.section, "points": item.points,
                 "given": r.given, "expected": r.expected, "correct": r.correct, "answered": r.answered,
                 "feedback": r.feedback}
                for item, r in zip(self.exam.items, self.results, strict=True)
            ],
        }

    def failed_rules(self) -> dict[str, int]:
        """Rules linked to the questions answered wrongly, for adaptive practice."""
        out: dict[str, int] = {}
        for item, res in zip(self.exam.items, self.results, strict=True):
            if not res.correct:
                for rule in item.question.rules:
                    out[rule] = out.get(rule, 0) + 1
        return out


def matches(q: Question, sec: ExamSection) -> bool:
    return (
        (not sec.topics or q.topic in sec.topics)
        and (not sec.types or q.type in sec.types)
        and (not sec.difficulty or q.difficulty in sec.difficulty)
    )


def assemble(spec: ExamSpec, bank: Sequence[Question], seed: int) -> Exam:
    """Draw each section's questions without repeats; the same seed gives the same paper."""
    rng = random.Random(f"{spec.id}:{seed}")
    used: set[str] = set()
    items: list[ExamItem] = []
    for sec in spec.sections:
        pool = sorted((q for q in bank if matches(q, sec) and q.id not in used), key=lambda q: q.id)
        if len(pool) < sec.count:
            raise CurriculumError(
                f"考试 {spec.id} 的“{sec.title}”需要 {sec.count} 题，题库中符合条件的只有 {len(pool)} 题"
            )
        for q in _spread(rng, pool, sec.count):
            used.add(q.id)
            items.append(ExamItem(q, sec.points, sec.title))
    return Exam(spec, seed, items)


def build_paper(spec: ExamSpec, bank: Sequence[Question], seed: int) -> Exam:
    """The paper a trainee sees: assembled by section, options shuffled, all from ``seed``."""
    exam = assemble(spec, bank, seed)
    rng = random.Random(f"options:{spec.id}:{seed}")
    for item in exam.items:
        item.question = shuffle_options(item.question, rng)
    return exam


def quiz_questions(bank: Sequence[Question], topic: str, count: int, difficulty: Sequence[int] = (),
                   seed: int = 0) -> list[Question]:
    """A topic quiz: ``count`` questions of ``topic`` (optionally of some difficulties), options shuffled."""
    pool = sorted((q for q in bank if q.topic == topic and (not difficulty or q.difficulty in difficulty)),
                  key=lambda q: q.id)
    if not pool:
        raise CurriculumError(f"课程 {topic} 没有符合条件的题目")
    rng = random.Random(f"quiz:{topic}:{seed}")
    return [shuffle_options(q, rng) for q in rng.sample(pool, min(count, len(pool)))]


def _spread(rng: random.Random, pool: list[Question], count: int) -> list[Question]:
    """Sample ``count`` questions, taking topics in turn so one topic cannot crowd a section."""
    by_topic: dict[str, list[Question]] = {}
    for q in pool:
        by_topic.setdefault(q.topic, []).append(q)
    for qs in by_topic.values():
        rng.shuffle(qs)
    topics = sorted(by_topic)
    rng.shuffle(topics)
    picked: list[Question] = []
    while len(picked) < count:
        for t in topics:
            if by_topic[t] and len(picked) < count:
                picked.append(by_topic[t].pop())
    return picked


def grade_exam(exam: Exam, responses: Mapping[str, str], grader: Grader, elapsed_seconds: float = 0.0) -> ExamResult:
    """Grade every item; a question with no response counts as wrong and is marked 未作答."""
    results: list[AnswerResult] = []
    points = 0.0
    by_topic: dict[str, tuple[int, int]] = {}
    for item in exam.items:
        text = responses.get(item.question.id, "")
        res = grader(item.question, text) if text.strip() else unanswered(item.question)
        results.append(res)
        points += item.points if res.correct else 0.0
        right, total = by_topic.get(item.question.topic, (0, 0))
        by_topic[item.question.topic] = (right + int(res.correct), total + 1)
    percent = round(100.0 * points / exam.total_points, 1) if exam.total_points else 0.0
    over = elapsed_seconds > exam.time_limit_seconds
    return ExamResult(exam, results, points, percent, percent >= exam.spec.pass_mark, elapsed_seconds,
                      over, by_topic)
