"""The curriculum as one object: lessons, question bank and exam settings, cross-checked."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from hotline.content import data_path
from hotline.curriculum.loader import (
    CurriculumError,
    Lesson,
    load_exams,
    load_lessons,
    load_questions,
)
from hotline.curriculum.schema import ExamsFile, ExamSpec, Question


@dataclass(slots=True)
class Curriculum:
    root: Path
    lessons: list[Lesson]
    questions: list[Question]
    settings: ExamsFile
    problems: list[CurriculumError] = field(default_factory=list)

    def lesson(self, lesson_id: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        known = "、".join(x.id for x in self.lessons)
        raise CurriculumError(f"没有课程 {lesson_id!r}；可选：{known}")

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise CurriculumError(f"题库中没有题目 {question_id!r}")

    def exam(self, exam_id: str | None = None) -> ExamSpec:
        if exam_id is None:
            return self.settings.exams[0]
        for spec in self.settings.exams:
            if spec.id == exam_id:
                return spec
        known = "、".join(x.id for x in self.settings.exams)
        raise CurriculumError(f"没有考试 {exam_id!r}；可选：{known}")

    def topic_ids(self) -> list[str]:
        return [lesson.id for lesson in self.lessons]

    def topic_title(self, topic: str) -> str:
        return next((x.title for x in self.lessons if x.id == topic), topic)

    def by_topic(self, topic: str) -> list[Question]:
        return [q for q in self.questions if q.topic == topic]

    def rules_of_topic(self, topic: str) -> set[str]:
        """Rule ids a topic teaches: the lesson's links plus those of its questions."""
        rules = {r for q in self.by_topic(topic) for r in q.rules}
        rules.update(next((x.meta.rules for x in self.lessons if x.id == topic), []))
        return rules

    def stats(self) -> dict[str, Any]:
        return {
            "lessons": len(self.lessons),
            "questions": len(self.questions),
            "by_type": dict(Counter(q.type for q in self.questions)),
            "by_topic": dict(Counter(q.topic for q in self.questions)),
            "by_difficulty": dict(Counter(q.difficulty for q in self.questions)),
        }


def load_curriculum(root: Path | None = None) -> Curriculum:
    """Load and cross-check the curriculum under ``root`` (package data by default)."""
    if root is None:
        return _default()
    root = Path(root)
    lessons = load_lessons(root / "lessons")
    questions = load_questions(root / "questions")
    settings = load_exams(root / "questions" / "exams.yaml")
    cur = Curriculum(root, lessons.items, questions.items, settings,
                     [*lessons.problems, *questions.problems])
    cur.problems.extend(cross_check(cur))
    return cur


@lru_cache(maxsize=1)
def _default() -> Curriculum:
    return load_curriculum(data_path())


def cross_check(cur: Curriculum) -> list[CurriculumError]:
    """References between files: topics, self-check questions, exam sections."""
    problems: list[CurriculumError] = []
    topics = set(cur.topic_ids())
    ids = {q.id for q in cur.questions}
    dup = [k for k, n in Counter(cur.topic_ids()).items() if n > 1]
    for lesson_id in dup:
        problems.append(CurriculumError(f"课程编号 {lesson_id} 重复"))
    for q in cur.questions:
        if q.topic not in topics:
            problems.append(CurriculumError(f"题目 {q.id} 的 topic {q.topic!r} 不是任何课程的编号"))
    for lesson in cur.lessons:
        for qid in lesson.meta.self_check:
            if qid not in ids:
                problems.append(CurriculumError(f"自测题 {qid} 不在题库中", source=str(lesson.path)))
    exams_path = str(cur.root / "questions" / "exams.yaml")
    for spec in cur.settings.exams:
        for sec in spec.sections:
            for t in sec.topics:
                if t not in topics:
                    problems.append(CurriculumError(f"考试 {spec.id} 的“{sec.title}”引用了不存在的课程 {t!r}",
                                                    source=exams_path))
    return problems


def check_rule_links(cur: Curriculum, rule_ids: set[str], detector_names: set[str]) -> list[CurriculumError]:
    """Every rule id and detector name the content names must exist in the rulebook."""
    problems: list[CurriculumError] = []

    def need(rule: str, where: str, source: Path | str | None) -> None:
        if rule not in rule_ids:
            problems.append(CurriculumError(f"{where} 引用了规则库中不存在的规则 {rule!r}",
                                            source=str(source) if source else None))

    for lesson in cur.lessons:
        for rule in lesson.meta.rules:
            need(rule, f"课程 {lesson.id}", lesson.path)
        for pair in lesson.meta.pairs:
            if pair.flags:
                need(pair.flags, f"课程 {lesson.id} 的话术对照", lesson.path)
        for claim in lesson.meta.claims:
            need(claim.rule, f"课程 {lesson.id} 的规则说明", lesson.path)
    for q in cur.questions:
        for rule in q.rules:
            need(rule, f"题目 {q.id}", None)
        for act in q.require_acts:
            if act not in detector_names:
                problems.append(CurriculumError(f"题目 {q.id} 的 require_acts 含不存在的话术检测器 {act!r}"))
    for rule in cur.settings.rewrite.always_check_rules:
        need(rule, "exams.yaml 的 rewrite.always_check_rules", None)
    return problems
