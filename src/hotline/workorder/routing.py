"""Routing: category [+ district] → responsible department, and the handling deadline by urgency,
request type and category (data: routing.yaml, edited per city)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hotline.workorder.schema import Route, RoutingTable, TimeLimit, load_routing


def _prefix_len(prefix: list[str], path: list[str]) -> int:
    """Length of ``prefix`` when it is a prefix of ``path``, else -1."""
    return len(prefix) if path[: len(prefix)] == prefix else -1


def find_route(category: list[str], district: str = "", table: RoutingTable | None = None) -> Route | None:
    """The most specific route: longest category prefix, a district-specific one before a general one."""
    table = table or load_routing()
    best: tuple[int, int] = (-1, -1)
    found: Route | None = None
    for route in table.routes:
        n = _prefix_len(route.category, category)
        if n < 0 or (route.district and route.district != district):
            continue
        key = (n, 1 if route.district else 0)
        if key > best:
            best, found = key, route
    return found


def department_for(category: list[str], district: str = "", table: RoutingTable | None = None) -> str:
    """Responsible department for a category path in a district."""
    table = table or load_routing()
    route = find_route(category, district, table)
    if route is None:
        return table.default_department
    if "{district}" in route.department:
        return route.department.format(district=district) if district else (route.fallback or table.default_department)
    return route.department


def time_limit(request_type: str, urgency: str, category: list[str], table: RoutingTable | None = None) -> TimeLimit:
    """The first time-limit rule that matches."""
    table = table or load_routing()
    for rule in table.time_limits:
        if rule.urgency and rule.urgency != urgency:
            continue
        if rule.request_type and rule.request_type != request_type:
            continue
        if rule.category and _prefix_len(rule.category, category) < 0:
            continue
        return rule
    return table.time_limits[-1]


def describe_limit(rule: TimeLimit) -> str:
    if rule.hours is not None:
        return f"{rule.hours:g} 小时内"
    return f"{rule.working_days} 个工作日内"


def deadline(start: datetime, rule: TimeLimit, table: RoutingTable | None = None) -> datetime:
    """When handling is due: hours on the clock, or working days skipping weekends and holidays."""
    table = table or load_routing()
    if rule.hours is not None:
        return start + timedelta(hours=rule.hours)
    day, left = start, rule.working_days or 0
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day.date(), table):
            left -= 1
    return day.replace(hour=17, minute=30, second=0, microsecond=0)


def is_working_day(day: date, table: RoutingTable) -> bool:
    if day in table.workdays:
        return True
    return day.weekday() < 5 and day not in table.holidays
