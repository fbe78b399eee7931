"""The inspection engine: a compiled rulebook applied to calls. One engine serves real-call QA,
drills, rewrite exercises and live hints."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from typing import Any, Final

from hotline.errors import HotlineError
from hotline.inspect.compiled import Compiled, compile_rulebook
from hotline.inspect.context import CallContext, Hit, acts_enabled, late, prepare_acts
from hotline.inspect.operators import evaluate, goal_names, two_places
from hotline.inspect.plan import Slot
from hotline.inspect.python_rules import resolve
from hotline.inspect.scoring import Form, critical_cap
from hotline.inspect.verdicts import slot_hit, slot_verdict, turns_mask, verdict
from hotline.model import Call, Finding, Pending, RuleOutcome, Scorecard, Severity, Speaker, Turn, WorkOrder
from hotline.norms.schema import Matcher, Rulebook, RuleSpec

_FAILED_KEPT: Final = 4096  # failed outcomes kept at most (a rule fails with a few distinct deductions)
# the findings of a rule that did not fail (none): one list for every such rule of every call, not an empty list made
# and freed for each (``Engine._apply``); only read (``_run`` takes the findings of a failed rule alone), never changed
_NO_FINDINGS: Final[list[Finding]] = []


class InspectError(HotlineError):
    code = "E300"


class _Rule:
    """What the rule loop reads of a rule for every call, read once from its ``RuleSpec`` (a pydantic model, whose
    every attribute is a generic lookup) when the engine is made: its kind, id, dimension, and the plan's slots
    of its ``applies_when`` and ``match``, and what a finding of it is made of."""

    def __init__(self, spec: RuleSpec, compiled: Compiled, dims: dict[str, int]) -> None:
        self.spec = spec
        self.id: str = spec.id
        self.dimension: str = spec.dimension
        self.dim: int = dims.setdefault(spec.dimension, len(dims))  # its dimension's place in ``Engine._dims``
        self.severity: Severity = spec.severity
        self.message: str = spec.message
        self.suggestion: str = spec.suggestion
        self.points: float = spec.points
        self.max_deduction: float | None = spec.max_deduction
        self.veto: bool = spec.veto
        self.veto_confidence: float = spec.veto_confidence
        self.anchor: str = spec.anchor
        self.impl: str | None = spec.impl
        self.needs: str | None = spec.needs
        self.end_of_call: bool = spec.end_of_call
        self.goal: str | None = spec.goal  # (asked of every rule whose condition does not hold, on every call)
        self.python: bool = spec.kind == "python"
        self.forbid: bool = spec.kind == "forbid"
        self.award: bool = spec.kind == "award"
        slots = compiled.plan.slot_by_node
        self.when_node: Matcher | None = spec.applies_when
        self.match_node: Matcher | None = spec.match
        self.applies_when: Slot | None = None if spec.applies_when is None else slots[id(spec.applies_when)]
        self.match: Slot | None = None if spec.match is None else slots[id(spec.match)]
        self.element_slots: list[tuple[str, Slot]] = [(label, slots[id(m)]) for label, m in spec.elements.items()]
        # the outcomes of a rule that passed, did not apply or was awarded: the same for every call (outcomes are
        # frozen: cards share them), made once here rather than looked up by status and id for each rule of a call
        self.passed = RuleOutcome(self.id, self.dimension, "passed", 0.0)
        self.na = RuleOutcome(self.id, self.dimension, "na", 0.0)
        self.awarded = RuleOutcome(self.id, self.dimension, "awarded", self.points)


class Engine:
    def __init__(self, rulebook: Rulebook, compile_regex: Callable[[str], Any] | None = None, *, cache: bool = True):
        """``cache``: what compiling the rulebook may read back from the start-up cache (``compile_rulebook``)."""
        self.rulebook = rulebook
        self.compiled: Compiled = (compile_rulebook(rulebook, compile_regex, cache=cache) if compile_regex
                                   else compile_rulebook(rulebook, cache=cache))
        self.rules = [r for r in rulebook.rules if r.enabled]
        self._by_id = {r.id: r for r in rulebook.rules}
        self._utterance_rules = [r for r in self.rules if r.utterance]
        # what the rule loop reads of every rule for every call, read once (``_Rule``)
        dims: dict[str, int] = {}  # each rule's dimension by number (``_Rule.dim``), for the sums of ``_run``
        self._loop = [_Rule(r, self.compiled, dims) for r in self.rules]
        self._utterance_loop = [_Rule(r, self.compiled, dims) for r in self._utterance_rules]
        self._dims: list[str] = list(dims)
        self._act_titles: dict[str, str] = {}  # act name → its title in the taxonomy, as findings name it
        self._failed_outcomes: dict[tuple[str, float], RuleOutcome] = {}  # (rule id, points) → a failed outcome
        self._form = Form(rulebook)  # the scoring form, read once
        self._critical_goals: set[str] = set(rulebook.scoring.critical_goals)
        self._pass_mark: float = rulebook.scoring.pass_mark  # (the triage of every call reads it)
        self._review: Any = None  # ``review_settings``

    # ── lookups ─────────────────────────────────────────────
    def rule(self, rule_id: str) -> RuleSpec:
        try:
            return self._by_id[rule_id]
        except KeyError:
            raise InspectError(f"规则库中没有规则 {rule_id}") from None

    def rule_ids(self) -> list[str]:
        return [r.id for r in self.rules]

    def detector_names(self) -> list[str]:
        return list(self.rulebook.detectors)

    # ── judging ─────────────────────────────────────────────
    def inspect(self, call: Call, work_order: WorkOrder | None = None, *, partial: bool = False) -> Scorecard:
        """Score a call. ``partial=True`` is for a call still in progress (live hints): end-of-call
        rules are N/A and a reaction window that is still open is not yet a finding."""
        with collector_waits():
            ctx = CallContext(call, self.compiled, work_order, partial=partial)
            card = self._with_citizen(self._run(ctx, self._loop), ctx)
            del ctx  # freed by reference counts, before the collector runs again
        return card

    def inspect_batch(self, calls: list[Call]) -> list[Scorecard]:
        """Score several calls; the act model reads all their clauses in one pass (bulk inspection).
        The collector of reference cycles waits until the batch is done (``collector_waits``)."""
        with collector_waits():
            acts = acts_enabled(self.compiled)  # (the environment read once for the batch, not per call)
            contexts = [CallContext(call, self.compiled, acts=acts) for call in calls]
            if contexts and contexts[0].acts_on:
                prepare_acts(contexts)
                if contexts[0].citizen_on:
                    from hotline.citizen import prepare

                    prepare([ctx for ctx in contexts if not ctx.no_text and ctx.call.turns])
            cards = [self._with_citizen(self._run(ctx, self._loop), ctx) for ctx in contexts]
            del contexts  # freed by reference counts, before the collector runs again
        return cards

    def _with_citizen(self, card: Scorecard, ctx: CallContext) -> Scorecard:
        """The citizen block (for a call whose words the engine read) and the review triage (for every
        finished call)."""
        if ctx.partial:
            return card
        triage = late("hotline.citizen:triage")
        if not ctx.no_text and ctx.citizen_on and ctx.call.turns:
            card.citizen = ctx.citizen()
        card.review = triage(card, card.citizen, self.review_settings, self._pass_mark)
        return card

    @property
    def review_settings(self) -> Any:
        """The triage thresholds: ``data/citizen/settings.yaml`` with the rulebook's ``review:`` on top, read once
        per engine. (Kept in an attribute: ``functools.cached_property`` keeps its value in the instance's
        ``__dict__``, which a compiled Engine has not, so there it read them again, with an import, for every call.)"""
        if self._review is None:
            self._review = late("hotline.citizen:review_settings")(self.rulebook)
        return self._review

    def check_utterance(self, text: str, speaker: Speaker | str = Speaker.AGENT) -> list[Finding]:
        """Findings of the rules that judge a single sentence (rewrite exercises, live hints)."""
        ctx = CallContext(Call(id="utterance", turns=[Turn(Speaker(speaker), text)]), self.compiled)
        return self._run(ctx, self._utterance_loop).findings

    def detect(self, call: Call, detector: str) -> list[Hit]:
        if detector not in self.rulebook.detectors:
            raise InspectError(f"规则库中没有检测器 {detector}")
        ctx = CallContext(call, self.compiled)
        return [h for h in evaluate(self.rulebook.detectors[detector], ctx) or [] if h.turn_index >= 0]

    def acts(self, text: str, speaker: Speaker | str = Speaker.AGENT, *, semantic: bool = True) -> set[str]:
        """Names of the detectors that fire on one utterance. ``semantic=False`` skips the embedding
        operator (phrases and patterns only), for replies that must come back in milliseconds."""
        call = Call(id="utterance", turns=[Turn(Speaker(speaker), text)])
        ctx = CallContext(call, self.compiled, semantic=semantic)
        fired = set()
        for name, node in self.rulebook.detectors.items():
            if turns_mask(verdict(node, ctx) or 0):  # a hit on the turn (a whole-call hit is no turn's)
                fired.add(name)
        return fired

    def _run(self, ctx: CallContext, rules: list[_Rule]) -> Scorecard:
        outcomes: list[RuleOutcome] = []
        findings: list[Finding] = []
        pending: list[Pending] = []
        # per dimension, the points of the rules that applied (``scoring``), summed by the dimension's number (a list
        # read and stored by index, not a dictionary looked up and stored by name for each rule); ``order``: the
        # dimensions in the order the rules that applied first name them, as the dictionary kept its keys
        dims = self._dims
        sums = [0.0] * len(dims)
        seen = [False] * len(dims)
        order: list[int] = []
        ctx.pending = []
        for rule in rules:
            status, found = self._apply(rule, ctx)
            if ctx.pending:  # reactions a live call still waits for, noted while this rule was judged
                pending += [Pending(rule.id, t, anchor, left, said) for t, anchor, left, said in ctx.pending]
                ctx.pending = []
            if status == "failed":
                points = -min(rule.points * max(1, len(found)), rule.max_deduction or rule.points)
                outcomes.append(self._failed(rule, points))
                findings.extend(found)
            elif status == "na":
                outcomes.append(rule.na)
                continue
            elif status == "awarded":
                points = rule.points
                outcomes.append(rule.awarded)
            else:
                # passed: its 0.0 added would leave the sum as it is (a sum of points from 0.0 is never -0.0, and
                # x + 0.0 is x for every other float, NaN included), so only its dimension is noted
                outcomes.append(rule.passed)
                d = rule.dim
                if not seen[d]:
                    seen[d] = True
                    order.append(d)
                continue
            d = rule.dim
            if not seen[d]:
                seen[d] = True
                order.append(d)
            sums[d] += points
        applicable = {dims[d]: sums[d] for d in order}
        card = self._form.score(ctx.call.id, outcomes, findings, has_text=not ctx.no_text, applicable=applicable)
        card.pending = pending
        if card.total is not None and self._missed_critical_goal(ctx, outcomes):
            card.total = min(card.total, critical_cap(self.rulebook) or card.total)
        return card

    def _failed(self, rule: _Rule, points: float) -> RuleOutcome:
        """The outcome of a failed rule: the same for every call that loses the same points on it, so it is made
        once (a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``) and shared like
        ``_Rule.passed``. Points that are no negative number (-0.0, NaN: no dictionary key) are made afresh."""
        if not points < 0:
            return RuleOutcome(rule.id, rule.dimension, "failed", points)
        made = self._failed_outcomes
        key = (rule.id, points)
        outcome = made.get(key)
        if outcome is None:
            if len(made) >= _FAILED_KEPT:
                made.clear()
            outcome = made[key] = RuleOutcome(rule.id, rule.dimension, "failed", points)
        return outcome

    def _missed_critical_goal(self, ctx: CallContext, outcomes: list[RuleOutcome]) -> bool:
        """The call missed a goal the scoring form holds critical (``scoring.critical_goals``)."""
        if not self._critical_goals:
            return False
        critical = self._critical_goals & goal_names(ctx)
        if not critical:
            return False
        for o in outcomes:
            if o.status == "failed":
                rule = self._by_id[o.rule_id]
                if (rule.goal or goal_of(rule.id)) in critical:
                    return True
        return False

    def _apply(self, rule: _Rule, ctx: CallContext) -> tuple[str, list[Finding]]:
        if rule.end_of_call and ctx.partial:
            return "na", _NO_FINDINGS
        if rule.python:
            return self._apply_python(rule, ctx)
        forced = False  # judged only because the call carries the rule's goal
        # a finished call: turn masks decide (``verdicts``), and hits are gathered only for a finding; a live
        # call's open reaction windows (``ctx.pending``) are recorded by the tree walk, so it walks the tree
        quick = not ctx.partial
        # (a condition, and what a rule requires or awards, need only whether the slot hits: ``slot_hit``)
        when, when_node = rule.applies_when, rule.when_node
        if when is not None and when_node is not None and not (slot_hit(when, ctx) if quick
                                                               else evaluate(when_node, ctx)):
            goal = rule.goal
            if goal is None or goal not in goal_names(ctx):
                return "na", _NO_FINDINGS
            forced = True
        match, match_node = rule.match, rule.match_node
        assert match is not None and match_node is not None
        if quick:
            if not rule.forbid:
                hit = slot_hit(match, ctx)
                return ("na", _NO_FINDINGS) if hit is None else self._judged(rule, ctx, hit, forced)
            # a forbidding rule's mask in full: its parts' verdicts are what the evidence walk below skips by
            mask = slot_verdict(match, ctx)
            if mask is None:
                return "na", _NO_FINDINGS
            if not mask:
                return "passed", _NO_FINDINGS
        hits = evaluate(match_node, ctx)
        if hits is None:
            return "na", _NO_FINDINGS
        if rule.forbid:
            # words inside a restatement of the citizen's account (我跟您确认一下：……，对吗？) are the citizen's
            hits = [h for h in hits if h.note or h.turn_index < 0 or not ctx.restating(h.turn_index)]
            if not hits:
                return "passed", _NO_FINDINGS
            return "failed", [self._finding(rule, ctx, h) for h in _one_per_turn(hits)]
        return self._judged(rule, ctx, bool(hits), forced)

    def _judged(self, rule: _Rule, ctx: CallContext, hit: bool, forced: bool) -> tuple[str, list[Finding]]:
        """The outcome of a rule that requires (or, ``award``, awards) something, from whether its matcher hit.
        (A method, not a function given the finding to make as a closure: a closure would keep ``_apply``'s
        locals in an object made for every rule of every call.)"""
        if rule.award:
            return ("awarded", _NO_FINDINGS) if hit else ("passed", _NO_FINDINGS)
        return ("passed", _NO_FINDINGS) if hit else ("failed", [self._missing(rule, ctx, forced)])

    def _apply_python(self, rule: _Rule, ctx: CallContext) -> tuple[str, list[Finding]]:
        assert rule.impl is not None
        needs = rule.needs
        if (needs == "work_order" and ctx.work_order is None) or ctx.no_text:
            return "na", _NO_FINDINGS  # a python rule reads the words: not applicable to a recording without any
        goals = ctx.goals()
        if needs == "goals" and goals is None:
            return "na", _NO_FINDINGS
        func = resolve(rule.impl)
        if func is None:
            return "na", _NO_FINDINGS
        if needs == "goals":
            evidence = func(ctx.call, goals, ctx.work_order)
            if evidence is None:
                return "na", _NO_FINDINGS
        else:
            evidence = func(ctx.call, ctx.work_order) if needs else func(ctx.call)
        if not evidence:
            return "passed", _NO_FINDINGS
        layer = "目标" if needs == "goals" else "工单"
        return "failed", [
            Finding(rule.id, rule.dimension, rule.severity, e.turn_index, e.span, e.evidence,
                    e.message or rule.message, rule.suggestion, rule.points, rule.veto, layer=layer)
            for e in evidence
        ]

    def _finding(self, rule: _Rule, ctx: CallContext, hit: Hit) -> Finding:
        if hit.turn_index < 0:
            anchor = self._anchor(rule, ctx)
            finding = self._make(rule, ctx, anchor, None, hit.note)
            finding.layer = "时间/音频" if hit.note else "结构"
            return finding
        norm = ctx.norm[hit.turn_index]
        span = norm.to_original(hit.start, hit.end)
        finding = self._make(rule, ctx, hit.turn_index, span, hit.note or norm.original[span[0]:span[1]])
        finding.layer = "时间/音频" if hit.note and not hit.why else "词表/规则"
        if hit.why.startswith("act|"):
            _, act, said, limit = hit.why.split("|")
            prob = float(said)
            finding.threshold = float(limit)
            grams = "".join(f"「{g}」" for g in ctx.act_evidence(hit.turn_index, hit.start, hit.end, act))
            finding.layer, finding.confidence = "言语行为", prob
            # (joined by +: compiled, an f-string with a format spec formats each of its parts with a parse of "{:{}}")
            finding.message += ("（言语行为「" + self._act_title(act) + "」，概率 " + two_places(prob)
                                + (f"，依据{grams}）" if grams else "）"))
            if rule.severity is Severity.CRITICAL and prob < rule.veto_confidence:
                # a call is not zeroed, nor kept under the pass mark, on uncertain evidence
                finding.veto, finding.severity = False, Severity.MAJOR
                finding.message += "（把握不足，按一般问题扣分，建议人工复核）"
        elif hit.why == "trajectory":
            block = ctx.citizen()
            finding.layer = "情绪走势"
            finding.message += f"（市民情绪：开始 {block.start:.2f}，峰值 {block.peak:.2f}，结束 {block.end:.2f}）"
        elif hit.note.startswith("语义相似度"):
            finding.layer = "语义相似"
        return finding

    def _act_title(self, act: str) -> str:
        title = self._act_titles.get(act)
        if title is None:
            from hotline.acts.taxonomy import load_taxonomy

            title = self._act_titles[act] = load_taxonomy().get(act).title
        return title

    def _missing(self, rule: _Rule, ctx: CallContext, forced: bool = False) -> Finding:
        """Something required is absent: located at the anchor turn, with no span to highlight. A rule
        with ``elements`` names the ones that are missing (开场白缺少：工号、询问诉求)."""
        turn = self._anchor(rule, ctx)
        finding = self._make(rule, ctx, turn, None, "")
        finding.span = None
        finding.layer = "结构"
        missing = [label for label, slot in rule.element_slots if slot_hit(slot, ctx) is False]
        if missing:
            finding.message = finding.message.replace(rule.message, f"{rule.message}（缺少：{'、'.join(missing)}）", 1)
        if forced:
            finding.message += "（本通电话的目标，通话结束前没有达成）"
            finding.layer = "目标"
        return finding

    def _anchor(self, rule: _Rule, ctx: CallContext) -> int | None:
        agent = ctx.turns_of("agent")
        if rule.anchor == "first_agent" and agent:
            return agent[0]
        if rule.anchor == "last_agent" and agent:
            return agent[-1]
        return None

    def _make(self, rule: _Rule, ctx: CallContext, turn: int | None, span: tuple[int, int] | None,
              evidence: str) -> Finding:
        where = ""
        if turn is not None:
            said = ctx.call.turns[turn]
            if span is None:
                span = (0, len(said.text))
                evidence = evidence or said.text
            where = _where(turn, said.speaker is Speaker.AGENT)
        # (the message in one string build: the quote of the evidence written inside it, not built apart first)
        message = f"{rule.message}：「{evidence}」{where}" if evidence and rule.forbid else rule.message + where
        return Finding(rule.id, rule.dimension, rule.severity, turn, span, evidence, message, rule.suggestion,
                       rule.points, rule.veto)


@contextlib.contextmanager
def collector_waits() -> Iterator[None]:
    """Python's collector of reference cycles paused while calls are judged, and on again after: judging
    a call leaves almost no cycles (its collections found about 0.3 unreachable objects per call, now
    collected later), yet the collections its allocations would trigger cost about a third of its time.
    The caller drops the calls' contexts before the collector is on again: the first collection after the
    pause walks every object still alive that was made during it, and the contexts are most of them."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


_WHERE_MADE: Final = 256  # turns whose place in a message is written once (a call has a few dozen turns)
_AGENT_AT: Final = [f"（第 {i + 1} 句，坐席）" for i in range(_WHERE_MADE)]
_CITIZEN_AT: Final = [f"（第 {i + 1} 句，市民）" for i in range(_WHERE_MADE)]


def _where(turn: int, agent: bool) -> str:
    """Where a finding is, as its message ends: （第 3 句，坐席）. Read from a list made once for the first
    ``_WHERE_MADE`` turns (the string built and the number written for every finding, else); later turns are written."""
    if 0 <= turn < _WHERE_MADE:
        return _AGENT_AT[turn] if agent else _CITIZEN_AT[turn]
    return f"（第 {turn + 1} 句，{'坐席' if agent else '市民'}）"


def goal_of(rule_id: str) -> str | None:
    """The goal a goal rule checks (goal.facts.v1 → facts)."""
    parts = rule_id.split(".")
    return parts[1] if parts[0] == "goal" and len(parts) == 3 else None


def _one_per_turn(hits: list[Hit]) -> list[Hit]:
    """A phrase or pattern hit is the most precise evidence; the act layer adds a finding only for a
    turn where nothing else of the same rule fired, and then one (its likeliest clause). Phrase hits that
    overlap in one turn (具体在哪 / 在哪里) are the same words: one finding, not one per phrase.

    Most lists are answered by one look at each hit (``_spread``), without the sort of ``_no_overlaps`` and the
    act hits' probabilities parsed: when no two phrase or pattern hits with a span share a turn, none overlaps
    another and every one is kept, in order; an act hit in a turn one of them holds is dropped, and when every act
    hit is, what is left is those hits in order. Else (two spans in one turn, or an act hit alone in its turn) the
    hits go through ``_sorted_out``, which is the plain definition."""
    if len(hits) < 2:
        return hits  # one hit overlaps nothing, and is its turn's only act hit if it is one: kept as it is
    spread = _spread(hits)
    if spread is None:
        return _sorted_out(hits)
    return spread


def _spread(hits: list[Hit]) -> list[Hit] | None:
    """``_sorted_out(hits)`` when no two phrase or pattern hits with a span (not empty, not the whole call's) share
    a turn and every act hit's turn holds a phrase or pattern hit; None otherwise (not known here)."""
    spans = 0  # the turns of the phrase and pattern hits with a span (bit t: turn t)
    precise = 0  # the turns of every phrase and pattern hit (bit t + 1: turn t, bit 0 the whole call)
    acts = 0  # the turns of the act hits (bit t + 1)
    for h in hits:
        t = h.turn_index
        if t < -1:
            return None  # (no such turn: left to the plain definition)
        if h.why.startswith("act|"):
            acts |= 1 << (t + 1)
            continue
        precise |= 1 << (t + 1)
        if t >= 0 and h.start < h.end:
            bit = 1 << t
            if spans & bit or h.start < 0:
                return None  # two spans in one turn: they may overlap
            spans |= bit
    if not acts:
        return hits  # nothing dropped, no act hit: the hits as they are
    if acts & ~precise:
        return None  # an act hit alone in its turn: its turn's likeliest is chosen
    return [h for h in hits if not h.why.startswith("act|")]


def _sorted_out(hits: list[Hit]) -> list[Hit]:
    """``_one_per_turn`` of two hits or more, by its plain definition."""
    precise: list[Hit] = []
    acts: list[Hit] = []
    for h in _no_overlaps(hits):
        if h.why.startswith("act|"):
            acts.append(h)
        else:
            precise.append(h)
    if not acts:
        return precise
    turns = {h.turn_index for h in precise}
    best: dict[int, Hit] = {}
    for h in acts:
        if h.turn_index in turns:
            continue
        old = best.get(h.turn_index)
        if old is None or float(h.why.split("|")[2]) > float(old.why.split("|")[2]):
            best[h.turn_index] = h
    return precise + sorted(best.values())


def _no_overlaps(hits: list[Hit]) -> list[Hit]:
    """Phrase and pattern hits without those overlapping an earlier (or, at the same start, a longer) one of
    the same turn; act hits and whole-call hits as they are."""
    # by turn, start and longest first; the index last, for the order of equal keys (as a stable sort keeps it)
    order = sorted([(h.turn_index, h.start, -h.end, i) for i, h in enumerate(hits)])
    dropped: set[int] = set()
    last: dict[int, int] = {}  # turn → end of the last kept span
    for turn, start, neg_end, i in order:
        if turn < 0 or -neg_end <= start or hits[i].why.startswith("act|"):
            continue
        if start < last.get(turn, -1):
            dropped.add(i)
        else:
            last[turn] = -neg_end
    if not dropped:
        return hits
    return [h for i, h in enumerate(hits) if i not in dropped]
