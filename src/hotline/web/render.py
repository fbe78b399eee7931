"""Jinja2 templates (package data) and the helpers pages share."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from hotline.labels import SEVERITY_LABELS
from hotline.masking import mask_text
from hotline.store.models import ROLE_LABELS, Role
from hotline.web.messages import for_browser
from hotline.web.timefmt import bj

TEMPLATES = Path(__file__).parent / "templates"

VERDICT_LABELS = {"confirmed": "确认", "overturned": "推翻"}
APPEAL_LABELS = {"pending": "待裁决", "upheld": "申诉成立", "rejected": "申诉驳回"}
BATCH_LABELS = {"queued": "排队中", "running": "质检中", "done": "已完成", "failed": "失败"}
CAUSE_LABELS = {"review": "复核", "appeal": "申诉裁决", "reinspect": "重新质检"}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    tpl = Jinja2Templates(directory=str(TEMPLATES))
    env = tpl.env
    env.filters.update(mask=mask_text, percent=percent, bj=bj, for_browser=for_browser)
    env.globals.update(
        role_label=lambda r: ROLE_LABELS[Role(r)],
        severity_label=lambda s: SEVERITY_LABELS.get(s, s),
        verdict_label=lambda v: VERDICT_LABELS.get(v, v),
        appeal_label=lambda a: APPEAL_LABELS.get(a, a),
        batch_label=lambda b: BATCH_LABELS.get(b, b),
        cause_label=lambda c: CAUSE_LABELS.get(c, c),
        Role=Role,
    )
    return tpl


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page; the logged-in user and the CSRF token are always in the context."""
    auth = getattr(request.state, "auth", None)
    context.setdefault("user", auth[1] if auth else None)
    context.setdefault("csrf_token", auth[0].csrf_token if auth else "")
    context.setdefault("appeal_notices", getattr(request.state, "appeal_notices", 0))
    return templates().TemplateResponse(request, name, context, status_code=status_code)
