"""Arithmetic on time intervals: sorted lists of ``(start, end)`` seconds that do not overlap."""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[float, float]


def normalize(items: Iterable[Interval]) -> list[Interval]:
    """Sort, drop empty intervals and join the ones that overlap or touch."""
    out: list[Interval] = []
    for start, end in sorted((s, e) for s, e in items if e > s):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def total(items: Iterable[Interval]) -> float:
    return sum(e - s for s, e in items)


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Intersection of two normalized lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if end > start:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def union(*lists: list[Interval]) -> list[Interval]:
    return normalize(x for items in lists for x in items)


def gaps(items: list[Interval], start: float | None = None, end: float | None = None) -> list[Interval]:
    """Silences between the intervals of a normalized list, optionally also before/after them."""
    out: list[Interval] = []
    cursor = items[0][1] if start is None and items else start
    for s, e in items:
        if cursor is not None and s > cursor:
            out.append((cursor, s))
        cursor = e if cursor is None else max(cursor, e)
    if end is not None and cursor is not None and end > cursor:
        out.append((cursor, end))
    return out


def merge_close(
    items: list[Interval], max_gap: float, blockers: list[Interval] | None = None
) -> list[Interval]:
    """Join neighbours closer than ``max_gap`` unless a blocker interval falls in the gap between them."""
    out: list[Interval] = []
    for s, e in items:
        if out and s - out[-1][1] < max_gap and not intersect([(out[-1][1], s)], blockers or []):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def overlap(a: Interval, b: Interval) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
