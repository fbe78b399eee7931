"""Targeted practice: the scenarios that exercise a trainee's weak rules."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotline.model import Scorecard
from hotline.simulate.errors import SimulateError
from hotline.simulate.library import ScenarioLibrary
from hotline.simulate.schema import Scenario


@dataclass(slots=True)
class Pick:
    scenario: Scenario
    rules: list[str]
    score: float


def weak_rules(cards: Iterable[Scorecard]) -> list[str]:
    """Rule ids that failed in these scorecards (drills or real-call QA), most frequent first."""
    return _ranked(
        {o.rule_id for o in c.outcomes if o.status == "failed"} | {f.rule_id for f in c.findings} for c in cards
    )


def weak_rules_from_records(records: Iterable[dict[str, Any]]) -> list[str]:
    """The same from JSON records: ``hotline inspect --format json/jsonl`` output or drill debriefs."""
    sets = []
    for rec in records:
        card = rec.get("scorecard", rec)
        failed = {o["rule_id"] for o in card.get("outcomes", []) if o.get("status") == "failed"}
        sets.append(failed | {f["rule_id"] for f in card.get("findings", [])})
    return _ranked(sets)


def _ranked(sets: Iterable[set[str]]) -> list[str]:
    counts: Counter[str] = Counter()
    for failed in sets:
        counts.update(failed)
    return [rule for rule, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def read_score_records(path: Path) -> list[dict[str, Any]]:
    """Scorecard records from a JSON file (one object or a list) or a JSONL file (one per line)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise SimulateError("无法读取评分结果文件（不存在或不是 UTF-8）", source=str(path)) from exc
    try:
        if path.suffix == ".jsonl":
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            data = json.loads(text)
            records = data if isinstance(data, list) else [data]
    except json.JSONDecodeError as exc:
        raise SimulateError(f"JSON 格式错误：{exc.msg}", source=str(path), location=f"第 {exc.lineno} 行") from None
    if not all(isinstance(r, dict) for r in records):
        raise SimulateError("每条记录应是一个评分表对象", source=str(path))
    return records


def pick_scenarios(weak: list[str], library: ScenarioLibrary, limit: int = 5, exclude: Iterable[str] = ()) -> list[Pick]:
    """Scenarios ranked by how many (and how high-ranked) of the weak rules they exercise; easier first on ties."""
    rank = {rule: len(weak) - i for i, rule in enumerate(dict.fromkeys(weak))}
    skip = set(exclude)
    picks = []
    for sc in library.scenarios.values():
        hit = [r for r in sc.norms if r in rank]
        if hit and sc.id not in skip:
            picks.append(Pick(sc, hit, float(sum(rank[r] for r in hit))))
    picks.sort(key=lambda p: (-p.score, p.scenario.difficulty, p.scenario.id))
    return picks[:limit]
