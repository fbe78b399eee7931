"""Core types shared by every module. No I/O here, and nothing of ours is imported."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Speaker(StrEnum):
    AGENT = "agent"
    CITIZEN = "citizen"


class Severity(StrEnum):
    INFO = "info"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


_SCALES = (1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0)


def rounded(number: Any, digits: int) -> Any:
    """``round(number, digits)`` (``digits`` from 0 to 6), the very same number, mostly without the decimal
    conversion CPython's round makes (a few thousand instructions, for every number an output rounds).

    For a float x, the scaled value ``a = |x| × 10^digits`` is the float nearest the exact product; below 2^52 every half
    integer k + ½ is a float, so rounding to the nearest float never carries the product across one: when
    ``a``'s fraction is not exactly ½, the exact product rounds to the same integer n as ``a``, and ``round``
    gives the float nearest n / 10^digits (with x's sign), which IEEE division of the two exact numbers gives.
    A fraction of exactly ½ (a tie, or a product rounded onto one), huge values, NaN, infinities and ints
    are left to ``round`` itself; a zero is its own rounding (either sign)."""
    if type(number) is not float:  # round keeps an int an int (taken as Any: compiled, a float would turn it into one)
        return round(number, digits)
    x: float = number
    if x > 0.0:
        sign = 1.0
    elif x < 0.0:
        sign = -1.0
    elif x == 0.0:
        return x
    else:  # NaN
        return round(x, digits)
    # the outputs round to 3 and 2 digits: those scales as constants (compiled, no lookup of ``_SCALES`` in the globals)
    scale = 1000.0 if digits == 3 else 100.0 if digits == 2 else _SCALES[digits]
    a = x * sign * scale
    if a < 4e15:  # false for infinities too
        whole = float(int(a))
        frac = a - whole  # exact
        if frac < 0.5:
            return sign * (whole / scale)
        if frac > 0.5:
            return sign * ((whole + 1.0) / scale)
    return round(x, digits)


# The types made for every call (turns, findings, scorecards…) are dataclasses with their own ``__init__``
# (``init=False``): compiled (``hotline.native``), the one dataclasses writes stays Python, a frame and a generic
# attribute store per field; this one is compiled (the same arguments and defaults, a field store each).


@dataclass(slots=True, init=False)
class Turn:
    """One utterance. ``start``/``end`` are seconds from the start of the call, when known."""

    speaker: Speaker
    text: str
    start: float | None = None
    end: float | None = None

    def __init__(self, speaker: Speaker, text: str, start: float | None = None, end: float | None = None) -> None:
        self.speaker = speaker
        self.text = text
        self.start = start
        self.end = end

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its constructor's arguments: compiled, making one always runs its ``__init__`` (unpickled field
        by field, it would be called without any)."""
        return (Turn, (self.speaker, self.text, self.start, self.end))

    @property
    def is_agent(self) -> bool:
        return self.speaker is Speaker.AGENT


@dataclass(slots=True, init=False)
class Call:
    """A call: its turns in order and free-form metadata (agent id, date, channel, audio path…)."""

    id: str
    turns: list[Turn]
    meta: dict[str, Any] = field(default_factory=dict)

    def __init__(self, id: str, turns: list[Turn], meta: dict[str, Any] | None = None) -> None:
        self.id = id
        self.turns = turns
        self.meta = {} if meta is None else meta

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its constructor's arguments: compiled, making one always runs its ``__init__`` (unpickled field
        by field, it would be called without any)."""
        return (Call, (self.id, self.turns, self.meta))

    @property
    def has_times(self) -> bool:
        return bool(self.turns) and all(t.start is not None and t.end is not None for t in self.turns)

    def agent_turn_indexes(self) -> list[int]:
        return [i for i, t in enumerate(self.turns) if t.speaker is Speaker.AGENT]

    def citizen_turn_indexes(self) -> list[int]:
        return [i for i, t in enumerate(self.turns) if t.speaker is Speaker.CITIZEN]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "turns": [
                {"speaker": t.speaker._value_, "text": t.text, "start": t.start, "end": t.end}
                for t in self.turns
            ],
            "meta": self.meta,
        }


@dataclass(slots=True, init=False)
class Finding:
    """One thing a rule found. ``span`` is (start, end) character offsets in the original text
    of turn ``turn_index``; ``turn_index`` is None for a finding about the whole call."""

    rule_id: str
    dimension: str
    severity: Severity
    turn_index: int | None
    span: tuple[int, int] | None
    evidence: str
    message: str
    suggestion: str = ""
    points: float = 0.0
    veto: bool = False
    layer: str = ""  # what fired: 词表/规则, 言语行为, 语义相似, 时间/音频, 结构 (something missing), 工单
    confidence: float | None = None  # the learned layer's probability, when it fired
    threshold: float | None = None  # the probability it had to reach

    def __init__(self, rule_id: str, dimension: str, severity: Severity, turn_index: int | None,
                 span: tuple[int, int] | None, evidence: str, message: str, suggestion: str = "",
                 points: float = 0.0, veto: bool = False, layer: str = "", confidence: float | None = None,
                 threshold: float | None = None) -> None:
        self.rule_id = rule_id
        self.dimension = dimension
        self.severity = severity
        self.turn_index = turn_index
        self.span = span
        self.evidence = evidence
        self.message = message
        self.suggestion = suggestion
        self.points = points
        self.veto = veto
        self.layer = layer
        self.confidence = confidence
        self.threshold = threshold

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its constructor's arguments: compiled, making one always runs its ``__init__`` (unpickled field
        by field, it would be called without any)."""
        return (Finding, (self.rule_id, self.dimension, self.severity, self.turn_index, self.span,
                         self.evidence, self.message, self.suggestion, self.points, self.veto, self.layer,
                         self.confidence, self.threshold))

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id, "dimension": self.dimension, "severity": self.severity._value_,
            "turn_index": self.turn_index, "span": list(self.span) if self.span else None,
            "evidence": self.evidence, "message": self.message, "suggestion": self.suggestion,
            "points": self.points, "veto": self.veto, "layer": self.layer, "confidence": self.confidence,
            "threshold": self.threshold,
        }


@dataclass(slots=True, frozen=True)
class RuleOutcome:
    """How one rule ended for one call: ``passed``, ``failed`` or ``na`` (did not apply). Frozen: scorecards
    share the outcomes that are the same for every call."""

    rule_id: str
    dimension: str
    status: str
    points: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "dimension": self.dimension, "status": self.status, "points": self.points}

    def __reduce__(self) -> tuple[Any, tuple[str, str, str, float]]:
        """Pickled as its constructor's arguments: compiled (``hotline.native``), a frozen class cannot be
        unpickled field by field (each assignment is refused), and workers send outcomes back pickled."""
        return (RuleOutcome, (self.rule_id, self.dimension, self.status, self.points))


@dataclass(slots=True, init=False)
class Pending:
    """A reaction the agent still owes while a call is in progress (live hints): the rule, the turn that asked
    for it, the agent turn a finding would point at, how many agent turns are left and the words that asked."""

    rule_id: str
    turn_index: int
    anchor: int | None
    turns_left: int
    evidence: str

    def __init__(self, rule_id: str, turn_index: int, anchor: int | None, turns_left: int, evidence: str) -> None:
        self.rule_id = rule_id
        self.turn_index = turn_index
        self.anchor = anchor
        self.turns_left = turns_left
        self.evidence = evidence

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its constructor's arguments: compiled, making one always runs its ``__init__`` (unpickled field
        by field, it would be called without any)."""
        return (Pending, (self.rule_id, self.turn_index, self.anchor, self.turns_left, self.evidence))


@dataclass(slots=True, init=False)
class CitizenBlock:
    """What the citizen felt over the call: emotion per citizen turn (0–1, the stronger of anger and
    anxiety), the trajectory (start, peak with its turn, end), whether the agent calmed it, the
    predicted dissatisfaction (0–1, calibrated) with the turns that drove it, and escalation risk
    (上访, 媒体, 投诉坐席, 聚集, 自伤) with evidence turns."""

    anger: list[tuple[int, float]] = field(default_factory=list)  # (turn index, intensity)
    anxiety: list[tuple[int, float]] = field(default_factory=list)
    start: float = 0.0
    peak: float = 0.0
    peak_turn: int | None = None
    end: float = 0.0
    calmed: bool = False  # upset at its peak, calm at the end
    escalated: bool = False  # calm at the start, upset at the end
    dissatisfaction: float | None = None
    drivers: list[int] = field(default_factory=list)  # turns that pushed dissatisfaction up the most
    escalation_risk: float = 0.0
    escalation: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, turn index, evidence)

    def __init__(self, anger: list[tuple[int, float]] | None = None, anxiety: list[tuple[int, float]] | None = None,
                 start: float = 0.0, peak: float = 0.0, peak_turn: int | None = None, end: float = 0.0,
                 calmed: bool = False, escalated: bool = False, dissatisfaction: float | None = None,
                 drivers: list[int] | None = None, escalation_risk: float = 0.0,
                 escalation: list[tuple[str, int, str]] | None = None) -> None:
        self.anger = [] if anger is None else anger
        self.anxiety = [] if anxiety is None else anxiety
        self.start = start
        self.peak = peak
        self.peak_turn = peak_turn
        self.end = end
        self.calmed = calmed
        self.escalated = escalated
        self.dissatisfaction = dissatisfaction
        self.drivers = [] if drivers is None else drivers
        self.escalation_risk = escalation_risk
        self.escalation = [] if escalation is None else escalation

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its constructor's arguments: compiled, making one always runs its ``__init__`` (unpickled field
        by field, it would be called without any)."""
        return (CitizenBlock, (self.anger, self.anxiety, self.start, self.peak, self.peak_turn, self.end,
                              self.calmed, self.escalated, self.dissatisfaction, self.drivers,
                              self.escalation_risk, self.escalation))

    def to_dict(self) -> dict[str, Any]:
        return {
            "anger": [[t, rounded(v, 3)] for t, v in self.anger],
            "anxiety": [[t, rounded(v, 3)] for t, v in self.anxiety],
            "start": rounded(self.start, 3), "peak": rounded(self.peak, 3), "peak_turn": self.peak_turn,
            "end": rounded(self.end, 3), "calmed": self.calmed, "escalated": self.escalated,
            "dissatisfaction": None if self.dissatisfaction is None else rounded(self.dissatisfaction, 3),
            "drivers": self.drivers, "escalation_risk": rounded(self.escalation_risk, 3),
            "escalation": [{"kind": k, "turn_index": t, "evidence": e} for k, t, e in self.escalation],
        }


@dataclass(slots=True, init=False)
class Review:
    """Which calls people should review: ``mandatory`` (必须复核), ``sample`` (抽检) or ``auto_pass``
    (自动通过), with the reasons."""

    level: str = "auto_pass"
    reasons: list[str] = field(default_factory=list)

    def __init__(self, level: str = "auto_pass", reasons: list[str] | None = None) -> None:
        self.level = level
        self.reasons = [] if reasons is None else reasons

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its constructor's arguments: compiled, making one always runs its ``__init__`` (unpickled field
        by field, it would be called without any)."""
        return (Review, (self.level, self.reasons))

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "reasons": self.reasons}


@dataclass(slots=True, init=False)
class Scorecard:
    """``total`` is None when the call could not be judged as a whole (a recording without words:
    ``scope`` is "timing", only the timing and audio rules ran, and ``notice`` says so)."""

    call_id: str
    total: float | None
    dimensions: dict[str, float]
    findings: list[Finding]
    rulebook_version: str
    max_dimensions: dict[str, float] = field(default_factory=dict)
    outcomes: list[RuleOutcome] = field(default_factory=list)
    vetoed: bool = False
    scope: str = "full"
    notice: str = ""
    pending: list[Pending] = field(default_factory=list)  # only while a call is in progress (partial)
    citizen: CitizenBlock | None = None
    review: Review | None = None

    def __init__(self, call_id: str, total: float | None, dimensions: dict[str, float], findings: list[Finding],
                 rulebook_version: str, max_dimensions: dict[str, float] | None = None,
                 outcomes: list[RuleOutcome] | None = None, vetoed: bool = False, scope: str = "full",
                 notice: str = "", pending: list[Pending] | None = None, citizen: CitizenBlock | None = None,
                 review: Review | None = None) -> None:
        self.call_id = call_id
        self.total = total
        self.dimensions = dimensions
        self.findings = findings
        self.rulebook_version = rulebook_version
        self.max_dimensions = {} if max_dimensions is None else max_dimensions
        self.outcomes = [] if outcomes is None else outcomes
        self.vetoed = vetoed
        self.scope = scope
        self.notice = notice
        self.pending = [] if pending is None else pending
        self.citizen = citizen
        self.review = review

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its constructor's arguments: compiled, making one always runs its ``__init__`` (unpickled field
        by field, it would be called without any)."""
        return (Scorecard, (self.call_id, self.total, self.dimensions, self.findings, self.rulebook_version,
                           self.max_dimensions, self.outcomes, self.vetoed, self.scope, self.notice,
                           self.pending, self.citizen, self.review))

    def to_dict(self, *, outcomes: bool = True) -> dict[str, Any]:
        """The scorecard as plain data; ``outcomes=False`` leaves out the last key, the rule outcomes (a
        writer that encodes them apart, ``formats.writers.record_json``)."""
        out = {
            "call_id": self.call_id,
            "total": self.total,
            "scope": self.scope,
            "notice": self.notice,
            "citizen": self.citizen.to_dict() if self.citizen else None,
            "review": self.review.to_dict() if self.review else None,
            "dimensions": self.dimensions,
            "max_dimensions": self.max_dimensions,
            "vetoed": self.vetoed,
            "rulebook_version": self.rulebook_version,
            "findings": [f.to_dict() for f in self.findings],
        }
        if outcomes:
            out["outcomes"] = [o.to_dict() for o in self.outcomes]
        return out

    def deductions(self) -> list[float]:
        """What each finding really took off the score (see ``real_deductions``, which reads only the
        failed outcomes)."""
        if not self.findings:
            return []
        return self.taken({o.rule_id: -o.points for o in self.outcomes if o.status == "failed"})

    def taken(self, failed: dict[str, float]) -> list[float]:
        """``deductions`` given what each failed rule deducted (``failed``: rule id -> its points as a positive
        number, later outcomes of a rule winning; used up here), for a writer that walks the outcomes anyway."""
        if not self.findings:
            return []
        return _taken([(f.rule_id, f.dimension, f.points) for f in self.findings], failed,
                      self.dimensions, self.max_dimensions, self.scope != "full")


def real_deductions(findings: list[tuple[str, str, float]], outcomes: list[tuple[str, str, float]],
                    dimensions: dict[str, float], max_dimensions: dict[str, float],
                    single_dimension: bool = False) -> list[float]:
    """What each finding (rule id, dimension, points) really took off: a rule's findings share its
    capped deduction (``max_deduction``) in order, and together a dimension's findings take exactly
    what the dimension lost (never below zero, nor above its full points when awards add some back).
    ``single_dimension``: a partial scorecard whose one dimension holds every judged rule."""
    return _taken(findings, {rule: -points for rule, status, points in outcomes if status == "failed"},
                  dimensions, max_dimensions, single_dimension)


def _taken(findings: list[tuple[str, str, float]], remaining: dict[str, float], dimensions: dict[str, float],
           max_dimensions: dict[str, float], single_dimension: bool) -> list[float]:
    """``real_deductions`` given what each failed rule deducted (``remaining``, used up as it goes). The
    comparisons are ``min``/``max`` written out (the same results, NaN included: ``max(0.0, x)`` is x only
    when x > 0.0, ``min(a, b)`` is b only when b < a), as this runs for every finding of every call."""
    lost = {d: max_dimensions.get(d, 0.0) - got for d, got in dimensions.items()}
    single = next(iter(dimensions)) if single_dimension and dimensions else None
    out: list[float] = []
    for rule, dimension, points in findings:
        left = remaining.get(rule, points)
        take = left if left > 0.0 else 0.0  # max(0.0, left)
        if not take < points:  # min(points, take)
            take = points
        remaining[rule] = left - take
        dim = single or dimension
        room = lost.get(dim, 0.0)
        cap = room if room > 0.0 else 0.0  # max(0.0, room)
        if cap < take:  # min(take, cap)
            take = cap
        lost[dim] = room - take
        out.append(rounded(take, 2))
    return out


@dataclass(slots=True)
class Address:
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    detail: str = ""

    def full(self) -> str:
        return "".join([self.province, self.city, self.district, self.street, self.detail])


@dataclass(slots=True)
class WorkOrder:
    """A 工单 as written by an agent or proposed by extraction."""

    caller_name: str = ""
    phone: str = ""
    id_number: str = ""
    address: Address = field(default_factory=Address)
    event_time: str = ""
    summary: str = ""
    request_type: str = ""
    invalid_reason: str = ""
    category: list[str] = field(default_factory=list)
    urgency: str = "一般"
    department: str = ""
    deadline: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
