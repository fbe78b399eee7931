"""学习记录: lessons read, topic quizzes and exams taken, per trainee."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.errors import HotlineError
from hotline.store.models import Attempt, LessonProgress, User, utcnow


class LearningError(HotlineError):
    code = "E810"


def mark_read(db: Session, user: User, lesson_id: str) -> LessonProgress:
    row = db.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson_id))
    if row is None:
        row = LessonProgress(user_id=user.id, lesson_id=lesson_id, quizzes=0)
        db.add(row)
        db.flush()
    return row


def progress(db: Session, user_id: int) -> dict[str, LessonProgress]:
    rows = db.scalars(select(LessonProgress).where(LessonProgress.user_id == user_id))
    return {r.lesson_id: r for r in rows}


def start_attempt(db: Session, user: User, kind: str, ref: str, seed: int, question_ids: list[str]) -> Attempt:
    row = Attempt(user_id=user.id, kind=kind, ref=ref, seed=seed, question_ids=question_ids, result={})
    db.add(row)
    db.flush()
    return row


def own_attempt(db: Session, user: User, attempt_id: int) -> Attempt:
    row = db.get(Attempt, attempt_id)
    if row is None or row.user_id != user.id:
        raise LearningError("找不到这次练习或考试")
    return row


def finish_attempt(db: Session, attempt: Attempt, result: dict[str, Any], percent: float, passed: bool | None) -> Attempt:
    """Store the graded result once; a quiz also updates the lesson's best score."""
    if attempt.finished_at is not None:
        raise LearningError("这份答卷已经交过了，请重新开始一次")
    attempt.finished_at, attempt.result, attempt.percent, attempt.passed = utcnow(), result, percent, passed
    if attempt.kind == "quiz":
        user = db.get_one(User, attempt.user_id)
        row = mark_read(db, user, attempt.ref)
        row.quizzes = (row.quizzes or 0) + 1
        row.best_quiz = max(row.best_quiz or 0.0, percent)
    db.flush()
    return attempt


def attempts_of(db: Session, user_id: int, kind: str | None = None, limit: int = 50) -> list[Attempt]:
    query = select(Attempt).where(Attempt.user_id == user_id, Attempt.finished_at.is_not(None))
    if kind:
        query = query.where(Attempt.kind == kind)
    return list(db.scalars(query.order_by(Attempt.id.desc()).limit(limit)))
