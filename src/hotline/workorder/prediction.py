"""A classifier's answer: a label, its confidence and the next best alternatives."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Prediction:
    label: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "path": self.path or [self.label],
            "confidence": round(self.confidence, 4),
            "alternatives": [{"label": a, "confidence": round(c, 4)} for a, c in self.alternatives],
            "evidence": self.evidence,
        }


def softmax(scores: dict[str, float], temperature: float = 1.0) -> dict[str, float]:
    """Scores → probabilities (stable softmax)."""
    if not scores:
        return {}
    top = max(scores.values())
    exps = {k: math.exp((v - top) / temperature) for k, v in scores.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


def from_probabilities(probs: dict[str, float], top_k: int = 3) -> Prediction:
    ranked = sorted(probs.items(), key=lambda kv: kv[1], reverse=True)
    label, conf = ranked[0]
    return Prediction(label, conf, ranked[1 : top_k + 1])
