"""Demo learning records: lessons read, a quiz and an exam answered partly right, and a few drills
played from scripted turns to their debrief. Described by the ``learning`` part of ``demo.yaml``."""

from __future__ import annotations

from typing import Any, cast

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.content import Strict
from hotline.store import drills as drill_store
from hotline.store.learning import finish_attempt, mark_read, start_attempt
from hotline.store.models import User


class DemoPaper(Strict):
    ref: str
    seed: int = 1
    correct: float = Field(0.8, ge=0, le=1)


class DemoDrill(Strict):
    scenario: str
    seed: int = 1
    script: str


class DemoLearner(Strict):
    user: str
    lessons: list[str] = []
    quiz: DemoPaper | None = None
    exam: DemoPaper | None = None
    drills: list[DemoDrill] = []


def load_learning(db: Session, learners: list[DemoLearner], scripts: dict[str, list[str]]) -> int:
    """Add the learning records; returns how many drills were played."""
    played = 0
    for spec in learners:
        user = db.scalar(select(User).where(User.username == spec.user))
        if user is None:
            continue
        for lesson in spec.lessons:
            mark_read(db, user, lesson)
        if spec.quiz:
            _paper(db, user, "quiz", spec.quiz)
        if spec.exam:
            _paper(db, user, "exam", spec.exam)
        for d in spec.drills:
            _drill(db, user, d, scripts[d.script])
            played += 1
    return played


def _paper(db: Session, user: User, kind: str, spec: DemoPaper) -> None:
    """Answer the first ``correct`` share of the choice questions right; rewrites stay unanswered."""
    from hotline.curriculum import load_curriculum
    from hotline.curriculum.exams import Exam, ExamItem, build_paper, grade_exam, quiz_questions
    from hotline.curriculum.rewrite import grader_for

    cur = load_curriculum()
    if kind == "quiz":
        exam = Exam(cur.exam(), spec.seed, [ExamItem(q, 1.0, "") for q in quiz_questions(cur.questions, spec.ref, 5, seed=spec.seed)])
    else:
        exam = build_paper(cur.exam(spec.ref), cur.questions, spec.seed)
    choices = [i.question for i in exam.items if i.question.type != "rewrite"]
    right = choices[: round(len(choices) * spec.correct)]
    responses = {q.id: ("对" if q.answer else "错") if q.type == "true_false" else "".join(q.correct_letters()) for q in right}
    result = grade_exam(exam, responses, grader_for(cur.settings.rewrite), elapsed_seconds=600)
    data = result.to_dict()
    for answer, item in zip(cast(list[dict[str, Any]], data["answers"]), exam.items, strict=True):
        answer["explanation"] = item.question.explanation
    attempt = start_attempt(db, user, kind, spec.ref, spec.seed, [i.question.id for i in exam.items])
    finish_attempt(db, attempt, data, result.percent, result.passed if kind == "exam" else None)


def _drill(db: Session, user: User, spec: DemoDrill, turns: list[str]) -> None:
    from hotline.simulate import DrillSession

    session = DrillSession.start(spec.scenario, seed=spec.seed, hints=True)
    for text in turns:
        if session.ended:
            break
        session.say(text)
    session.end()
    expected = session.scenario.expected_order
    order = {"request_type": expected.request_type, "category": " > ".join(expected.category),
             "department": expected.department, "urgency": expected.urgency, "invalid_reason": expected.invalid_reason}
    session.submit_order(order)
    drill = drill_store.create(db, user, session)
    drill.order = order
    drill_store.save_state(drill, session)
    drill_store.finish(db, drill, session.debrief(), user)
