"""学习: lessons, topic quizzes and exams with explanations, certificates, the case library."""

from __future__ import annotations

import functools
import secrets
from typing import TYPE_CHECKING, Any, cast

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hotline.curriculum.loader import CurriculumError
from hotline.store import content
from hotline.store.learning import (
    LearningError,
    attempts_of,
    finish_attempt,
    mark_read,
    own_attempt,
    progress,
    start_attempt,
)
from hotline.store.models import Attempt
from hotline.web.deps import CurrentUser, Db, Id, NotFound, check_csrf
from hotline.web.learning import (
    LETTERS,
    TYPE_NAMES,
    exam_paper,
    highlighted_turns,
    lesson_html,
    quiz_paper,
    response_of,
    shown_findings,
)
from hotline.web.render import render
from hotline.web.rules import rule_title

if TYPE_CHECKING:
    from hotline.curriculum.exams import Exam

router = APIRouter(prefix="/learn", tags=["学习"], dependencies=[Depends(check_csrf)])


@router.get("")
def learn_home(request: Request, db: Db, user: CurrentUser) -> Response:
    cur = content.curriculum(db)
    return render(request, "learn.html", cur=cur, progress=progress(db, user.id), attempts=attempts_of(db, user.id))


@router.get("/lessons/{lesson_id}")
def lesson_page(request: Request, db: Db, user: CurrentUser, lesson_id: str) -> Response:
    cur = content.curriculum(db)
    try:
        lesson = cur.lesson(lesson_id)
    except CurriculumError as exc:
        raise NotFound(exc.message) from None
    cases = [c for c in _cases() if lesson_id in c.commentary.topics]
    read = lesson_id in progress(db, user.id)
    return render(request, "lesson.html", lesson=lesson, body=lesson_html(lesson.body), rule_title=rule_title, cases=cases,
                  read=read)


@router.post("/lessons/{lesson_id}/read")
def lesson_read(db: Db, user: CurrentUser, lesson_id: str) -> Response:
    """The trainee marks a lesson as read (opening it is not reading it, and a GET changes nothing)."""
    try:
        content.curriculum(db).lesson(lesson_id)
    except CurriculumError as exc:
        raise NotFound(exc.message) from None
    mark_read(db, user, lesson_id)
    db.commit()
    return RedirectResponse(f"/learn/lessons/{lesson_id}#read", status_code=303)


@router.post("/lessons/{lesson_id}/quiz")
def start_quiz(db: Db, user: CurrentUser, lesson_id: str) -> Response:
    cur = content.curriculum(db)
    seed = secrets.randbelow(10**6)
    paper = quiz_paper(cur, lesson_id, seed)
    attempt = start_attempt(db, user, "quiz", lesson_id, seed, [q.id for q in paper])
    db.commit()
    return RedirectResponse(f"/learn/attempts/{attempt.id}", status_code=303)


@router.post("/exams/{exam_id}")
def start_exam(db: Db, user: CurrentUser, exam_id: str) -> Response:
    cur = content.curriculum(db)
    seed = secrets.randbelow(10**6)
    paper = exam_paper(cur, exam_id, seed)
    attempt = start_attempt(db, user, "exam", exam_id, seed, [i.question.id for i in paper.items])
    db.commit()
    return RedirectResponse(f"/learn/attempts/{attempt.id}", status_code=303)


def _attempt(db: Db, user: CurrentUser, attempt_id: Id) -> Attempt:
    try:
        return own_attempt(db, user, attempt_id)
    except LearningError as exc:
        raise NotFound(exc.message) from None


def _items(cur, attempt: Attempt) -> tuple[list, Exam | None]:  # noqa: ANN001
    """(question, points, section) per item, and the exam for exams."""
    if attempt.kind == "quiz":
        return [(q, 1.0, "") for q in quiz_paper(cur, attempt.ref, attempt.seed)], None
    exam = exam_paper(cur, attempt.ref, attempt.seed)
    return [(i.question, i.points, i.section) for i in exam.items], exam


@router.get("/attempts/{attempt_id}")
def attempt_page(request: Request, db: Db, user: CurrentUser, attempt_id: Id) -> Response:
    attempt = _attempt(db, user, attempt_id)
    cur = content.curriculum(db)
    items, exam = _items(cur, attempt)
    title = cur.topic_title(attempt.ref) + " 练习" if attempt.kind == "quiz" else cur.exam(attempt.ref).title
    answers = {a["question_id"]: a for a in attempt.result.get("answers", [])}
    spec = cur.exam(attempt.ref) if exam else None
    seconds_left = None
    if spec is not None and attempt.finished_at is None:
        from hotline.store.models import utcnow

        used = (utcnow() - attempt.started_at).total_seconds()
        seconds_left = max(0, int(spec.time_limit_minutes * 60 - used))
    unanswered = sum(1 for a in answers.values() if not a.get("answered"))
    return render(
        request, "attempt.html", attempt=attempt, items=items, title=title, answers=answers, letters=LETTERS,
        type_names=TYPE_NAMES, spec=spec, topic_title=cur.topic_title, seconds_left=seconds_left,
        unanswered=unanswered,
    )


@router.post("/attempts/{attempt_id}")
async def submit_attempt(request: Request, db: Db, user: CurrentUser, attempt_id: Id) -> Response:
    form = await request.form()
    return await run_in_threadpool(_grade, db, user, attempt_id, form)  # database and grading off the event loop


def _grade(db: Db, user: CurrentUser, attempt_id: Id, form: Any) -> Response:
    from hotline.curriculum.exams import Exam, ExamItem, grade_exam
    from hotline.curriculum.rewrite import grader_for
    from hotline.store.models import utcnow

    attempt = _attempt(db, user, attempt_id)
    cur = content.curriculum(db)
    items, exam = _items(cur, attempt)
    responses = {q.id: response_of(q, form) for q, _, _ in items}
    paper = exam or Exam(cur.exam(), attempt.seed, [ExamItem(q, p, s) for q, p, s in items])
    elapsed = (utcnow() - attempt.started_at).total_seconds()
    result = grade_exam(paper, responses, grader_for(cur.settings.rewrite), elapsed)
    data = result.to_dict()
    for answer, (q, _, _) in zip(cast(list[dict[str, Any]], data["answers"]), items, strict=True):
        answer["explanation"] = q.explanation
    passed = result.passed if exam else None
    finish_attempt(db, attempt, data, result.percent, passed)
    db.commit()
    return RedirectResponse(f"/learn/attempts/{attempt.id}", status_code=303)


@router.get("/attempts/{attempt_id}/certificate")
def certificate(db: Db, user: CurrentUser, attempt_id: Id) -> Response:
    from hotline.curriculum.exams import ExamResult
    from hotline.curriculum.html import certificate_html

    attempt = _attempt(db, user, attempt_id)
    if attempt.kind != "exam" or not attempt.passed:
        raise NotFound("只有合格的考试才有证书")
    cur = content.curriculum(db)
    exam = exam_paper(cur, attempt.ref, attempt.seed)
    result = ExamResult(exam, [], float(attempt.result.get("points", 0)), float(attempt.percent or 0), True,
                        float(attempt.result.get("elapsed_seconds", 0)), bool(attempt.result.get("over_time")))
    from hotline.web.timefmt import bj_date

    day = bj_date(attempt.finished_at or attempt.started_at)
    html = certificate_html(result, user.display_name, cur.settings.issuer, cur.settings.certificate_title, day)
    return HTMLResponse(html)


@functools.cache
def _cases() -> list:
    """The case library (package data), read once."""
    from hotline.curriculum.cases import load_cases

    return load_cases().items


@router.get("/cases")
def cases_page(request: Request, db: Db, user: CurrentUser) -> Response:
    cur = content.curriculum(db)
    return render(request, "cases.html", cases=_cases(), topic_title=cur.topic_title)


@router.get("/cases/{case_id}")
def case_page(request: Request, db: Db, user: CurrentUser, case_id: str) -> Response:
    from hotline.curriculum.cases import KIND_NAMES, analyse

    case = next((c for c in _cases() if c.id == case_id), None)
    if case is None:
        raise NotFound("找不到该案例")
    card = analyse(case)
    findings = shown_findings(card.findings)
    from hotline.masking import mask_text

    # cases are calls too: phones, ID numbers and house numbers masked like every call page
    turns = highlighted_turns([(t.speaker.value, mask_text(t.text)) for t in case.call.turns], findings)
    notes: dict[int, list[str]] = {}
    for n in case.commentary.notes:
        notes.setdefault(n.turn - 1, []).append(n.note)
    cur = content.curriculum(db)
    return render(
        request, "case.html", case=case, c=case.commentary, card=card, turns=turns, findings=findings, notes=notes,
        kind=KIND_NAMES[case.commentary.kind], rule_title=rule_title, topic_title=cur.topic_title,
    )
