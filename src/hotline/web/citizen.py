"""The citizen block of a call page: emotion per citizen turn, the trajectory, predicted
dissatisfaction with the turns that drove it, escalation risk with its evidence turns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotline.store.models import Scorecard
from hotline.store.triage import citizen_of


@dataclass(slots=True)
class TurnEmotion:
    anger: float
    anxiety: float
    level: str  # calm | mid | high (the citizen settings' calm_below / upset_from)

    @property
    def strongest(self) -> float:
        return max(self.anger, self.anxiety)


@dataclass(slots=True)
class CitizenView:
    block: Any  # hotline.model.CitizenBlock
    turns: dict[int, TurnEmotion] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)

    @property
    def satisfaction(self) -> float | None:
        d = self.block.dissatisfaction
        return None if d is None else 1 - d


def level_of(value: float) -> str:
    from hotline.citizen import load_settings

    s = load_settings().emotion
    return "high" if value >= s.upset_from else "calm" if value < s.calm_below else "mid"


def citizen_view(card: Scorecard) -> CitizenView | None:
    block = citizen_of(card.citizen)
    if block is None:
        return None
    anxiety = dict(block.anxiety)
    turns = {}
    for turn, anger in block.anger:
        worry = anxiety.get(turn, 0.0)
        turns[turn] = TurnEmotion(anger, worry, level_of(max(anger, worry)))
    for turn, worry in block.anxiety:
        turns.setdefault(turn, TurnEmotion(0.0, worry, level_of(worry)))
    return CitizenView(block, turns, list(dict.fromkeys(k for k, _, _ in block.escalation)))
