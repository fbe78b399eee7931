"""Drill sessions for the web: restored from the stored JSON state, scored by the rulebook in use,
and shaped for the chat, 工单 form and debrief pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hotline.store import content
from hotline.store.models import Drill
from hotline.store.rulebooks import active_override, engine_for_text

MOOD_LABELS = {"anger": "愤怒", "anxiety": "焦虑", "patience": "耐心", "trust": "信任"}
# Each mood keeps one colour in every chart and bar; a level is drawn warmer the worse it is for the call
# (high anger or anxiety, low patience or trust): the same scale on the live bars and the debrief table.
MOOD_COLOURS = {"anger": "#c92a2a", "anxiety": "#e8590c", "patience": "#1f6fb2", "trust": "#2b8a3e"}
WORSE_WHEN_HIGH = {"anger": True, "anxiety": True, "patience": False, "trust": False}
LEVELS = ((0.75, "level-bad"), (0.5, "level-warn"), (0.25, "level-fair"), (0.0, "level-good"))


def order_choices() -> dict[str, Any]:
    """Choices of the 工单 forms, from the 工单 package data (``hotline.workorder.form``): request types,
    urgency levels, reasons for an invalid call, the category tree (levels as data) and the time limits."""
    from hotline.workorder import form

    c = form.choices()
    return {**c, "invalid_reasons": ["", *c["invalid_reasons"]], "category_paths": form.category_paths()}


def mood_level(key: str, value: float) -> str:
    """The CSS class of a mood value: how bad it is for the call, on one scale for all four moods."""
    badness = value if WORSE_WHEN_HIGH[key] else 1.0 - value
    return next(cls for floor, cls in LEVELS if badness >= floor)


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


def mood_rows(mood: dict[str, float]) -> list[tuple[str, str, float, str, str]]:
    """(key, label, value, colour, level class) per mood, for the live bars."""
    return [(key, MOOD_LABELS[key], round(mood.get(key, 0.0), 2), MOOD_COLOURS[key], mood_level(key, mood.get(key, 0.0)))
            for key in MOOD_LABELS]


def order_from_form(form: Any) -> dict[str, Any]:
    """The posted 工单 fields; the category from the cascading selects (category_1, _2, _3 …) or one text box."""
    from hotline.workorder.form import FIELDS

    out: dict[str, Any] = {}
    for name in FIELDS:
        value = form.get(name)
        out[name] = value.strip() if isinstance(value, str) else ""
    levels = [form.get(f"category_{i}") for i in range(1, 10)]
    path = [v.strip() for v in levels if isinstance(v, str) and v.strip()]
    if path:
        out["category"] = " › ".join(path)
    return out


def suggestion(session: Any) -> dict[str, str]:
    """The 工单 the extraction and classification of ``hotline.workorder`` propose for this call, per field."""
    from hotline.workorder.form import suggest

    return suggest(session.call())


def curve_chart(curve: list[dict[str, Any]]) -> dict[str, Any]:
    return {"turns": [p["turn"] for p in curve], "series": [
        {"name": label, "key": key, "colour": MOOD_COLOURS[key], "data": [round(p.get(key, 0.0), 3) for p in curve]}
        for key, label in MOOD_LABELS.items()
    ]}


HIDDEN = "（考核结束后公布）"


def hidden_answers(debrief: dict[str, Any]) -> dict[str, Any]:
    """A debrief without the scenario's answers (an exam that is still open): the facts the trainee missed
    keep their name and the question to ask, the 工单 checks keep ✔/✘ but not the standard answer."""
    out = dict(debrief)
    out["missed"] = [{**m, "value": HIDDEN} for m in debrief.get("missed", [])]
    if debrief.get("order_checks") is not None:
        out["order_checks"] = [{**c, "expected": HIDDEN} for c in debrief["order_checks"]]
    card = dict(debrief["scorecard"])
    # the 工单 rules quote what the order should have said (应为…): kept for after the exam
    card["findings"] = [f if f.get("dimension") != "工单" else
                        {**f, "evidence": HIDDEN, "message": f.get("message", "").split("，应为")[0]}
                        for f in card.get("findings", [])]
    out["scorecard"] = card
    return out
