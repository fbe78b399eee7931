"""Times are stored in UTC (naive) and every page, export and certificate shows them in Beijing
time (Asia/Shanghai, UTC+8 all year: China keeps no daylight saving time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "北京时间")


def beijing(value: datetime | None) -> datetime | None:
    """A stored UTC time as Beijing time (naive values are UTC)."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING)


def bj(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Beijing time as text ("—" when absent); the template filter ``bj``."""
    shown = beijing(value)
    return shown.strftime(fmt) if shown else "—"


def bj_date(value: datetime | None) -> date | None:
    shown = beijing(value)
    return shown.date() if shown else None


def beijing_day_start_utc(day: date) -> datetime:
    """The UTC instant (naive) when ``day`` begins in Beijing: for filtering stored times by date."""
    return datetime(day.year, day.month, day.day, tzinfo=BEIJING).astimezone(UTC).replace(tzinfo=None)
