"""A fact said in a call (value, turn, span) and the call's own date, shared by the extractors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hotline.model import Call, Speaker


@dataclass(slots=True)
class Fact:
    """One value said in the call: ``call.turns[turn_index].text[span[0]:span[1]]`` is ``said``."""

    name: str
    value: str
    turn_index: int
    span: tuple[int, int]
    said: str
    speaker: Speaker = Speaker.CITIZEN
    extra: dict[str, Any] = field(default_factory=dict)


def call_time(call: Call) -> datetime | None:
    """When the call took place, from ``call.meta`` (date/time/start_time/started_at)."""
    for key in ("started_at", "start_time", "datetime", "time", "date"):
        raw = call.meta.get(key)
        if isinstance(raw, datetime):
            return raw
        if isinstance(raw, date):  # a date read from YAML/JSON without a time
            return datetime(raw.year, raw.month, raw.day, 12, 0)
        if isinstance(raw, str) and raw.strip():
            try:
                return datetime.fromisoformat(raw.strip().replace("/", "-").replace("T", " ")[:19])
            except ValueError:
                continue
    return None


def turn_order(call: Call) -> list[int]:
    """Citizen turns first (what they said), then agent turns (confirmations)."""
    return call.citizen_turn_indexes() + call.agent_turn_indexes()
