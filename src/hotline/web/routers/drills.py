"""演练: pick a scenario or practise weak rules, talk in a chat view (live hints before the citizen answers),
fill the full 工单, read the debrief; trainers set exam-mode drills (one seed for a team, one attempt each
unless a retry is granted, answers hidden until the exam closes) and read the team's results. Every route
that touches an exam keeps to the user's team."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hotline.store import content
from hotline.store import drills as store
from hotline.store.models import Drill, DrillAssignment, Role, Team, User
from hotline.web.deps import CurrentUser, Db, Forbidden, Id, NotFound, Trainer, check_csrf, int_id
from hotline.web.drilling import (
    chat_rows,
    curve_chart,
    hidden_answers,
    mood_level,
    mood_rows,
    order_choices,
    order_from_form,
    restore,
    start,
    suggestion,
)
from hotline.web.learning import highlighted_turns, shown_findings
from hotline.web.render import render
from hotline.web.rules import rule_title
from hotline.web.timefmt import BEIJING

router = APIRouter(prefix="/drills", tags=["演练"], dependencies=[Depends(check_csrf)])
MAX_TEXT = 500
STATUS = {"active": "进行中", "ended": "待填工单", "done": "已讲评"}


@router.get("")
def drills_home(request: Request, db: Db, user: CurrentUser, domain: str = "") -> Response:
    from hotline.simulate.practice import pick_scenarios

    lib = content.library(db)
    weak = store.weak_rules(db, user)
    rows = store.assignments_for(db, user)
    exams = [(a, store.attempts_used(db, user.id, a.id), store.attempts_allowed(db, user.id, a.id), store.is_closed(a))
             for a in rows]
    scenarios = lib.filter(domain=domain or None)
    by_domain: dict[str, list[Any]] = {}
    for sc in scenarios:
        by_domain.setdefault(sc.domain, []).append(sc)
    return render(
        request, "drills.html", scenarios=scenarios, by_domain=by_domain,
        domains=sorted({s.domain for s in lib.scenarios.values()}), domain=domain, weak=weak[:5],
        picks=pick_scenarios(weak, lib, limit=5), mine=store.of_user(db, user.id, 20), exams=exams,
        teams=_teams(db, user), rule_title=rule_title, titles={k: s.title for k, s in lib.scenarios.items()},
        is_trainer=user.role in (Role.TRAINER.value, Role.ADMIN.value), status=STATUS,
    )


def _teams(db: Db, user: User) -> list[Team]:
    from sqlalchemy import select

    teams = list(db.scalars(select(Team).order_by(Team.name)))
    if user.role == Role.TRAINER.value and user.team_id is not None:
        teams = [t for t in teams if t.id == user.team_id]
    return teams


def _assignment(db: Db, user: User, assignment_id: int | None, *, lock: bool = False) -> DrillAssignment:
    try:
        row = store.assignment_of(db, user, assignment_id)
    except store.DrillError as exc:
        raise NotFound(exc.message) from None
    if lock:  # two quick posts must not both pass the one-attempt check (PostgreSQL row lock)
        db.refresh(row, with_for_update=True)
    return row


@router.post("")
def start_drill(
    db: Db, user: CurrentUser, scenario_id: Annotated[str, Form()] = "", hints: Annotated[str, Form()] = "",
    assignment_id: Annotated[str, Form()] = "",
) -> Response:
    if assignment_id:  # exam mode: the assignment's scenario and seed, no live hints, one attempt
        return _start_exam(db, user, _assignment(db, user, int_id(assignment_id), lock=True))
    session = start(db, scenario_id, None, hints=bool(hints))
    drill = store.create(db, user, session, None)
    db.commit()
    return RedirectResponse(f"/drills/{drill.id}", status_code=303)


def _start_exam(db: Db, user: User, row: DrillAssignment) -> Response:
    store.check_attempt(db, user, row)
    session = start(db, row.scenario_id, row.seed, hints=False)
    drill = store.create(db, user, session, row.id)
    db.commit()
    return RedirectResponse(f"/drills/{drill.id}", status_code=303)


def _drill(db: Db, user: CurrentUser, drill_id: Id) -> Drill:
    try:
        return store.own(db, user, drill_id)
    except store.DrillError as exc:
        raise NotFound(exc.message) from None


def _mine(db: Db, user: CurrentUser, drill_id: Id) -> Drill:
    drill = _drill(db, user, drill_id)
    if drill.user_id != user.id:
        raise Forbidden("只能在自己的演练里发言")
    return drill


def _exam(db: Db, drill: Drill) -> DrillAssignment | None:
    return db.get(DrillAssignment, drill.assignment_id) if drill.assignment_id else None


def _live(request: Request, db: Db, drill: Drill, status: int = 200, template: str = "drill.html",
          errors: dict[str, str] | None = None, order: dict[str, Any] | None = None) -> Response:
    session = restore(db, drill)
    exam = _exam(db, drill)
    heard = session.heard
    pending = None if heard is None else {"text": heard.reading.text, "silence": heard.reading.silence,
                                          "hints": heard.hints}
    return render(
        request, template, status, drill=drill, sc=session.scenario, rows=chat_rows(session),
        mood=mood_rows(session.state.mood()), ended=session.ended, hints=session.hints,
        pending=pending is not None, pending_turn=pending, order=order if order is not None else (drill.order or {}),
        errors=errors or {}, exam=exam is not None, time_left=store.time_left(drill, exam), **order_choices(),
    )


@router.get("/{drill_id}")
def drill_page(request: Request, db: Db, user: CurrentUser, drill_id: Id) -> Response:
    drill = _drill(db, user, drill_id)
    if drill.status == "done":
        return RedirectResponse(f"/drills/{drill.id}/debrief", status_code=303)
    return _live(request, db, drill)


def _over_time(db: Db, drill: Drill, session: Any) -> bool:
    """An exam drill past its time limit: the call is ended for the trainee (the 工单 can still be written)."""
    left = store.time_left(drill, _exam(db, drill))
    if left is None or left > 0:
        return False
    session.end()
    store.save_state(drill, session)
    db.commit()
    return True


@router.post("/{drill_id}/say")
def say(request: Request, db: Db, user: CurrentUser, drill_id: Id, text: Annotated[str, Form()] = "") -> Response:
    """The trainee's turn. With live hints on, htmx gets the turn and its hints at once and asks for the
    citizen's answer in a second request (``/reply``), so a hint is on screen before the citizen speaks."""
    drill = _mine(db, user, drill_id)
    session = restore(db, drill)
    htmx = bool(request.headers.get("hx-request"))
    if not _over_time(db, drill, session):
        session.hear(text.strip()[:MAX_TEXT])
        if not (htmx and session.hints):
            session.answer()
        store.save_state(drill, session)
        db.commit()
    if htmx:
        return _live(request, db, drill, template="_drill_live.html")
    return RedirectResponse(f"/drills/{drill.id}", status_code=303)


@router.post("/{drill_id}/reply")
def reply(request: Request, db: Db, user: CurrentUser, drill_id: Id) -> Response:
    """The citizen answers the turn heard last."""
    drill = _mine(db, user, drill_id)
    session = restore(db, drill)
    if session.heard is not None:
        session.answer()
        store.save_state(drill, session)
        db.commit()
    if request.headers.get("hx-request"):
        return _live(request, db, drill, template="_drill_live.html")
    return RedirectResponse(f"/drills/{drill.id}", status_code=303)


@router.post("/{drill_id}/end")
def end_call(db: Db, user: CurrentUser, drill_id: Id) -> Response:
    drill = _mine(db, user, drill_id)
    session = restore(db, drill)
    session.end()
    store.save_state(drill, session)
    db.commit()
    return RedirectResponse(f"/drills/{drill.id}#order", status_code=303)


@router.get("/{drill_id}/suggest")
def suggest(request: Request, db: Db, user: CurrentUser, drill_id: Id) -> Response:
    drill = _drill(db, user, drill_id)
    if drill.assignment_id is not None:
        raise Forbidden("考核模式下不提供工单建议")
    return render(request, "_order_suggest.html", s=suggestion(restore(db, drill)))


@router.post("/{drill_id}/order")
async def submit_order(request: Request, db: Db, user: CurrentUser, drill_id: Id) -> Response:
    posted = order_from_form(await request.form())
    return await run_in_threadpool(_finish, request, db, user, drill_id, posted)  # database and scoring off the loop


def _finish(request: Request, db: Db, user: CurrentUser, drill_id: Id, posted: dict) -> Response:
    from hotline.workorder.form import validate_form

    drill = _mine(db, user, drill_id)
    order, errors = validate_form(posted)
    if errors:  # the form again, with what was typed and a message on each bad field
        return _live(request, db, drill, 400, errors=errors, order=posted)
    session = restore(db, drill)
    session.end()
    session.submit_order(order)
    drill.order = {**order, "category": " › ".join(order["category"])}
    store.save_state(drill, session)
    store.finish(db, drill, session.debrief(), user)
    db.commit()
    return RedirectResponse(f"/drills/{drill.id}/debrief", status_code=303)


@router.get("/{drill_id}/debrief")
def debrief_page(request: Request, db: Db, user: CurrentUser, drill_id: Id) -> Response:
    drill = _drill(db, user, drill_id)
    if drill.status != "done" or not drill.debrief:
        return RedirectResponse(f"/drills/{drill.id}", status_code=303)
    exam = _exam(db, drill)
    hidden = store.answers_hidden(user, drill, exam)
    d = hidden_answers(drill.debrief) if hidden else drill.debrief
    card = d["scorecard"]
    findings = shown_findings(card["findings"])
    turns = highlighted_turns([(t["speaker"], t["text"]) for t in drill.state["turns"]], findings)
    retry = None
    if exam is not None and drill.user_id == user.id:
        used, allowed = store.attempts_used(db, user.id, exam.id), store.attempts_allowed(db, user.id, exam.id)
        retry = used < allowed and not store.is_closed(exam)
    return render(request, "debrief.html", drill=drill, d=d, card=card, findings=findings, turns=turns,
                  chart=curve_chart(d["curve"]), rule_title=rule_title, exam=exam is not None, hidden=hidden,
                  retry=retry, mood_level=mood_level)


@router.post("/{drill_id}/retry")
def retry(db: Db, user: CurrentUser, drill_id: Id) -> Response:
    """The same scenario again: an exam drill only within its attempts (the same seed), a practice one with a new seed."""
    old = _mine(db, user, drill_id)
    if old.assignment_id is not None:
        return _start_exam(db, user, _assignment(db, user, old.assignment_id, lock=True))
    session = start(db, old.scenario_id, None, hints=bool(old.state.get("hints")))
    drill = store.create(db, user, session, None)
    db.commit()
    return RedirectResponse(f"/drills/{drill.id}", status_code=303)


def _closing_time(value: str) -> datetime | None:
    """A closing time typed in Beijing time (``2026-12-20T18:00``) as stored UTC."""
    from datetime import UTC

    value = value.strip()
    if not value:
        return None
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        raise store.DrillError(f"截止时间格式不对（收到「{value}」），请用日期时间选择器填写") from None
    return local.replace(tzinfo=BEIJING).astimezone(UTC).replace(tzinfo=None)


@router.post("/assignments")
def create_assignment(
    db: Db, user: Trainer, title: Annotated[str, Form()], scenario_id: Annotated[str, Form()],
    seed: Annotated[str, Form()] = "", team_id: Annotated[str, Form()] = "",
    time_limit: Annotated[str, Form()] = "", closes_at: Annotated[str, Form()] = "",
) -> Response:
    import secrets

    content.library(db).get(scenario_id)
    value = int_id(seed) or secrets.randbelow(10**6)
    limit = int_id(time_limit) if time_limit.strip() else None
    if time_limit.strip() and limit is None:
        raise store.DrillError(f"考核限时应为分钟数（收到「{time_limit}」）")
    row = store.create_assignment(db, user, title, scenario_id, value, int_id(team_id), limit, _closing_time(closes_at))
    db.commit()
    return RedirectResponse(f"/drills/assignments/{row.id}", status_code=303)


@router.get("/assignments/{assignment_id}")
def assignment_page(request: Request, db: Db, user: Trainer, assignment_id: Id) -> Response:
    row = _assignment(db, user, assignment_id)
    team = db.get(Team, row.team_id) if row.team_id else None
    sc = content.library(db).scenarios.get(row.scenario_id)
    return render(request, "assignment.html", a=row, team=team, sc=sc, results=store.assignment_results(db, row.id),
                  people=store.assignment_people(db, row), closed=store.is_closed(row), status=STATUS)


@router.post("/assignments/{assignment_id}/retry")
def grant_retry(db: Db, user: Trainer, assignment_id: Id, user_id: Annotated[str, Form()] = "") -> Response:
    row = _assignment(db, user, assignment_id)
    trainee = db.get(User, int_id(user_id)) if int_id(user_id) else None
    if trainee is None:
        raise NotFound("找不到该学员")
    store.grant_retry(db, user, row, trainee)
    db.commit()
    return RedirectResponse(f"/drills/assignments/{row.id}#people", status_code=303)


@router.post("/assignments/{assignment_id}/close")
def close_assignment(db: Db, user: Trainer, assignment_id: Id) -> Response:
    row = _assignment(db, user, assignment_id)
    store.close_assignment(db, user, row)
    db.commit()
    return RedirectResponse(f"/drills/assignments/{row.id}", status_code=303)
