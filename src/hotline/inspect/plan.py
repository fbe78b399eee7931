"""The evaluation plan: a rulebook's matcher trees compiled once into numbered slots.

- Detector references are resolved, and structurally identical subtrees (the same ``within`` of the same
  detector in a rule's ``match`` and in its ``elements``) share one slot: each slot is evaluated at most
  once per call and set of turns.
- Every slot knows what it needs to hit anything (``need``): the lexicon keys of the phrase automaton and
  the speech acts whose absence from a call makes its result empty. One automaton pass tells which keys a
  call holds; a slot none of whose keys or acts is present answers ``[]`` without being walked.
- ``nonull``: the slot always applies to a call with words (it never answers None, "not applicable"). A
  parent may only skip on a child's ``need`` when its other children cannot turn the answer into None.

Only the analysis lives here; the operators that run a slot are in ``operators`` (one level up), which
reads this plan: ``plan`` → ``compiled`` → ``context`` → ``operators``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from pydantic import BaseModel

from hotline.norms.schema import Matcher, Rulebook, Scope

# the operators the verdict pass (``verdicts``) answers itself, by number; 0: through the tree walk
ALL: Final = 1
ANY: Final = 2
NOT: Final = 3
WITHIN: Final = 4
PHRASES: Final = 5
REGEX: Final = 6
ACT: Final = 7
TURN: Final = 8
UNANSWERED: Final = 9
COUNT: Final = 10
DISTINCT: Final = 11
RESTATE: Final = 12
SEQUENCE: Final = 13
# the timing operators (``timing.verdict``), from SPEECH_RATE on
SPEECH_RATE: Final = 14
SILENCE: Final = 15
REPLY_GAP: Final = 16
OVERLAP: Final = 17
AGENT_GAP: Final = 18
METRIC: Final = 19
CODES: Final = {"all": ALL, "any": ANY, "not_": NOT, "within": WITHIN, "phrases": PHRASES, "regex": REGEX, "act": ACT,
                "turn": TURN, "unanswered": UNANSWERED, "count": COUNT, "distinct": DISTINCT,
                "restate": RESTATE, "sequence": SEQUENCE, "speech_rate": SPEECH_RATE, "silence": SILENCE,
                "reply_gap": REPLY_GAP, "overlap": OVERLAP, "agent_gap": AGENT_GAP, "metric": METRIC}


class ScopeRead:
    """A ``Scope``'s fields, read once: it is a pydantic model, each of whose attributes is a generic lookup, and
    scopes are asked for again and again (each operator of each call)."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope  # kept alive, so its id names no other scope while this is remembered
        self.speaker: str = scope.speaker
        self.min_chars: int = scope.min_chars
        self.first_turns: int | None = scope.first_turns
        self.last_turns: int | None = scope.last_turns
        self.first_seconds: float | None = scope.first_seconds
        self.last_seconds: float | None = scope.last_seconds


class TimingRead:
    """A timing operator's fields, read once (``wire``) for ``timing``: its node is a pydantic model, each of whose
    attributes is a generic lookup, and the timing operators are asked on every call. The fields a node's operator
    has not keep their defaults here and are not read."""

    def __init__(self, node: Matcher) -> None:
        self.node = node  # kept alive, so that a reader may tell it is this node's (``timing.read_of``)
        self.speaker: str = "agent"  # speech_rate
        self.min_chars: int = 0
        self.min_cpm: float | None = None
        self.max_cpm: float | None = None
        self.relative: float | None = None
        self.min_seconds: float = 0.0  # silence / reply_gap / overlap / agent_gap
        self.max_seconds: float | None = None  # agent_gap
        self.name: str = ""  # metric
        self.lt: float | None = None
        self.gt: float | None = None
        if node.speech_rate is not None:
            r = node.speech_rate
            self.speaker, self.min_chars, self.min_cpm, self.max_cpm = r.speaker, r.min_chars, r.min_cpm, r.max_cpm
            self.relative = r.relative_to_citizen
        elif node.silence is not None:
            self.min_seconds = node.silence.min_seconds
        elif node.reply_gap is not None:
            self.min_seconds = node.reply_gap.min_seconds
        elif node.overlap is not None:
            self.min_seconds = node.overlap.min_seconds
        elif node.agent_gap is not None:
            self.min_seconds, self.max_seconds = node.agent_gap.min_seconds, node.agent_gap.max_seconds
        elif node.metric is not None:
            self.name, self.lt, self.gt = node.metric.name, node.metric.lt, node.metric.gt


@dataclass(slots=True)
class Slot:
    index: int
    node: Matcher
    op: str
    filterable: bool = False
    need_keys: frozenset[str] = frozenset()
    need_acts: frozenset[str] = frozenset()
    has_need: bool = False
    nonull: bool = False
    # what the verdict pass reads, taken from the node once (``wire``): its parts as slots, its own settings
    code: int = 0
    parts: list[Slot] = field(default_factory=list)  # all / any / distinct / turn.has / sequence
    lacks: list[Slot] = field(default_factory=list)  # turn.lacks
    of: Slot | None = None  # not / within / count / unanswered.trigger / restate.confirm
    expect: Slot | None = None  # unanswered
    rearm: Slot | None = None  # unanswered
    intent: Slot | None = None  # restate
    opener: Slot | None = None  # restate
    scope: Scope | None = None  # phrases / regex / act / within
    # the scope's fields read once (``wire``): the verdict pass reads its turns from them, not through the call's
    # memory of scopes (``operators.scope_turns``), which it never hit: it asks each slot once per call and mask
    read: ScopeRead | None = None
    speaker: str = ""  # the scope's speaker when that is all it narrows to (no first/last turns or seconds, no length)
    mode: str = ""  # phrases
    guards: bool = False  # phrases / regex / act
    least: int | None = None  # count.min, distinct.min
    most: int | None = None  # count.max
    similar: bool = False  # the embedding operator (``any`` narrows its turns)
    keys: list[str] = field(default_factory=list)  # phrases: the automaton keys
    pattern: re.Pattern[str] | None = None  # regex (set by ``compiled``)
    exclude: re.Pattern[str] | None = None
    need: str | re.Pattern[str] | None = None
    need_key: str = ""  # the automaton key of ``need``'s literals (``Compiled.regex_need_keys``), or ""
    anchored: bool = False
    limits: list[tuple[str, float]] = field(default_factory=list)  # act: (name, threshold)
    # unanswered: the reply window's fields (the agent turns after the trigger that may answer, those just before it,
    # the trigger's own) and whether only the first trigger is judged
    within: int = 0
    before: int = 0
    same_turn: bool = False
    first_only: bool = False
    timing: TimingRead | None = None  # the timing operators (code SPEECH_RATE on): their fields, read once


@dataclass(slots=True)
class Plan:
    slots: list[Slot] = field(default_factory=list)
    slot_of: dict[int, int] = field(default_factory=dict)  # id(node) → slot index, for every node of the rulebook
    slot_by_node: dict[int, Slot] = field(default_factory=dict)  # id(node) → its slot (what ``evaluate`` reads)
    # a lexicon key / a speech act → the slots that need it: a call's keys and acts give its live slots at once
    by_key: dict[str, tuple[int, ...]] = field(default_factory=dict)
    by_act: dict[str, tuple[int, ...]] = field(default_factory=dict)


def shape(value: Any, known: dict[int, Any] | None = None) -> Any:
    """What tells a node apart, as a value compared and hashed: what ``model_dump(mode="json", exclude_none=True)``
    tells apart (every field that is not None, nested), read field by field. A dump would build the validator of
    the whole recursive ``Matcher`` schema, which nothing else needs at a start from the cache, a twentieth of it.
    Scalars are paired with their type, as JSON tells 1 from 1.0 and from true. ``known``: the shapes of models
    found so far, by id (models alive while it is), so that a tree's shapes are read once, not once per parent."""
    if isinstance(value, BaseModel):
        if known is not None and id(value) in known:
            return known[id(value)]
        fields = value.__dict__  # (a pydantic model keeps its fields there; ``getattr`` is a generic lookup)
        got = ("(", *[(name, shape(v, known)) for name in type(value).model_fields
                      if (v := fields.get(name)) is not None])
        if known is not None:
            known[id(value)] = got
        return got
    if isinstance(value, list | tuple):
        return ("[", *[shape(v, known) for v in value])
    if isinstance(value, dict):
        return ("{", *sorted((str(k), shape(v, known)) for k, v in value.items()))
    if isinstance(value, Enum):
        value = value.value
    return (type(value).__name__, value)


def build_plan(rb: Rulebook, roots: list[Matcher], node_keys: dict[int, list[str]], resolved: dict[int, Matcher],
               filterable: set[int]) -> Plan:
    """``roots``: every matcher tree of the rulebook; ``node_keys``: the automaton keys of each phrase node;
    ``resolved``: a detector reference → the node it names; ``filterable``: nodes whose hits over a subset of
    turns are their hits over the whole call, filtered."""
    plan = Plan()
    by_shape: dict[Any, int] = {}
    shapes: dict[int, Any] = {}  # (``shape``: the rulebook holds every node while the plan is built)

    def visit(node: Matcher) -> int:
        if id(node) in plan.slot_of:
            return plan.slot_of[id(node)]
        target = resolved.get(id(node), node)
        if target is not node:
            index = visit(target)
            plan.slot_of[id(node)] = index
            return index
        key = shape(node, shapes)  # two nodes of one shape are the same subtree: they share a slot
        if key not in by_shape:
            index = by_shape[key] = len(plan.slots)
            plan.slots.append(Slot(index, node, node.operator(), filterable=id(node) in filterable))
            plan.slot_of[id(node)] = index
            for child in _children(node):
                visit(child)
            _analyse(plan.slots[index], plan, node_keys)
        else:
            index = plan.slot_of[id(node)] = by_shape[key]
            for child in _children(node):  # its own children, so that operators find them by id
                visit(child)
        return index

    for root in roots:
        visit(root)
    by_key: dict[str, list[int]] = {}
    by_act: dict[str, list[int]] = {}
    for slot in plan.slots:
        if slot.has_need:
            for key in slot.need_keys:
                by_key.setdefault(key, []).append(slot.index)
            for act in slot.need_acts:
                by_act.setdefault(act, []).append(slot.index)
    plan.slot_by_node = {node_id: plan.slots[index] for node_id, index in plan.slot_of.items()}
    for slot in plan.slots:
        _wire(slot, plan, node_keys)
    plan.by_key = {k: tuple(v) for k, v in by_key.items()}
    plan.by_act = {k: tuple(v) for k, v in by_act.items()}
    return plan


def _children(node: Matcher) -> list[Matcher]:
    out: list[Matcher] = []
    for group in (node.all, node.any, node.sequence):
        out.extend(group or [])
    for one in (node.not_, node.within.of if node.within else None, node.count.of if node.count else None):
        if one is not None:
            out.append(one)
    if node.distinct is not None:
        out.extend(node.distinct.of)
    if node.turn is not None:
        out.extend([*node.turn.has, *node.turn.lacks])
    if node.unanswered is not None:
        u = node.unanswered
        out.extend(m for m in (u.trigger, u.expect, u.rearm) if m is not None)
    if node.restate is not None:
        r = node.restate
        out.extend(m for m in (r.confirm, r.intent, r.opener) if m is not None)
    return out


def _wire(slot: Slot, plan: Plan, node_keys: dict[int, list[str]]) -> None:
    """Copy onto a slot what the verdict pass reads of its node, its parts as slots."""
    node = slot.node

    def one(m: Matcher) -> Slot:
        return plan.slots[plan.slot_of[id(m)]]

    def many(ms: list[Matcher] | None) -> list[Slot]:
        return [one(m) for m in ms or []]

    slot.code = CODES.get(slot.op, 0)
    slot.similar = slot.op == "similar"
    if node.all is not None:
        slot.parts = many(node.all)
    elif node.any is not None:
        slot.parts = many(node.any)
    elif node.distinct is not None:
        slot.parts, slot.least = many(node.distinct.of), node.distinct.min
    elif node.turn is not None:
        slot.parts, slot.lacks = many(node.turn.has), many(node.turn.lacks)
    elif node.sequence is not None:
        slot.parts = many(node.sequence)
    elif node.not_ is not None:
        slot.of = one(node.not_)
    elif node.within is not None:
        slot.of, slot.scope = one(node.within.of), node.within
    elif node.count is not None:
        slot.of, slot.least, slot.most = one(node.count.of), node.count.min, node.count.max
    elif node.unanswered is not None:
        u = node.unanswered
        slot.of, slot.expect = one(u.trigger), one(u.expect)
        slot.rearm = one(u.rearm) if u.rearm is not None else None
        slot.within, slot.before, slot.same_turn, slot.first_only = u.within, u.before, u.same_turn, u.first_only
    elif node.restate is not None:
        r = node.restate
        slot.of = one(r.confirm)
        slot.intent = one(r.intent) if r.intent is not None else None
        slot.opener = one(r.opener) if r.opener is not None else None
    elif node.phrases is not None:
        slot.scope, slot.mode, slot.guards = node.phrases, node.phrases.mode, node.phrases.guards
        slot.keys = list(node_keys[id(node)])
    elif node.regex is not None:
        slot.scope, slot.guards = node.regex, node.regex.guards
    elif node.act is not None:
        slot.scope, slot.guards = node.act, node.act.guards
    if slot.code >= SPEECH_RATE:
        slot.timing = TimingRead(node)
    slot.speaker = _plain_speaker(slot.scope)
    slot.read = None if slot.scope is None else ScopeRead(slot.scope)


def _plain_speaker(scope: Scope | None) -> str:
    """The speaker of a scope that narrows to a speaker's turns only, else ""."""
    if scope is None or scope.first_turns or scope.last_turns or scope.min_chars or _timed(scope):
        return ""
    return scope.speaker


def _timed(scope: Scope) -> bool:
    return bool(scope.first_seconds or scope.last_seconds)


def _analyse(slot: Slot, plan: Plan, node_keys: dict[int, list[str]]) -> None:
    """Fill ``need`` and ``nonull`` of a slot whose children are analysed already."""
    node = slot.node

    def child(m: Matcher) -> Slot:
        return plan.slots[plan.slot_of[id(m)]]

    def needs(s: Slot) -> None:
        slot.need_keys, slot.need_acts, slot.has_need = s.need_keys, s.need_acts, s.has_need

    op = slot.op
    if op == "phrases":
        assert node.phrases is not None
        slot.nonull = not _timed(node.phrases)
        if node.phrases.mode != "none":  # no raw match → [] whatever the scope (see operators._phrases)
            slot.need_keys, slot.has_need = frozenset(node_keys[id(node)]), True
    elif op == "act":
        assert node.act is not None
        slot.nonull = not _timed(node.act)
        if slot.nonull:
            slot.need_acts, slot.has_need = frozenset(node.act.names()), True
    elif op == "regex":
        assert node.regex is not None
        slot.nonull = not _timed(node.regex)
    elif op == "silent_call":
        slot.nonull = True
    elif op in ("any", "distinct"):  # hits nothing when no part hits; N/A only when every part is N/A
        kids = [child(c) for c in (node.any or [] if op == "any" else node.distinct.of if node.distinct else [])]
        slot.nonull = any(k.nonull for k in kids)
        if all(k.has_need for k in kids):
            slot.need_keys = frozenset().union(*(k.need_keys for k in kids))
            slot.need_acts = frozenset().union(*(k.need_acts for k in kids))
            slot.has_need = True
    elif op in ("all", "sequence", "turn"):  # hits nothing when one part hits nothing, unless another is N/A
        parts = node.all if op == "all" else node.sequence if op == "sequence" else node.turn.has if node.turn else []
        kids = [child(c) for c in parts or []]
        slot.nonull = all(k.nonull for k in kids)
        first = next((k for k in kids if k.has_need), None)
        if slot.nonull and first is not None:
            needs(first)
    elif op == "not_":
        assert node.not_ is not None
        slot.nonull = child(node.not_).nonull
    elif op == "within":
        assert node.within is not None
        of = child(node.within.of)
        slot.nonull = of.nonull and not _timed(node.within)
        if not _timed(node.within):
            needs(of)
    elif op == "count":
        assert node.count is not None
        of = child(node.count.of)
        slot.nonull = of.nonull
        if node.count.min is not None and node.count.min >= 1:
            needs(of)
    elif op == "unanswered":
        assert node.unanswered is not None
        trigger = child(node.unanswered.trigger)
        slot.nonull = trigger.nonull
        needs(trigger)
    elif op == "restate":
        assert node.restate is not None
        confirm = child(node.restate.confirm)
        slot.nonull = confirm.nonull
        needs(confirm)
    # similar, trajectory and the timing operators: may not apply (None), no need
