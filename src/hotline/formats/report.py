"""The HTML report: an overview, then each transcript with findings highlighted at their spans,
and its scorecard. Self-contained (inline CSS, no scripts from the internet)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotline import __version__
from hotline.formats.roles import role_warning
from hotline.labels import REVIEW_LABELS, SEVERITY_LABELS, SEVERITY_RANK
from hotline.model import Call, Finding, Scorecard, Speaker


@dataclass
class Segment:
    """A piece of a turn's text, the findings covering it, and the findings that end here (their
    ``[n]`` marker is shown once, after the last piece of the finding's span)."""

    text: str
    findings: list[int] = field(default_factory=list)
    markers: list[int] = field(default_factory=list)


def segments(text: str, spans: list[tuple[int, tuple[int, int]]]) -> list[Segment]:
    """Split ``text`` at every span boundary; each piece lists the findings covering it."""
    cuts = sorted({0, len(text), *(p for _, (s, e) in spans for p in (s, e) if 0 <= p <= len(text))})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [i for i, (s, e) in spans if s <= a and b <= e and s < e]
        ending = [i for i, (s, e) in spans if s <= a and min(len(text), e) == b and s < e]
        out.append(Segment(text[a:b], covering, ending))
    return out


def _turn_views(call: Call, card: Scorecard) -> list[dict[str, Any]]:
    mood: dict[int, float] = {}
    if card.citizen is not None:
        mood = {t: max(a, x) for (t, a), (_, x) in zip(card.citizen.anger, card.citizen.anxiety, strict=True)}
    drivers = set(card.citizen.drivers) if card.citizen is not None else set()
    by_turn: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for i, f in enumerate(card.findings):
        if f.turn_index is not None and f.span is not None:
            by_turn.setdefault(f.turn_index, []).append((i, f.span))
    views = []
    for t_index, turn in enumerate(call.turns):
        times = ""
        if turn.start is not None and turn.end is not None:
            times = f"{_clock(turn.start)}–{_clock(turn.end)}"
        views.append({
            "index": t_index + 1,
            "speaker": "坐席" if turn.speaker is Speaker.AGENT else "市民",
            "agent": turn.speaker is Speaker.AGENT,
            "times": times,
            "segments": segments(turn.text or "（无声）", by_turn.get(t_index, [])),
            "mood": mood.get(t_index),
            "driver": t_index in drivers,
        })
    return views


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60):02d}:{seconds % 60:04.1f}"


def _severity_of(f: Finding) -> str:
    return f.severity.value


def _worst(findings: list[Finding], indexes: list[int]) -> str:
    return max((findings[i].severity.value for i in indexes), key=SEVERITY_RANK.__getitem__)


def build_context(pairs: list[tuple[Call, Scorecard]], titles: dict[str, str], pass_mark: float) -> dict[str, Any]:
    totals = [card.total for _, card in pairs if card.total is not None]
    rule_counts = Counter(f.rule_id for _, card in pairs for f in card.findings)
    buckets = Counter(min(int(t // 10), 9) for t in totals)
    calls = []
    for call, card in pairs:
        calls.append({
            "call": call,
            "card": card,
            "turns": _turn_views(call, card),
            "dims": [(d, card.dimensions.get(d), m) for d, m in card.max_dimensions.items()],
            "passed": card.total is not None and card.total >= pass_mark and not card.vetoed,
            "deductions": card.deductions(),
            "role_warning": role_warning(call),
        })
    scored = [c for c, (_, card) in zip(calls, pairs, strict=True) if card.total is not None]
    return {
        "version": __version__,
        "calls": calls,
        "count": len(pairs),
        "scored": len(scored),
        "average": round(sum(totals) / len(totals), 1) if totals else "—",
        "pass_rate": round(100 * sum(1 for c in scored if c["passed"]) / len(scored), 1) if scored else "—",
        "vetoed": sum(1 for _, card in pairs if card.vetoed),
        "triage": [(REVIEW_LABELS[level], n) for level, n in
                   sorted(Counter(card.review.level for _, card in pairs if card.review).items(),
                          key=lambda kv: list(REVIEW_LABELS).index(kv[0]))],
        "review_labels": REVIEW_LABELS,
        "pass_mark": pass_mark,
        "histogram": [(f"{b * 10}–{b * 10 + 9 if b < 9 else 100}", buckets.get(b, 0)) for b in range(10)],
        "hist_max": max(buckets.values()) if buckets else 1,
        "top_rules": [(r, titles.get(r, r), n) for r, n in rule_counts.most_common(15)],
        "titles": titles,
        "severity_labels": SEVERITY_LABELS,
        "rulebook_version": pairs[0][1].rulebook_version if pairs else "",
    }


def render_html(pairs: Iterable[tuple[Call, Scorecard]], titles: dict[str, str], pass_mark: float = 80) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from hotline.content import data_path

    env = Environment(loader=FileSystemLoader(str(data_path("templates"))), autoescape=select_autoescape())
    env.filters["sev"] = _severity_of
    env.globals["worst"] = _worst
    return env.get_template("report.html").render(**build_context(list(pairs), titles, pass_mark))


def write_html(pairs: Iterable[tuple[Call, Scorecard]], path: Path, titles: dict[str, str],
               pass_mark: float = 80) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(pairs, titles, pass_mark), encoding="utf-8")
