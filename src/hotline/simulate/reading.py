"""Reading a trainee's turn: the inspection engine's detectors plus the scenario's slot questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from hotline.model import Call, Scorecard, Speaker, WorkOrder
from hotline.simulate.schema import Scenario


class Engine(Protocol):
    """The part of ``hotline.inspect`` a drill uses (the default engine, or a test double)."""

    def acts(self, text: str, speaker: Speaker = Speaker.AGENT) -> set[str]: ...

    def inspect(self, call: Call, work_order: WorkOrder | None = None, *, partial: bool = False) -> Scorecard: ...

    def rule(self, rule_id: str) -> Any: ...

    def rule_ids(self) -> list[str]: ...

    def detector_names(self) -> list[str]: ...


@dataclass(slots=True)
class TurnReading:
    text: str
    acts: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)
    silence: bool = False


def read_turn(text: str, scenario: Scenario, engine: Engine) -> TurnReading:
    """Which detectors fire on the trainee's words and which of the scenario's facts they ask for."""
    text = text.strip()
    if not text:
        return TurnReading(text="", silence=True)
    acts = set(engine.acts(text, speaker=Speaker.AGENT))
    return TurnReading(text=text, acts=acts, asked=asked_slots(text, acts, scenario))


def asked_slots(text: str, acts: set[str], scenario: Scenario) -> list[str]:
    """The facts a turn asks for. A generic slot (事情经过) counts only when the turn asks for no
    other fact: 请问一共拖欠了您多少工资 asks the amount, not the whole story again."""
    out = []
    for key, slot in scenario.slots.items():
        if acts.intersection(slot.asked_by) or any(k in text for k in slot.keywords):
            out.append(key)
    specific = [k for k in out if not scenario.slots[k].generic]
    return specific or out
