"""规则: the rulebook in use by dimension, a city override edited as YAML with the errors shown in
place, tried on past calls before an administrator saves it as a new version, and 重新质检: the
administrator judges stored calls again with the version in use, in the background (as an import
runs), and follows the run on its own page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from hotline.content import data_path
from hotline.errors import HotlineError
from hotline.store import reinspect as rx
from hotline.store.models import AuditEntry, RulebookOverride
from hotline.store.rulebooks import (
    active_engine,
    active_override,
    engine_for_text,
    save_override,
    try_on_calls,
)
from hotline.web.deps import Admin, Db, Id, NotFound, Staff, check_csrf
from hotline.web.messages import error_text
from hotline.web.render import render
from hotline.web.rules import rule_title

if TYPE_CHECKING:
    from hotline.inspect import Engine

router = APIRouter(prefix="/rulebook", tags=["规则"], dependencies=[Depends(check_csrf)])
MAX_YAML = 200_000


def _starter(db: Db) -> str:
    row = active_override(db)
    return row.yaml_text if row else data_path("web", "rulebook_template.yaml").read_text(encoding="utf-8")


@router.get("")
def rulebook_page(request: Request, db: Db, user: Staff) -> Response:
    return _rulebook(request, db, user.role == "admin")


def _rulebook(request: Request, db: Db, admin: bool, status: int = 200, **extra: object) -> Response:
    eng = active_engine(db)
    by_dim: dict[str, list] = {}
    for rid in eng.rule_ids():
        rule = eng.rule(rid)
        by_dim.setdefault(rule.dimension, []).append(rule)
    versions = db.scalars(select(RulebookOverride).order_by(RulebookOverride.id.desc())).all()
    version = eng.rulebook.version
    stale = {scope: rx.count(db, sel, version) for scope, sel in SCOPES.items() if scope != "all"} if admin else {}
    return render(request, "rulebook.html", status, version=version, by_dim=by_dim, versions=versions, stale=stale,
                  running=rx.running(db) if admin else None, **extra)


def _editor(request: Request, db: Db, text: str, status: int = 200, **extra: object) -> Response:
    return render(request, "rulebook_edit.html", status, text=text, can_save=request.state.auth[1].role == "admin", **extra)


@router.get("/edit")
def edit_page(request: Request, db: Db, user: Staff) -> Response:
    return _editor(request, db, _starter(db))


def _validated(text: str) -> tuple[Engine | None, str]:
    if len(text) > MAX_YAML:
        return None, f"内容太长（上限 {MAX_YAML // 1000} KB）"
    try:
        return engine_for_text(text), ""
    except HotlineError as exc:
        return None, error_text(exc)


@router.post("/try")
def try_page(request: Request, db: Db, user: Staff, yaml_text: Annotated[str, Form()]) -> Response:
    eng, error = _validated(yaml_text)
    if eng is None:
        return _editor(request, db, yaml_text, 400, error=error)
    try:
        result = try_on_calls(db, eng)
    except HotlineError as exc:  # a pattern that times out on a stored call
        return _editor(request, db, yaml_text, 400, error=error_text(exc))
    return _editor(request, db, yaml_text, result=result, tried=True)


@router.post("/save")
def save(request: Request, db: Db, user: Admin, yaml_text: Annotated[str, Form()], note: Annotated[str, Form()] = "") -> Response:
    eng, error = _validated(yaml_text)
    if eng is None:
        return _editor(request, db, yaml_text, 400, error=error)
    try:
        save_override(db, yaml_text, user, note)
    except HotlineError as exc:
        db.rollback()
        return _editor(request, db, yaml_text, 400, error=error_text(exc))
    db.commit()
    return RedirectResponse("/rulebook?saved=1", status_code=303)


# the administrator's choice of calls to judge again
SCOPES = {"outdated": rx.Selection(outdated=True), "no_citizen": rx.Selection(no_citizen=True),
          "all": rx.Selection(everything=True)}


@router.post("/reinspect")
def reinspect_start(request: Request, db: Db, user: Admin, tasks: BackgroundTasks, scope: Annotated[str, Form()] = "outdated",
                    date_from: Annotated[str, Form()] = "", date_to: Annotated[str, Form()] = "") -> Response:
    """Start judging stored calls again with the version in use; one run at a time, in the background."""
    from dataclasses import replace

    eng = active_engine(db, semantic=False)  # bulk work: no sentence embeddings, as a bulk import
    try:
        rx.refuse_if_running(db)
        sel = replace(SCOPES.get(scope, SCOPES["outdated"]), date_from=rx.parse_day(date_from, "date_from"),
                      date_to=rx.parse_day(date_to, "date_to"))
        entry, summary = rx.start(db, sel, eng.rulebook.version, user)
    except rx.ReinspectError as exc:
        db.rollback()
        label = rx.FIELDS.get(exc.field)
        return _rulebook(request, db, True, 400 if label else 409,
                         reinspect_error=f"{label}：{exc.message}" if label else exc.message)
    db.commit()
    tasks.add_task(rx.run_quietly, request.app.state.factory, entry.id, sel, eng, summary)
    return RedirectResponse(f"/rulebook/reinspect/{entry.id}", status_code=303)


def _run_entry(db: Db, run_id: int) -> AuditEntry:
    entry = db.get(AuditEntry, run_id)
    if entry is None or entry.action != rx.ACTION:
        raise NotFound("找不到这次重新质检")
    return entry


@router.get("/reinspect/{run_id}")
def reinspect_page(request: Request, db: Db, user: Admin, run_id: Id) -> Response:
    return render(request, "reinspect.html", entry=_run_entry(db, run_id), state_label=rx.STATE_LABELS, rule_title=rule_title)


@router.get("/reinspect/{run_id}/progress")
def reinspect_progress(request: Request, db: Db, user: Admin, run_id: Id) -> Response:
    return render(request, "_reinspect_progress.html", entry=_run_entry(db, run_id), state_label=rx.STATE_LABELS,
                  rule_title=rule_title)
