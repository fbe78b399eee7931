"""演练: pick a scenario or practise weak rules, talk in a chat view, fill the 工单, read the debrief;
trainers set exam-mode drills (one seed for a team) and read the team's results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from hotline.store import content
from hotline.store import drills as store
from hotline.store.models import Drill, DrillAssignment, Role, Team
from hotline.web.deps import CurrentUser, Db, Forbidden, Id, NotFound, Trainer, check_csrf, int_id
from hotline.web.drilling import (
    chat_rows,
    curve_chart,
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

router = APIRouter(prefix="/drills", tags=["演练"], dependencies=[Depends(check_csrf)])
MAX_TEXT = 500


@router.get("")
def drills_home(request: Request, db: Db, user: CurrentUser, domain: str = "") -> Response:
    from hotline.simulate.practice import pick_scenarios

    lib = content.library(db)
    weak = store.weak_rules(db, user)
    teams = db.scalars(select(Team).order_by(Team.name)).all()
    return render(
        request, "drills.html", scenarios=lib.filter(domain=domain or None), domains=sorted({s.domain for s in lib.scenarios.values()}),
        domain=domain, weak=weak[:5], picks=pick_scenarios(weak, lib, limit=5), mine=store.of_user(db, user.id, 20),
        assignments=store.assignments_for(db, user), teams=teams, rule_title=rule_title, titles={k: s.title for k, s in lib.scenarios.items()},
        is_trainer=user.role in (Role.TRAINER.value, Role.ADMIN.value),
    )


@router.post("")
def start_drill(
    db: Db, user: CurrentUser, scenario_id: Annotated[str, Form()] = "", hints: Annotated[str, Form()] = "",
    assignment_id: Annotated[str, Form()] = "",
) -> Response:
    assignment = db.get(DrillAssignment, int_id(assignment_id)) if int_id(assignment_id) else None
    if assignment_id and assignment is None:
        raise NotFound("找不到该考核")
    if assignment is not None:  # exam mode: the assignment's scenario and seed, no live hints
        session = start(db, assignment.scenario_id, assignment.seed, hints=False)
    else:
        session = start(db, scenario_id, None, hints=bool(hints))
    drill = store.create(db, user, session, assignment.id if assignment else None)
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


def _live(request: Request, db: Db, drill: Drill, status: int = 200, template: str = "drill.html") -> Response:
    session = restore(db, drill)
    mood = session.state.mood()
    return render(
        request, template, status, drill=drill, sc=session.scenario, rows=chat_rows(session), mood=mood_rows(mood),
        ended=session.ended, hints=session.hints, order=drill.order or {}, exam=drill.assignment_id is not None,
        **order_choices(),
    )


@router.get("/{drill_id}")
def drill_page(request: Request, db: Db, user: CurrentUser, drill_id: Id) -> Response:
    drill = _drill(db, user, drill_id)
    if drill.status == "done":
        return RedirectResponse(f"/drills/{drill.id}/debrief", status_code=303)
    return _live(request, db, drill)


@router.post("/{drill_id}/say")
def say(request: Request, db: Db, user: CurrentUser, drill_id: Id, text: Annotated[str, Form()] = "") -> Response:
    drill = _mine(db, user, drill_id)
    session = restore(db, drill)
    session.say(text.strip()[:MAX_TEXT])
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
    order = order_from_form(await request.form())
    return await run_in_threadpool(_finish, db, user, drill_id, order)  # database and scoring off the event loop


def _finish(db: Db, user: CurrentUser, drill_id: Id, order: dict) -> Response:
    drill = _mine(db, user, drill_id)
    session = restore(db, drill)
    session.end()
    session.submit_order(order)
    drill.order = order
    store.save_state(drill, session)
    store.finish(db, drill, session.debrief(), user)
    db.commit()
    return RedirectResponse(f"/drills/{drill.id}/debrief", status_code=303)


@router.get("/{drill_id}/debrief")
def debrief_page(request: Request, db: Db, user: CurrentUser, drill_id: Id) -> Response:
    drill = _drill(db, user, drill_id)
    if drill.status != "done" or not drill.debrief:
        return RedirectResponse(f"/drills/{drill.id}", status_code=303)
    d = drill.debrief
    card = d["scorecard"]
    findings = shown_findings(card["findings"])
    turns = highlighted_turns([(t["speaker"], t["text"]) for t in drill.state["turns"]], findings)
    return render(request, "debrief.html", drill=drill, d=d, card=card, findings=findings, turns=turns,
                  chart=curve_chart(d["curve"]), rule_title=rule_title, exam=drill.assignment_id is not None)


@router.post("/{drill_id}/retry")
def retry(db: Db, user: CurrentUser, drill_id: Id) -> Response:
    """The same scenario again (the same seed in exam mode, a new one otherwise)."""
    old = _drill(db, user, drill_id)
    assignment = db.get(DrillAssignment, old.assignment_id) if old.assignment_id else None
    session = start(db, old.scenario_id, assignment.seed if assignment else None, hints=bool(old.state.get("hints")))
    drill = store.create(db, user, session, old.assignment_id)
    db.commit()
    return RedirectResponse(f"/drills/{drill.id}", status_code=303)


@router.post("/assignments")
def create_assignment(
    db: Db, user: Trainer, title: Annotated[str, Form()], scenario_id: Annotated[str, Form()],
    seed: Annotated[str, Form()] = "", team_id: Annotated[str, Form()] = "",
) -> Response:
    import secrets

    content.library(db).get(scenario_id)
    value = int_id(seed) or secrets.randbelow(10**6)
    row = store.create_assignment(db, user, title, scenario_id, value, int_id(team_id))
    db.commit()
    return RedirectResponse(f"/drills/assignments/{row.id}", status_code=303)


@router.get("/assignments/{assignment_id}")
def assignment_page(request: Request, db: Db, user: Trainer, assignment_id: Id) -> Response:
    row = db.get(DrillAssignment, assignment_id)
    if row is None:
        raise NotFound("找不到该考核")
    team = db.get(Team, row.team_id) if row.team_id else None
    title = content.library(db).scenarios.get(row.scenario_id)
    return render(request, "assignment.html", a=row, team=team, sc=title, results=store.assignment_results(db, row.id))
