"""The debrief of a drill: the engine's scorecard, the goals met or missed (with the reason), the 工单 against
the scenario, missed facts, the mood curve. It reads the drill's record, never the session."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from hotline.model import Scorecard, WorkOrder
from hotline.simulate.reading import Engine
from hotline.simulate.record import DrillRecord, TraceEntry
from hotline.simulate.schema import ExpectedOrder, PersonaDefaults
from hotline.workorder.expected import FieldCheck, compare_order

MOVE_THRESHOLD = 0.1
MAX_BETTER = 3


OrderCheck = FieldCheck
GOAL_LABELS = {"facts": "问到全部关键事实", "answer": "给出答复或下一步", "department": "告诉市民承办部门",
               "time_limit": "告诉市民办理时限", "order": "工单与标准答案一致", "silent_protocol": "按无声电话流程处置",
               "abuse_protocol": "按骚扰辱骂来电流程处置"}


@dataclass(slots=True)
class GoalCheck:
    """One goal of the scenario: met or not, and why not (the engine's findings on the rules of that goal)."""

    name: str
    label: str
    ok: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class MissedFact:
    key: str
    label: str
    value: str
    example: str


@dataclass(slots=True)
class MoodMove:
    """A turn that moved the citizen's mood noticeably, and what would have worked better."""

    turn_index: int | None
    text: str
    direction: str
    causes: list[str]
    delta: dict[str, float]
    better: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Debrief:
    scenario_id: str
    title: str
    seed: int
    outcome: str | None
    outcome_label: str
    scorecard: Scorecard
    order_checks: list[OrderCheck] | None
    missed: list[MissedFact]
    curve: list[dict[str, Any]]
    moves: list[MoodMove]
    goals: list[GoalCheck] = field(default_factory=list)

    @property
    def order_ok(self) -> bool | None:
        return None if self.order_checks is None else all(c.ok for c in self.order_checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario_id": self.scenario_id,
            "title": self.title,
            "seed": self.seed,
            "outcome": self.outcome,
            "outcome_label": self.outcome_label,
            "scorecard": self.scorecard.to_dict(),
            "order_checks": None if self.order_checks is None else [asdict(c) for c in self.order_checks],
            "missed": [asdict(m) for m in self.missed],
            "curve": self.curve,
            "moves": [asdict(m) for m in self.moves],
            "goals": [asdict(g) for g in self.goals],
        }


def build_debrief(record: DrillRecord, engine: Engine, defaults: PersonaDefaults) -> Debrief:
    card = engine.inspect(record.call, work_order=record.order)
    sc = record.scenario
    from hotline.simulate.goals import standard_order

    checks = compare_order(record.order, standard_order(sc)) if record.order is not None else None
    missed = [MissedFact(k, s.label, s.value, s.example) for k, s in sc.slots.items() if k not in record.revealed]
    return Debrief(
        scenario_id=sc.id,
        title=sc.title,
        seed=record.seed,
        outcome=record.outcome,
        outcome_label=defaults.outcome_labels.get(record.outcome or "", record.outcome or ""),
        scorecard=card,
        order_checks=checks,
        missed=missed,
        curve=mood_curve(record),
        moves=mood_moves(record.trace, card, defaults),
        goals=goal_checks(record, card, engine),
    )


def goal_checks(record: DrillRecord, card: Scorecard, engine: Engine) -> list[GoalCheck]:
    """Each goal the call carried, met when every rule judging it passed; the findings say why not."""
    from hotline.norms.goals import read_goals

    goals = read_goals(record.call.meta)
    if goals is None:
        return []
    status = {o.rule_id: o.status for o in card.outcomes}
    out = []
    for name in [n for n in GOAL_LABELS if n in goals.names()]:
        rules = [r for r in engine.rule_ids() if _judges(engine.rule(r), name)]
        failed = [r for r in rules if status.get(r) == "failed"]
        reasons = [f.message for f in card.findings if f.rule_id in failed]
        out.append(GoalCheck(name, GOAL_LABELS[name], not failed, list(dict.fromkeys(reasons))))
    return out


def _judges(rule: Any, goal: str) -> bool:
    """The rule judges this goal: it names the goal, or it is the goal's own rule (goal.<name>.v1)."""
    from hotline.inspect.engine import goal_of

    return rule.goal == goal or goal_of(rule.id) == goal


def mood_curve(record: DrillRecord) -> list[dict[str, Any]]:
    """The mood before the first turn and after each trainee turn."""
    if not record.trace:
        return [{"turn": 0, **record.mood}]
    points = [{"turn": 0, **record.trace[0].mood_before}]
    points += [{"turn": i + 1, **e.mood_after} for i, e in enumerate(record.trace)]
    return points


def _net(entry: TraceEntry) -> dict[str, float]:
    return {k: round(entry.mood_after[k] - entry.mood_before[k], 3) for k in entry.mood_after}


def _badness(delta: dict[str, float]) -> float:
    """Positive when the turn made things worse (angrier, less trusting, less patient)."""
    return delta.get("anger", 0) + delta.get("anxiety", 0) * 0.5 - delta.get("trust", 0) - delta.get("patience", 0) * 0.5


def mood_moves(trace: list[TraceEntry], card: Scorecard, defaults: PersonaDefaults) -> list[MoodMove]:
    labels = defaults.act_labels
    out = []
    for entry in trace:
        delta = _net(entry)
        bad = _badness(delta)
        if abs(bad) < MOVE_THRESHOLD:
            continue
        direction = "worse" if bad > 0 else "better"
        names = [c["name"] for c in entry.causes if (_badness(c["delta"]) > 0) == (bad > 0)]
        causes = [labels.get(n, n.removeprefix("trigger:")) for n in names]
        better = better_wordings(entry, names, card, defaults) if direction == "worse" else []
        out.append(MoodMove(entry.turn_index, entry.text or "（沉默）", direction, causes, delta, better))
    return out


def better_wordings(entry: TraceEntry, causes: list[str], card: Scorecard, defaults: PersonaDefaults) -> list[str]:
    """Suggestions of the engine's findings on words of that turn; the persona advice where the engine has none.

    Findings that point at a whole turn (a missing closing, say) belong to the call, not to this move."""
    whole = (0, len(entry.text))
    out = [f.suggestion for f in card.findings
           if f.turn_index is not None and f.turn_index == entry.turn_index and f.suggestion
           and f.span is not None and tuple(f.span) != whole]
    out += [defaults.advice[c] for c in causes if c in defaults.advice]
    return list(dict.fromkeys(out))[:MAX_BETTER]


def check_order(order: WorkOrder, expected: ExpectedOrder) -> list[FieldCheck]:
    """The trainee's 工单 against a scenario's expected type, category, department, urgency and reason."""
    from hotline.norms.goals import StandardOrder

    return compare_order(order, StandardOrder(**expected.model_dump()))
