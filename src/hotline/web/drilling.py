"""Drill sessions for the web: restored from the stored JSON state, scored by the rulebook in use,
and shaped for the chat, 工单 form and debrief pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hotline.store import content
from hotline.store.models import Drill
from hotline.store.rulebooks import active_override, engine_for_text

MOOD_LABELS = {"anger": "愤怒", "anxiety": "焦虑", "patience": "耐心", "trust": "信任"}
ORDER_FIELDS = ("caller_name", "phone", "address", "event_time", "summary", "request_type", "category", "urgency",
                "department", "invalid_reason")


def order_choices() -> dict[str, list[str]]:
    """Choices of the 工单 forms, from the 工单 package data: request types, urgency levels, reasons
    for an invalid call, and every category path of the taxonomy (offered as the user types)."""
    from hotline.workorder.schema import load_request_types, load_taxonomy, load_urgency

    types = load_request_types()
    return {"request_types": [*types.names(), "无效"], "urgencies": list(load_urgency().levels),
            "invalid_reasons": ["", *types.invalid_reasons],
            "category_paths": [" > ".join(p) for p in load_taxonomy().paths()]}


def restore(db: Session, drill: Drill) -> Any:
    """The live session; the saved rulebook version (if any) scores it, reading stays fast."""
    from hotline.simulate import DrillSession

    session = DrillSession.from_dict(drill.state, library=content.library(db))
    _use_saved_rulebook(db, session)
    return session


def start(db: Session, scenario_id: str, seed: int | None, hints: bool) -> Any:
    from hotline.simulate import DrillSession

    session = DrillSession.start(scenario_id, seed=seed, hints=hints, library=content.library(db))
    _use_saved_rulebook(db, session)
    return session


def _use_saved_rulebook(db: Session, session: Any) -> None:
    """Hints and the debrief use the rulebook version saved last (reading the turns stays on the fast default)."""
    row = active_override(db)
    if row is not None:
        session.engine = engine_for_text(row.yaml_text)


def chat_rows(session: Any) -> list[dict[str, Any]]:
    """One row per trainee turn: what they said, the live hints, the citizen's answer."""
    return [{"text": e.text, "silence": e.turn_index is None, "hints": e.hints, "reply": e.reply, "end": e.end}
            for e in session.trace]


def mood_rows(mood: dict[str, float]) -> list[tuple[str, str, float]]:
    return [(key, MOOD_LABELS[key], round(mood.get(key, 0.0), 2)) for key in MOOD_LABELS]


def order_from_form(form: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ORDER_FIELDS:
        value = form.get(name)
        out[name] = value.strip() if isinstance(value, str) else ""
    out["urgency"] = out["urgency"] or "一般"
    return out


def suggestion(session: Any) -> dict[str, str]:
    """The 工单 the extraction and classification of ``hotline.workorder`` propose for this call."""
    from hotline.workorder.order import extract_order

    order = extract_order(session.call())
    return {
        "caller_name": order.caller_name, "phone": order.phone, "address": order.address.full(),
        "event_time": order.event_time, "summary": order.summary, "request_type": order.request_type,
        "category": " > ".join(order.category), "urgency": order.urgency, "department": order.department,
        "invalid_reason": order.invalid_reason,
    }


def curve_chart(curve: list[dict[str, Any]]) -> dict[str, Any]:
    return {"turns": [p["turn"] for p in curve], "series": [
        {"name": label, "data": [round(p.get(key, 0.0), 3) for p in curve]} for key, label in MOOD_LABELS.items()
    ]}
