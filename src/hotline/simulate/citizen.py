"""The simulated citizen's state and how a trainee's turn moves it (rules come from the data)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from hotline.simulate.reading import TurnReading
from hotline.simulate.schema import Effects, Grade, PersonaDefaults, Scenario, Trigger

MOOD_KEYS = ("anger", "anxiety", "patience", "trust")


@dataclass(slots=True)
class CitizenState:
    """Everything the citizen remembers; plain data so a session can be saved as JSON."""

    anger: float
    anxiety: float
    patience: float
    trust: float
    revealed: list[str] = field(default_factory=list)
    act_counts: dict[str, int] = field(default_factory=dict)
    trigger_counts: dict[str, int] = field(default_factory=dict)
    used_lines: list[str] = field(default_factory=list)
    turns: int = 0
    silences: int = 0
    supervisor_asked: bool = False
    ended: bool = False
    outcome: str | None = None

    @classmethod
    def initial(cls, scenario: Scenario) -> CitizenState:
        m = scenario.mood
        return cls(anger=m.anger, anxiety=m.anxiety, patience=m.patience, trust=m.trust)

    def mood(self) -> dict[str, float]:
        return {k: round(getattr(self, k), 3) for k in MOOD_KEYS}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CitizenState:
        return cls(**data)


@dataclass(slots=True)
class Cause:
    """One reason the mood moved: a detector name, a pseudo-act, or ``trigger:<id>``."""

    name: str
    delta: dict[str, float]


@dataclass(slots=True)
class Step:
    """What one trainee turn did to the citizen; the responder turns it into words."""

    causes: list[Cause] = field(default_factory=list)
    revealed: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    guarded: list[str] = field(default_factory=list)
    reactions: list[tuple[str, int]] = field(default_factory=list)
    opening: bool = False
    silence: bool = False
    supervisor: bool = False
    closing: bool = False
    anything_else: bool = False
    restated: bool = False
    vague: bool = False
    end: str | None = None
    trigger_end: bool = False


class Citizen:
    """Applies the persona defaults and the scenario's rules to the state, one trainee turn at a time."""

    def __init__(self, scenario: Scenario, defaults: PersonaDefaults):
        self.scenario = scenario
        self.defaults = defaults
        self.weights = defaults.colours[scenario.persona.colour or "绿"].weights
        self.effects: dict[str, Effects] = {**defaults.effects, **scenario.effects}
        self.triggers = merged_triggers(scenario, defaults)

    def react(self, state: CitizenState, reading: TurnReading) -> Step:
        step = Step(opening=state.turns == 0 and not reading.silence)
        state.turns += 1
        if reading.silence:
            self._silence(state, step)
        else:
            self._acts(state, reading, step)
            self._slots(state, reading, step)
            self._pace(state, reading, step)
            self._triggers(state, reading, step)
        self._thresholds(state, step)
        return step

    def _apply(self, state: CitizenState, step: Step, name: str, base: Effects, scale: float = 1.0) -> None:
        w = self.weights.get(name, 1.0) * scale
        delta: dict[str, float] = {}
        for key, value in base.items():
            old = getattr(state, key)
            new = min(1.0, max(0.0, old + value * w))
            setattr(state, key, new)
            if new != old:
                delta[key] = round(new - old, 3)
        if delta:
            step.causes.append(Cause(name, delta))

    def _silence(self, state: CitizenState, step: Step) -> None:
        state.silences += 1
        step.silence = True
        self._apply(state, step, "silence", self.effects.get("silence", {}))

    def _acts(self, state: CitizenState, reading: TurnReading, step: Step) -> None:
        for act in sorted(reading.acts):
            n = state.act_counts.get(act, 0)
            state.act_counts[act] = n + 1
            if act in self.effects:
                scale = self.defaults.decay**n if act in self.defaults.decaying else 1.0
                self._apply(state, step, act, self.effects[act], scale)
        self._apply(state, step, "turn", self.effects.get("turn", {}))
        step.closing = "goodbye" in reading.acts
        step.anything_else = "anything_else" in reading.acts
        step.restated = "restate" in reading.acts
        progress = reading.acts.intersection(self.defaults.progress_acts) or reading.asked
        if not progress:
            step.vague = True
            self._apply(state, step, "no_progress", self.effects.get("no_progress", {}))

    def _slots(self, state: CitizenState, reading: TurnReading, step: Step) -> None:
        # a goodbye is not a question: 祝孩子考试顺利，再见 does not ask about the child again
        questions = [] if step.closing else list(reading.asked)
        asked = list(questions)
        if step.opening:
            asked = [k for k, s in self.scenario.slots.items() if s.volunteered] + asked
        if step.anything_else:
            asked += [k for k, s in self.scenario.slots.items() if s.hidden and k not in asked]
        for key in dict.fromkeys(asked):
            slot = self.scenario.slots[key]
            if key in state.revealed:
                if key in questions and not step.restated:
                    step.repeated.append(key)
            elif slot.hidden and state.trust < slot.min_trust:
                if key in questions:
                    step.guarded.append(key)
            else:
                state.revealed.append(key)
                step.revealed.append(key)
        if step.repeated:
            self._apply(state, step, "repeat_question", self.effects.get("repeat_question", {}))

    def _pace(self, state: CitizenState, reading: TurnReading, step: Step) -> None:
        limit = self.scenario.persona.max_agent_chars
        if limit and len(reading.text) > limit:
            self._apply(state, step, "too_long", self.effects.get("too_long", {}))

    def _triggers(self, state: CitizenState, reading: TurnReading, step: Step) -> None:
        for trig in self.triggers:
            if not (reading.acts.intersection(trig.acts) or any(k in reading.text for k in trig.keywords)):
                continue
            n = state.trigger_counts.get(trig.id, 0) + 1
            state.trigger_counts[trig.id] = n
            grade = grade_for(trig, n)
            step.reactions.append((trig.id, min(n, len(trig.grades)) - 1))
            self._apply(state, step, f"trigger:{trig.id}", grade.effects)
            if grade.end and not step.end:
                step.end = grade.end
                step.trigger_end = True

    def _thresholds(self, state: CitizenState, step: Step) -> None:
        th = self.defaults.thresholds
        if not step.end and step.closing:
            step.end = "resolved" if self.satisfied(state) else "unsatisfied"
        if not step.end and (state.patience <= 0.0 or state.turns >= th.max_turns or state.silences >= 3):
            step.end = "hangup"
        if not step.end and state.anger >= th.supervisor_anger and not state.supervisor_asked:
            state.supervisor_asked = step.supervisor = True
        if step.end:
            state.ended = True
            state.outcome = step.end

    def satisfied(self, state: CitizenState) -> bool:
        th = self.defaults.thresholds
        return state.anger <= th.satisfied_anger and state.trust >= th.satisfied_trust


def grade_for(trigger: Trigger, count: int) -> Grade:
    return trigger.grades[min(count, len(trigger.grades)) - 1]


def merged_triggers(scenario: Scenario, defaults: PersonaDefaults) -> list[Trigger]:
    """Default triggers (a scenario's trigger with the same id replaces one), then the scenario's own."""
    own = {t.id: t for t in scenario.triggers}
    out = [own.pop(t.id, t) for t in defaults.triggers]
    return out + list(own.values())
