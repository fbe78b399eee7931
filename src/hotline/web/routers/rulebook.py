"""规则: the rulebook in use by dimension, a city override edited as YAML with the errors shown in
place, tried on past calls before an administrator saves it as a new version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from hotline.content import data_path
from hotline.errors import HotlineError
from hotline.store.models import RulebookOverride
from hotline.store.rulebooks import (
    active_engine,
    active_override,
    engine_for_text,
    save_override,
    try_on_calls,
)
from hotline.web.deps import Admin, Db, Staff, check_csrf
from hotline.web.messages import error_text
from hotline.web.render import render

if TYPE_CHECKING:
    from hotline.inspect import Engine

router = APIRouter(prefix="/rulebook", tags=["规则"], dependencies=[Depends(check_csrf)])
MAX_YAML = 200_000


def _starter(db: Db) -> str:
    row = active_override(db)
    return row.yaml_text if row else data_path("web", "rulebook_template.yaml").read_text(encoding="utf-8")


@router.get("")
def rulebook_page(request: Request, db: Db, user: Staff) -> Response:
    eng = active_engine(db)
    by_dim: dict[str, list] = {}
    for rid in eng.rule_ids():
        rule = eng.rule(rid)
        by_dim.setdefault(rule.dimension, []).append(rule)
    versions = db.scalars(select(RulebookOverride).order_by(RulebookOverride.id.desc())).all()
    return render(request, "rulebook.html", version=eng.rulebook.version, by_dim=by_dim, versions=versions)


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
