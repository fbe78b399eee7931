"""What a call's free-form meta says about who took it and when, read the same way by every writer
and by the store: telephony systems name these fields differently (工号, agent_code, start_time…)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

AGENT_KEYS = ("agent_id", "agent_code", "agent", "工号", "坐席工号")
CALLER_KEYS = ("caller_phone", "caller", "phone", "ani", "来电号码", "主叫号码")
DATE_KEYS = ("date", "call_date", "start_time", "started_at", "time", "日期", "通话日期")


def agent_code_of(meta: dict[str, Any]) -> str:
    for key in AGENT_KEYS:
        value = meta.get(key)
        if value not in (None, ""):
            return str(value).strip()[:32]
    return ""


def date_of(meta: dict[str, Any]) -> date | None:
    for key in DATE_KEYS:
        value = meta.get(key)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and len(value) >= 10:
            try:
                return date.fromisoformat(value[:10].replace("/", "-"))
            except ValueError:
                continue
    return None
