"""The debrief of a drill: the engine's scorecard, the 工单 against the scenario, missed facts, the mood curve."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from hotline.model import Scorecard, WorkOrder
from hotline.simulate.schema import ExpectedOrder, PersonaDefaults

if TYPE_CHECKING:
    from hotline.simulate.session import DrillSession, TraceEntry

MOVE_THRESHOLD = 0.1
MAX_BETTER = 3


@dataclass(slots=True)
class OrderCheck:
    field: str
    label: str
    expected: str
    submitted: str
    ok: bool
    note: str = ""


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
        }


def build_debrief(session: DrillSession) -> Debrief:
    call = session.call()
    if session.order is not None:
        card = session.engine.inspect(call, work_order=session.order)
    else:
        card = session.engine.inspect(call)
    defaults = session.library.defaults
    sc = session.scenario
    checks = check_order(session.order, sc.expected_order) if session.order is not None else None
    missed = [
        MissedFact(k, s.label, s.value, s.example)
        for k, s in sc.slots.items()
        if k not in session.state.revealed
    ]
    return Debrief(
        scenario_id=sc.id,
        title=sc.title,
        seed=session.seed,
        outcome=session.outcome,
        outcome_label=defaults.outcome_labels.get(session.outcome or "", session.outcome or ""),
        scorecard=card,
        order_checks=checks,
        missed=missed,
        curve=mood_curve(session),
        moves=mood_moves(session.trace, card, defaults),
    )


def mood_curve(session: DrillSession) -> list[dict[str, Any]]:
    """The mood before the first turn and after each trainee turn."""
    if not session.trace:
        return [{"turn": 0, **session.state.mood()}]
    points = [{"turn": 0, **session.trace[0].mood_before}]
    points += [{"turn": i + 1, **e.mood_after} for i, e in enumerate(session.trace)]
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


def _norm(s: str) -> str:
    return "".join(s.split()).strip("。.")


def check_order(order: WorkOrder, expected: ExpectedOrder) -> list[OrderCheck]:
    """Compare the trainee's 工单 with the scenario's expected type, category, department and urgency."""
    out = [OrderCheck("request_type", "诉求类型", expected.request_type, order.request_type,
                      _norm(order.request_type) == _norm(expected.request_type))]
    if expected.category:
        out.append(_check_category(order.category, expected.category))
    if expected.department:
        out.append(_check_department(order.department, expected))
    out.append(OrderCheck("urgency", "紧急程度", expected.urgency, order.urgency, _norm(order.urgency) == expected.urgency))
    if expected.invalid_reason:
        out.append(OrderCheck("invalid_reason", "无效原因", expected.invalid_reason, order.invalid_reason,
                              _norm(order.invalid_reason) == _norm(expected.invalid_reason)))
    for c in out:
        if not c.ok and not c.note:
            c.note = "未填写" if not c.submitted else "与标准答案不一致"
    return out


def _check_category(got: list[str], want: list[str]) -> OrderCheck:
    g, w = [_norm(x) for x in got], [_norm(x) for x in want]
    ok = len(g) >= len(w) and g[: len(w)] == w
    note = ""
    if not ok and g and g[0] == w[0]:
        note = "一级分类正确，细分类不对"
    return OrderCheck("category", "事项分类", " › ".join(want), " › ".join(got), ok, note)


def _check_department(got: str, expected: ExpectedOrder) -> OrderCheck:
    g = _norm(got)
    names = [_norm(expected.department), *(_norm(a) for a in expected.department_aliases)]
    ok = bool(g) and g in names
    return OrderCheck("department", "承办部门", expected.department, got, ok)
