"""The rulebook schema. A rulebook is data (YAML); this module only says what a valid one looks like."""

# No ``from __future__ import annotations`` here: pydantic would compile every field's annotation from its text
# at each start (~17 M instructions for these models); a class defined further down is named in quotes.
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from hotline.content import Strict, compiled_regexes
from hotline.model import Severity
from hotline.regexcache import compile_pattern

SpeakerScope = Literal["agent", "citizen", "any"]
RULE_ID = compile_pattern(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\.v\d+$")
# What a call must achieve (``hotline.inspect.goals``): a rule naming one of these is judged, not N/A, on a call
# that carries that goal, even when its ``applies_when`` does not hold (the call ended before it got there).
GoalName = Literal["facts", "answer", "department", "time_limit", "order", "silent_protocol", "abuse_protocol"]


class Scope(Strict):
    """Which turns a leaf operator looks at: a speaker, and optionally only the first/last turns
    (of that speaker) or the first/last seconds of the call."""

    speaker: SpeakerScope = "agent"
    first_turns: int | None = Field(None, ge=1)
    last_turns: int | None = Field(None, ge=1)
    first_seconds: float | None = Field(None, gt=0)
    last_seconds: float | None = Field(None, gt=0)
    min_chars: int = Field(0, ge=0, description="ignore turns shorter than this")


class PhrasesOp(Scope):
    lexicon: str | list[str] | None = None
    phrases: list[str] = []
    mode: Literal["any", "all", "at_least", "none"] = "any"
    n: int = Field(1, ge=1)
    guards: bool = Field(True, description="apply the negation and quotation guards")

    @model_validator(mode="after")
    def _has_source(self) -> "PhrasesOp":
        if not self.lexicon and not self.phrases:
            raise ValueError("phrases 需要 lexicon（词表名）或 phrases（短语列表）")
        return self

    def lexicon_names(self) -> list[str]:
        if self.lexicon is None:
            return []
        return [self.lexicon] if isinstance(self.lexicon, str) else list(self.lexicon)


class RegexOp(Scope):
    pattern: str
    exclude: str | None = None
    guards: bool = True

    @field_validator("pattern", "exclude")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"正则表达式无效：{exc}") from None
        return v


class ActOp(Scope):
    """Clauses whose speech act (``hotline.acts``) reaches a probability: the learned layer beside
    phrases and patterns. ``min_prob`` defaults to the act's threshold in the taxonomy; a city moves
    it for the whole rulebook with ``act_thresholds``."""

    name: str | list[str]
    min_prob: float | None = Field(None, gt=0, lt=1)
    guards: bool = Field(True, description="apply the negation and quotation guards")

    def names(self) -> list[str]:
        return [self.name] if isinstance(self.name, str) else list(self.name)


class RestateOp(Strict):
    """An agent turn that restates the citizen's request: a confirmation move (``confirm``, e.g.
    对吗 / 我跟您确认一下) and the substance of what the citizen said earlier — at least
    ``min_shared`` character pairs in common, in at least ``min_pieces`` separate stretches, so
    that repeating one detail (a phone number, a name) does not count."""

    confirm: "Matcher"
    min_shared: int = Field(8, ge=1)
    min_pieces: int = Field(3, ge=1)
    intent: "Matcher | None" = Field(
        None, description="naming the request (您反映的是 / 您是想咨询 / 您希望…): then ``intent_shared`` pairs are enough")
    intent_shared: int = Field(2, ge=1)
    opener: "Matcher | None" = Field(
        None, description="announcing a restatement (我跟您确认一下 / 我复述一遍): then ``opener_shared`` pairs in"
                          " ``min_pieces`` stretches are enough")
    opener_shared: int = Field(6, ge=1)
    ignore: list[str] = Field([], description="character pairs that are not substance (您的、一下、请问…)")


class SimilarOp(Scope):
    examples: list[str] = Field(min_length=1)
    counter_examples: list[str] = []
    threshold: float = Field(0.9, gt=0, lt=1)
    margin: float = Field(0.0, ge=0, lt=1)


class WithinOp(Scope):
    """Evaluate ``of`` on the turns this scope selects only (e.g. the first agent turn)."""

    of: "Matcher"


class UnansweredOp(Strict):
    """Hits at each ``trigger`` hit that is not followed by ``expect`` within ``within`` agent turns."""

    trigger: "Matcher"
    expect: "Matcher"
    within: int = Field(2, ge=1)
    before: int = Field(0, ge=0, description="agent turns just before the trigger that also answer it (the"
                                             " agent comforted the caller already)")
    same_turn: bool = True
    first_only: bool = Field(False, description="judge only the first trigger (e.g. the first sign of anger)")
    rearm: "Matcher | None" = Field(
        None, description="with first_only: a later trigger in a turn where this also hits is judged again once the"
                          " earlier one was answered (the citizen escalates again)")


class TurnOp(Strict):
    """Hits at turns where every ``has`` matcher hits and no ``lacks`` matcher hits."""

    has: list["Matcher"] = Field(min_length=1)
    lacks: list["Matcher"] = []


class CountOp(Strict):
    of: "Matcher"
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)


class DistinctOp(Strict):
    of: list["Matcher"] = Field(min_length=1)
    min: int = Field(ge=1)


class TrajectoryOp(Strict):
    """The citizen's emotion over the call (``hotline.citizen``): ``calmed`` — upset at the peak and
    calm at the end (hit at the peak turn); ``escalated`` — calm at the start and upset at the end (hit
    at the citizen's last turn). N/A when the citizen said nothing or was never upset."""

    calmed: bool | None = None
    escalated: bool | None = None

    @model_validator(mode="after")
    def _one(self) -> "TrajectoryOp":
        if (self.calmed is None) == (self.escalated is None):
            raise ValueError("trajectory 需要 calmed 或 escalated 其中一个")
        return self


class SilenceOp(Strict):
    min_seconds: float = Field(gt=0)


class GapBandOp(Strict):
    """Gaps between consecutive agent turns outside [min_seconds, max_seconds]."""

    min_seconds: float = Field(0, ge=0)
    max_seconds: float | None = Field(None, gt=0)


class RateOp(Strict):
    speaker: SpeakerScope = "agent"
    min_cpm: float | None = Field(None, gt=0)
    max_cpm: float | None = Field(None, gt=0)
    min_chars: int = Field(10, ge=1)
    relative_to_citizen: float | None = Field(None, gt=0, description="hit if agent cpm > citizen cpm × this")


class MetricOp(Strict):
    name: str
    lt: float | None = None
    gt: float | None = None


class Matcher(Strict):
    """Exactly one operator per node; nodes combine with all / any / not."""

    all: "list[Matcher] | None" = None
    any: "list[Matcher] | None" = None
    not_: "Matcher | None" = Field(None, alias="not")
    detector: str | None = None
    within: WithinOp | None = None
    phrases: PhrasesOp | None = None
    regex: RegexOp | None = None
    similar: SimilarOp | None = None
    act: ActOp | None = None
    restate: RestateOp | None = None
    trajectory: TrajectoryOp | None = None
    turn: TurnOp | None = None
    unanswered: UnansweredOp | None = None
    sequence: "list[Matcher] | None" = None
    count: CountOp | None = None
    distinct: DistinctOp | None = None
    silence: SilenceOp | None = None
    reply_gap: SilenceOp | None = None
    overlap: SilenceOp | None = None
    agent_gap: GapBandOp | None = None
    speech_rate: RateOp | None = None
    metric: MetricOp | None = None
    silent_call: bool | None = None

    model_config = {"extra": "forbid", "populate_by_name": True, "defer_build": True}

    @model_validator(mode="after")
    def _exactly_one(self) -> "Matcher":
        used = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(used) != 1:
            names = ", ".join(n.rstrip("_") for n in used) or "无"
            raise ValueError(f"每个匹配节点必须恰好有一个操作符（实际：{names}）")
        return self

    def operator(self) -> str:
        return next(name for name in type(self).model_fields if getattr(self, name) is not None)


class RuleSpec(Strict):
    id: str
    title: str
    dimension: str
    severity: Severity = Severity.MAJOR
    points: float = Field(ge=0)
    max_deduction: float | None = Field(None, ge=0)
    veto: bool = False
    veto_confidence: float = Field(
        0.8, gt=0, le=1, description="an act-only finding vetoes the call only at this probability or above;"
                                     " below it the finding deducts points and asks for review")
    kind: Literal["forbid", "require", "award", "python"]
    match: Matcher | None = None
    applies_when: Matcher | None = None
    impl: str | None = None
    needs: Literal["work_order", "goals"] | None = None
    goal: GoalName | None = Field(
        None, description="a call carrying this goal is judged by this rule even when applies_when does not hold")
    anchor: Literal["first_agent", "last_agent", "call"] = "call"
    elements: dict[str, Matcher] = Field(
        {}, description="for a require rule: the parts the message names when they are missing (开场白缺少：工号)")
    utterance: bool = Field(False, description="judges a single agent sentence (rewrite exercises, live hints)")
    end_of_call: bool = Field(False, description="judged only on a finished call; N/A while a call is in progress")
    message: str
    suggestion: str = ""
    norms: list[str] = []
    enabled: bool = True

    @field_validator("id")
    @classmethod
    def _id_form(cls, v: str) -> str:
        if not RULE_ID.match(v):
            raise ValueError(f"规则 id「{v}」格式应为 family.name.vN，例如 greeting.standard.v1")
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> "RuleSpec":
        if self.kind == "python" and not self.impl:
            raise ValueError("kind: python 的规则需要 impl（module:function）")
        if self.kind != "python" and self.match is None:
            raise ValueError(f"kind: {self.kind} 的规则需要 match")
        return self


class Guards(Strict):
    negation_prefixes: list[str] = []
    clause_negations: list[str] = Field(
        [], description="a clause that opens with one of these is denied, not done (并不是研究研究就完了)")
    negation_safe_lexicon: str = "negation_safe"
    quote_pairs: list[str] = ["「」", "“”", "『』", "‘’", '""']
    reporting_markers: list[str] = []
    reported_patterns: list[str] = Field(
        [], description="regexes for reported speech without quote marks (物业的人让您自己去找…)")
    restatement_lexicons: list[str] = Field(
        [], description="lexicons that open a restatement (我跟您确认一下 / 您反映的是…)")
    confirm_lexicon: str | None = Field(
        None, description="lexicon of confirmation tags (对吗 / 是吧…): a turn that opens a restatement and ends"
                          " with one is the citizen's account retold, not the agent's own words")

    @field_validator("reported_patterns")
    @classmethod
    def _compile_all(cls, v: list[str]) -> list[str]:
        return compiled_regexes(v)


class DimensionSpec(Strict):
    name: str
    points: float = Field(gt=0)
    description: str = ""


class ScoringForm(Strict):
    name: str = "质检评分表"
    dimensions: list[DimensionSpec] = Field(min_length=1)
    pass_mark: float = Field(80, ge=0, le=100)
    critical_fails: bool = Field(
        True, description="a call with a critical finding (服务禁语) scores at most one point under the pass mark")
    critical_goals: list[GoalName] = Field(
        [], description="a call that carries one of these goals and misses it scores at most one point under the"
                        " pass mark (a drill that never answered the caller does not pass)")

    @model_validator(mode="after")
    def _sums_to_100(self) -> "ScoringForm":
        total = sum(d.points for d in self.dimensions)
        if abs(total - 100) > 1e-6:
            raise ValueError(f"评分表各维度分值之和应为 100，实际为 {total:g}")
        return self


class Settings(Strict):
    semantic: bool = True
    real_call_goals: bool = Field(
        False, description="real calls are judged by what they achieved too (call_goals): a call that ends before"
                           " a goal is met fails the goal's rules instead of leaving them N/A")
    acts: bool = Field(True, description="the learned speech-act layer (act operator); off: phrases and patterns only")
    citizen: bool = Field(True, description="the citizen block (emotion, dissatisfaction, escalation; needs acts); "
                                            "off: no citizen block, trajectory rules not applicable")
    hotline_name: str = "12345"


class CallGoalSpec(Strict):
    """The goals of a real call (a drill brings its scenario's): which ones, and on which calls."""

    when: Matcher | None = None
    goals: list[GoalName] = []


class Rulebook(Strict):
    name: str
    version: str
    description: str = ""
    settings: Settings = Field(default_factory=lambda: Settings.model_validate({}))  # a factory: no validator built at import
    lexicons: dict[str, list[str]] = {}
    guards: Guards = Field(default_factory=lambda: Guards.model_validate({}))
    act_thresholds: dict[str, float] = Field({}, description="act name → probability threshold for every act operator")
    review: dict[str, float | bool] = Field({}, description="复核分流 thresholds overriding data/citizen/settings.yaml review")
    detectors: dict[str, Matcher] = {}
    call_goals: CallGoalSpec = Field(default_factory=lambda: CallGoalSpec.model_validate({}))
    scoring: ScoringForm
    rules: list[RuleSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> "Rulebook":
        dims = {d.name for d in self.scoring.dimensions}
        seen: set[str] = set()
        for i, rule in enumerate(self.rules):
            if rule.id in seen:
                raise RefProblem(f"rules[{i}]：规则 id {rule.id} 重复", ("rules", i))
            seen.add(rule.id)
            if rule.dimension not in dims:
                raise RefProblem(f"rules[{i}]（{rule.id}）：维度「{rule.dimension}」不在评分表中（{'、'.join(dims)}）",
                                 ("rules", i, "dimension"))
        for where, loc, m in self._all_matchers():
            self._check_refs(where, loc, m)
        self._check_acts()
        self._check_guard_lexicons()
        self._check_review()
        return self

    def _check_review(self) -> None:
        from pydantic import ValidationError

        from hotline.citizen.settings import ReviewSettings

        if not self.review:
            return
        try:
            ReviewSettings.model_validate(self.review)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            raise RefProblem(f"review.{field}：{'没有这个设置' if err['type'] == 'extra_forbidden' else err['msg']}",
                             ("review", *err["loc"])) from None

    def _check_acts(self) -> None:
        from hotline.acts.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
        known = {a.name: a.speaker for a in taxonomy.acts}
        for name, value in self.act_thresholds.items():
            if name not in known:
                raise RefProblem(f"act_thresholds：没有言语行为「{name}」", ("act_thresholds", name))
            if not 0 < value < 1:
                raise RefProblem(f"act_thresholds.{name}：阈值应在 0 与 1 之间（实际 {value}）", ("act_thresholds", name))
        for where, loc, m in self._all_matchers():
            for node in iter_nodes(m):
                if node.act is None:
                    continue
                for name in node.act.names():
                    if name not in known:
                        raise RefProblem(f"{where}：没有言语行为「{name}」（见 data/acts/taxonomy.yaml）", loc)
                    if node.act.speaker != "any" and known[name] != node.act.speaker:
                        raise RefProblem(f"{where}：言语行为「{name}」属于 {known[name]}，"
                                         f"不能用在 speaker: {node.act.speaker} 的话轮上", loc)

    def _all_matchers(self) -> list[tuple[str, tuple[str | int, ...], Matcher]]:
        out: list[tuple[str, tuple[str | int, ...], Matcher]] = [
            (f"detectors.{k}", ("detectors", k), m) for k, m in self.detectors.items()]
        if self.call_goals.when is not None:
            out.append(("call_goals.when", ("call_goals", "when"), self.call_goals.when))
        for i, r in enumerate(self.rules):
            if r.match:
                out.append((f"rules[{i}]（{r.id}）.match", ("rules", i, "match"), r.match))
            if r.applies_when:
                out.append((f"rules[{i}]（{r.id}）.applies_when", ("rules", i, "applies_when"), r.applies_when))
            for label, element in r.elements.items():
                out.append((f"rules[{i}]（{r.id}）.elements.{label}", ("rules", i, "elements", label), element))
        return out

    def _check_refs(self, where: str, loc: tuple[str | int, ...], m: Matcher) -> None:
        for node in iter_nodes(m):
            if node.detector is not None and node.detector not in self.detectors:
                raise RefProblem(f"{where}：引用了不存在的检测器「{node.detector}」", loc)
            if node.phrases is not None:
                for name in node.phrases.lexicon_names():
                    if name not in self.lexicons:
                        raise RefProblem(f"{where}：引用了不存在的词表「{name}」", loc)

    def _check_guard_lexicons(self) -> None:
        for name in [*self.guards.restatement_lexicons, *filter(None, [self.guards.confirm_lexicon])]:
            if name not in self.lexicons:
                raise RefProblem(f"guards：引用了不存在的词表「{name}」", ("guards",))


class RefProblem(ValueError):
    """A rulebook-wide check that failed at one place (``("rules", 3, "dimension")``): the city
    loader uses ``loc`` to point at the line of the city file that caused it."""

    def __init__(self, message: str, loc: tuple[str | int, ...]):
        super().__init__(message)
        self.loc = loc


def iter_nodes(m: Matcher) -> list[Matcher]:
    """Every node of a matcher tree, depth first."""
    out = [m]
    children: list[Matcher] = []
    for group in (m.all, m.any, m.sequence):
        children.extend(group or [])
    if m.not_:
        children.append(m.not_)
    if m.turn:
        children.extend(m.turn.has + m.turn.lacks)
    if m.unanswered:
        children.extend([m.unanswered.trigger, m.unanswered.expect])
        if m.unanswered.rearm is not None:
            children.append(m.unanswered.rearm)
    if m.count:
        children.append(m.count.of)
    if m.within:
        children.append(m.within.of)
    if m.distinct:
        children.extend(m.distinct.of)
    if m.restate:
        children.append(m.restate.confirm)
        children.extend(x for x in (m.restate.intent, m.restate.opener) if x is not None)
    for c in children:
        out.extend(iter_nodes(c))
    return out
