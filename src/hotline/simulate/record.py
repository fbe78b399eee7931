"""What a drill leaves behind: its trace, turn by turn, and the record the debrief is built from.

The session writes these; the debrief reads them. Neither module imports the other's session logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotline.model import Call, WorkOrder
from hotline.simulate.schema import Scenario


@dataclass(slots=True)
class TraceEntry:
    """One trainee turn: what was detected, how the mood moved, what the citizen answered."""

    turn_index: int | None
    text: str
    acts: list[str]
    asked: list[str]
    causes: list[dict[str, Any]]
    revealed: list[str]
    mood_before: dict[str, float]
    mood_after: dict[str, float]
    reply: str
    end: str | None = None
    hints: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class DrillRecord:
    """A drill as the debrief needs it: the scenario, the call (with its goals), the trace, the facts the
    citizen gave, the mood at the end and the 工单 the trainee wrote (None: no 工单)."""

    scenario: Scenario
    seed: int
    outcome: str | None
    call: Call
    trace: list[TraceEntry]
    revealed: list[str]
    mood: dict[str, float]
    order: WorkOrder | None = None
