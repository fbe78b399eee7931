"""培训师: author and edit scenarios and questions in the browser, validated with the package's own
schemas and stored as overrides of the package data."""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from hotline.content import data_path
from hotline.errors import ContentError, HotlineError
from hotline.store import content
from hotline.web.deps import Db, NotFound, Trainer, check_csrf

router = APIRouter(prefix="/authoring", tags=["培训师"], dependencies=[Depends(check_csrf)])
NEW = "new"


@router.get("")
def authoring_page(request: Request, db: Db, user: Trainer) -> Response:
    from hotline.web.render import render

    cur, lib = content.curriculum(db), content.library(db)
    return render(request, "authoring.html", scenarios=sorted(lib.scenarios.values(), key=lambda s: s.id), questions=cur.questions,
                  edited={k: set(content.overrides(db, k)) for k in content.KINDS}, topic_title=cur.topic_title)


def _dump(model: Any) -> str:
    return yaml.safe_dump(model.model_dump(mode="json", exclude_defaults=True), allow_unicode=True, sort_keys=False)


def _current_text(db: Db, kind: str, key: str) -> str:
    row = content.overrides(db, kind).get(key)
    if row is not None:
        return row.yaml_text
    if key == NEW:
        return data_path("web", f"new_{kind}.yaml").read_text(encoding="utf-8")
    if kind == "scenario":
        path = data_path("scenarios", "library", f"{key}.yaml")
        if path.is_file():
            return path.read_text(encoding="utf-8")
        raise NotFound("找不到该场景")
    try:
        return _dump(content.curriculum(db).question(key))
    except HotlineError:
        raise NotFound("找不到该题目") from None


def _kind(kind: str) -> str:
    if kind not in content.KINDS:
        raise NotFound("只能编辑场景或题目")
    return kind


def _editor(request: Request, kind: str, key: str, text: str, status: int = 200, error: str = "") -> Response:
    from hotline.web.render import render

    return render(request, "authoring_edit.html", status, kind=kind, label=content.KINDS[kind], key=key, text=text, error=error)


@router.get("/{kind}/{key}")
def edit_page(request: Request, db: Db, user: Trainer, kind: str, key: str) -> Response:
    return _editor(request, _kind(kind), key, _current_text(db, kind, key))


def _parsed_key(kind: str, key: str, text: str) -> str:
    """Validate; the id in the text must be the one being edited (a new item takes its own id)."""
    item = content.parse_scenario(text, "" if key == NEW else key) if kind == "scenario" else content.parse_question(text)
    if key != NEW and item.id != key:
        raise ContentError(f"id 应为 {key}（要新建请用“新建”）", source=f"网页编辑的{content.KINDS[kind]} {key}")
    return item.id


@router.post("/{kind}/{key}")
def save(request: Request, db: Db, user: Trainer, kind: str, key: str, yaml_text: Annotated[str, Form()]) -> Response:
    _kind(kind)
    try:
        item_id = _parsed_key(kind, key, yaml_text)
    except HotlineError as exc:
        from hotline.web.messages import error_text

        return _editor(request, kind, key, yaml_text, 400, error_text(exc))
    content.save(db, kind, item_id, yaml_text, user)
    db.commit()
    return RedirectResponse(f"/authoring?saved={kind}:{item_id}", status_code=303)
