"""Adaptive practice: draw questions weighted toward the trainee's weak topics and toward the
rules they failed in drills or real-call QA. Pure: the caller supplies the history."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotline.curriculum.loader import CurriculumError
from hotline.curriculum.schema import Question

BASE_WEIGHT = 1.0
TOPIC_WEIGHT = 3.0  # a topic answered 0% right weighs 1 + 3 = 4 times an unknown one
RULE_WEIGHT = 2.0  # per log2(1 + times failed) of a rule the question trains
TOPIC_RULE_WEIGHT = 0.5  # same, for a question of a topic whose lesson teaches that rule


@dataclass(slots=True)
class History:
    """What is known of a trainee: per-topic (right, answered) and failed rule ids with counts."""

    topic_scores: Mapping[str, tuple[int, int]]
    failed_rules: Mapping[str, int]


def weight(q: Question, history: History, topic_rules: Mapping[str, set[str]]) -> float:
    """Sampling weight of one question (1.0 when nothing is known)."""
    w = BASE_WEIGHT
    right, total = history.topic_scores.get(q.topic, (0, 0))
    if total:
        w += TOPIC_WEIGHT * (1.0 - right / total)
    for rule, count in history.failed_rules.items():
        strength = math.log2(1 + max(count, 0))
        if rule in q.rules:
            w += RULE_WEIGHT * strength
        elif rule in topic_rules.get(q.topic, set()):
            w += TOPIC_RULE_WEIGHT * strength
    return w


def pick(
    bank: Sequence[Question],
    history: History,
    topic_rules: Mapping[str, set[str]],
    count: int,
    seed: int = 0,
) -> list[Question]:
    """Weighted sampling without replacement (Efraimidis–Spirakis keys), reproducible by seed."""
    rng = random.Random(seed)
    keyed = []
    for q in sorted(bank, key=lambda x: x.id):
        w = weight(q, history, topic_rules)
        keyed.append((rng.random() ** (1.0 / w), q))
    keyed.sort(key=lambda kv: kv[0], reverse=True)
    return [q for _, q in keyed[:count]]


def parse_rule_counts(items: Sequence[str]) -> dict[str, int]:
    """['forbidden.phrase.v1=3', 'listen.restate.v1'] → {'forbidden.phrase.v1': 3, 'listen.restate.v1': 1}."""
    out: dict[str, int] = {}
    for item in items:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            rule, _, n = part.partition("=")
            if n and not n.strip().isdigit():
                raise CurriculumError(f"次数必须是整数：{part!r}（写法：规则编号=次数）")
            out[rule.strip()] = out.get(rule.strip(), 0) + (int(n) if n else 1)
    return out


def parse_topic_scores(items: Sequence[str], topics: set[str]) -> dict[str, tuple[int, int]]:
    """['taboo=3/10'] → {'taboo': (3, 10)}; unknown topics and malformed items are errors."""
    out: dict[str, tuple[int, int]] = {}
    for item in items:
        topic, _, score = item.partition("=")
        right, _, total = score.partition("/")
        if topic not in topics:
            raise CurriculumError(f"没有课程 {topic!r}（写法：课程编号=答对/题数）")
        if not (right.isdigit() and total.isdigit()) or int(total) == 0 or int(right) > int(total):
            raise CurriculumError(f"正确率写法不对：{item!r}（应为 课程编号=答对/题数，如 taboo=3/10）")
        out[topic] = (int(right), int(total))
    return out


def rules_from_report(path: Path) -> dict[str, int]:
    """Count failed rules in a QA result file (JSON list / object, or JSONL of scorecards)."""
    return dict(history_from_file(path).failed_rules)


def history_from_file(path: Path) -> History:
    """Read scorecards (``hotline inspect`` JSON/JSONL: a rule counts once per call) and exam results
    (``hotline learn exam --json``: failed rules and per-topic scores) into one history."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        records = _records(text)
    except json.JSONDecodeError as exc:
        raise CurriculumError(f"不是有效的 JSON：{exc.msg}", source=str(path),
                              location=f"第 {exc.lineno} 行") from None
    counts: dict[str, int] = {}
    topics: dict[str, tuple[int, int]] = {}
    for rec in records:
        if not isinstance(rec, dict):
            continue
        failed = {o["rule_id"]: 1 for o in rec.get("outcomes", []) if o.get("status") == "failed"}
        failed.update({f["rule_id"]: 1 for f in rec.get("findings", []) if "rule_id" in f})
        failed.update(rec.get("failed_rules", {}))
        for rule, n in failed.items():
            counts[rule] = counts.get(rule, 0) + int(n)
        for topic, (right, total) in rec.get("by_topic", {}).items():
            r0, t0 = topics.get(topic, (0, 0))
            topics[topic] = (r0 + int(right), t0 + int(total))
    return History(topics, counts)


def _records(text: str) -> list[Any]:
    stripped = text.strip()
    if not stripped:
        return []
    if stripped[0] == "[":
        return list(json.loads(stripped))
    lines = [ln for ln in stripped.splitlines() if ln.strip()]
    if len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines):
        return [json.loads(ln) for ln in lines]
    return [json.loads(stripped)]
