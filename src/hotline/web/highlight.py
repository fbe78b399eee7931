"""Cutting a turn's text into segments so findings' spans can be highlighted, overlaps included."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.labels import SEVERITY_RANK
from hotline.store.models import FindingRow


@dataclass(slots=True)
class Segment:
    text: str
    finding_ids: list[int] = field(default_factory=list)
    severity: str = ""


SEVERITY_ORDER = SEVERITY_RANK


def segments(text: str, findings: list[FindingRow]) -> list[Segment]:
    """``text`` split at every span edge; each piece lists the findings that cover it."""
    spans = [
        (max(0, f.span_start), min(len(text), f.span_end), f)
        for f in findings
        if f.span_start is not None and f.span_end is not None and f.span_start < f.span_end
    ]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[Segment] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start >= end:
            continue
        covering = [f for s, e, f in spans if s <= start and end <= e]
        worst = max((f.severity for f in covering), key=lambda s: SEVERITY_ORDER.get(s, 0), default="")
        out.append(Segment(text[start:end], [f.id for f in covering], worst))
    return out or [Segment(text)]


def turn_findings(findings: list[FindingRow]) -> dict[int, list[FindingRow]]:
    by_turn: dict[int, list[FindingRow]] = {}
    for f in findings:
        if f.turn_index is not None:
            by_turn.setdefault(f.turn_index, []).append(f)
    return by_turn
