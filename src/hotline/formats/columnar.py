"""The columnar datasets of an inspection run, shared by the local Parquet writer (pyarrow) and the
Spark job: ``scorecards`` (one row a call), ``findings`` (one row a finding) and ``rejected`` (one row
a record that could not be read, with its file, place and reason). Both are partitioned by the call's
date (``date=YYYY-MM-DD``; a call without a date goes to the null partition).

Rows are plain dicts of Python values, so the same functions feed pyarrow and Spark. The scorecard
columns follow ``Scorecard.to_dict``: every key it has is a column here (nested blocks such as the
citizen block as JSON text), or is listed in ``ELSEWHERE``; the finding columns likewise follow
``Finding.to_dict``; tests keep them in step. The review level, predicted dissatisfaction and escalation
risk are plain columns as well, so the data platform can select calls for review in SQL."""

from __future__ import annotations

import json
from typing import Any

from hotline.errors import HotlineError
from hotline.formats.callmeta import agent_code_of, date_of
from hotline.labels import SPEAKER_LABELS
from hotline.model import Call, Scorecard

# column types: a small vocabulary that maps onto both pyarrow and Spark SQL types
STRING, DOUBLE, LONG, BOOL, SCORES = "string", "double", "long", "bool", "map<string,double>"

SCORECARD_COLUMNS: list[tuple[str, str]] = [
    ("call_id", STRING), ("agent_id", STRING), ("total", DOUBLE), ("verdict", STRING), ("vetoed", BOOL),
    ("scope", STRING), ("notice", STRING), ("dimensions", SCORES), ("max_dimensions", SCORES),
    ("findings", LONG), ("deduction", DOUBLE), ("rulebook_version", STRING), ("outcomes", STRING),
    ("citizen", STRING), ("review", STRING), ("review_level", STRING), ("dissatisfaction", DOUBLE),
    ("escalation_risk", DOUBLE), ("date", STRING),
]
FINDING_COLUMNS: list[tuple[str, str]] = [
    ("call_id", STRING), ("seq", LONG), ("rule_id", STRING), ("title", STRING), ("dimension", STRING),
    ("severity", STRING), ("deduction", DOUBLE), ("points", DOUBLE), ("veto", BOOL), ("turn", LONG),
    ("speaker", STRING), ("span_start", LONG), ("span_end", LONG), ("evidence", STRING), ("message", STRING),
    ("suggestion", STRING), ("layer", STRING), ("confidence", DOUBLE), ("threshold", DOUBLE), ("agent_id", STRING),
    ("date", STRING),
]
REJECTED_COLUMNS: list[tuple[str, str]] = [
    ("source", STRING), ("location", STRING), ("code", STRING), ("reason", STRING),
]
DATASETS = {"scorecards": SCORECARD_COLUMNS, "findings": FINDING_COLUMNS, "rejected": REJECTED_COLUMNS}
PARTITION = "date"
# Scorecard.to_dict keys kept as JSON text: blocks whose inner shape belongs to their own issue/module
JSON_BLOCKS = ("outcomes", "citizen", "review")
# Scorecard.to_dict keys that are not scorecard columns, and where they are instead
ELSEWHERE = {"findings": "the findings dataset (the scorecard keeps their count)"}
# Finding.to_dict keys whose finding columns have other names (a turn counted from 1, the span in two)
FINDING_RENAMED = {"turn_index": ("turn",), "span": ("span_start", "span_end")}


def verdict(card: Scorecard, pass_mark: float) -> str:
    if card.vetoed:
        return "一票否决"
    if card.total is None:
        return "仅时间指标"
    return "合格" if card.total >= pass_mark else "不合格"


def call_date(call: Call) -> str | None:
    day = date_of(call.meta)
    return day.isoformat() if day else None


def scorecard_row(call: Call, card: Scorecard, pass_mark: float) -> dict[str, Any]:
    data = card.to_dict()
    row: dict[str, Any] = {
        "call_id": card.call_id, "agent_id": agent_code_of(call.meta), "verdict": verdict(card, pass_mark),
        "findings": len(card.findings), "deduction": round(sum(card.deductions()), 2),
        "date": call_date(call),
        # the triage and the citizen's mood as plain columns, for SQL on the data platform
        "review_level": card.review.level if card.review else None,
        "dissatisfaction": card.citizen.dissatisfaction if card.citizen else None,
        "escalation_risk": card.citizen.escalation_risk if card.citizen else None,
    }
    for key, value in data.items():
        if key in ELSEWHERE or key in row:
            continue
        if key in JSON_BLOCKS:
            value = None if value in (None, [], {}) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        row[key] = value
    return typed(row, SCORECARD_COLUMNS)


def finding_rows(call: Call, card: Scorecard, titles: dict[str, str]) -> list[dict[str, Any]]:
    day, agent = call_date(call), agent_code_of(call.meta)
    rows = []
    for seq, (f, taken) in enumerate(zip(card.findings, card.deductions(), strict=True), start=1):
        speaker = None
        if f.turn_index is not None and f.turn_index < len(call.turns):
            speaker = SPEAKER_LABELS[call.turns[f.turn_index].speaker.value]
        rows.append(typed({
            "call_id": call.id, "seq": seq, "rule_id": f.rule_id, "title": titles.get(f.rule_id, ""),
            "dimension": f.dimension, "severity": f.severity.value, "deduction": taken, "points": f.points,
            "veto": f.veto, "turn": None if f.turn_index is None else f.turn_index + 1, "speaker": speaker,
            "span_start": f.span[0] if f.span else None, "span_end": f.span[1] if f.span else None,
            "evidence": f.evidence, "message": f.message, "suggestion": f.suggestion, "layer": f.layer,
            "confidence": f.confidence, "threshold": f.threshold, "agent_id": agent, "date": day,
        }, FINDING_COLUMNS))
    return rows


_CASTS = {DOUBLE: float, LONG: int, BOOL: bool, STRING: str}


def typed(row: dict[str, Any], columns: list[tuple[str, str]]) -> dict[str, Any]:
    """``row`` with exactly ``columns``, each value of its column's type (Spark checks them strictly:
    a deduction of 0 must be 0.0), None where there is none."""
    out: dict[str, Any] = {}
    for name, kind in columns:
        value = row.get(name)
        if value is not None:
            if kind == SCORES:
                value = {str(k): float(v) for k, v in value.items()}
            else:
                value = _CASTS[kind](value)
        out[name] = value
    return out


def rejected_row(error: HotlineError) -> dict[str, Any]:
    return {"source": error.source or "", "location": error.location or "", "code": error.code,
            "reason": error.message}

