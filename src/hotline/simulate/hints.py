"""Live hints on the trainee's latest turn, computed before the citizen answers.

A hint is a finding of the engine (``inspect(partial=True)``) or a reaction the trainee still owes: every
一票否决 rule whose window is open and every rule whose window closes with the next turn. Each is shown once,
with the rule's better wording."""

from __future__ import annotations

from typing import Any

from hotline.model import Pending, Scorecard
from hotline.simulate.reading import Engine

CLOSING = 1  # agent turns left when a window counts as closing


class Hints:
    def __init__(self, engine: Engine, seen: list[str]):
        self.engine = engine
        self.seen = seen  # keys already shown in this drill (saved with the session)

    def new(self, card: Scorecard, turn: int) -> list[dict[str, Any]]:
        out = []
        for f in card.findings:
            if f.turn_index is not None and self._first(f"{f.rule_id}@{f.turn_index}"):
                out.append({**f.to_dict(), "kind": "finding"})
        for p in card.pending:
            rule = self.engine.rule(p.rule_id)
            owed = rule.veto or p.turns_left <= CLOSING
            if owed and self._first(f"{p.rule_id}@{p.anchor if p.anchor is not None else turn}"):
                out.append(self._owed(p, rule, turn))
        return out

    def _first(self, key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.append(key)
        return True

    @staticmethod
    def _owed(p: Pending, rule: Any, turn: int) -> dict[str, Any]:
        when = "下一句" if p.turns_left <= CLOSING else f"接下来 {p.turns_left} 句内"
        veto = "（一票否决）" if rule.veto else ""
        message = f"{rule.title}{veto}：市民说了「{p.evidence}」，请在{when}做到"
        return {"rule_id": rule.id, "dimension": rule.dimension, "severity": rule.severity.value, "turn_index": turn,
                "span": None, "evidence": p.evidence, "message": message, "suggestion": rule.suggestion,
                "points": rule.points, "veto": rule.veto, "layer": "", "confidence": None, "kind": "owed",
                "turns_left": p.turns_left}
