"""The timing operators read their node's fields once (``plan.TimingRead``, helper s39): each verdict and each tree
walk's hits are what the operator's definition gives reading the pydantic node itself, on calls of every shape."""

from __future__ import annotations

import random
from typing import Any

from test_plan import engine_with

from hotline.inspect import plan as op
from hotline.inspect import timing
from hotline.inspect.context import CallContext
from hotline.inspect.operators import evaluate
from hotline.inspect.plan import TimingRead
from hotline.inspect.results import hit_mask
from hotline.model import Call, Speaker, Turn
from hotline.norms.schema import Matcher

A, C = Speaker.AGENT, Speaker.CITIZEN

# every timing operator, with its optional fields given and left to their defaults (agent_gap's min_seconds 0)
NODES: list[dict[str, Any]] = [
    {"silence": {"min_seconds": 2}},
    {"silence": {"min_seconds": 0.25}},
    {"reply_gap": {"min_seconds": 1.5}},
    {"overlap": {"min_seconds": 0.5}},
    {"agent_gap": {"min_seconds": 1, "max_seconds": 4}},
    {"agent_gap": {"min_seconds": 1}},
    {"agent_gap": {"max_seconds": 2.5}},
    {"speech_rate": {"min_cpm": 100, "max_cpm": 300, "min_chars": 4}},
    {"speech_rate": {"relative_to_citizen": 1.2, "min_chars": 2}},
    {"speech_rate": {"relative_to_citizen": 0.5, "min_chars": 1, "speaker": "any"}},
    {"speech_rate": {"speaker": "citizen", "max_cpm": 200}},
    {"speech_rate": {"min_cpm": 150}},
    {"metric": {"name": "loud", "lt": -35}},
    {"metric": {"name": "loud", "gt": 0.5}},
    {"metric": {"name": "quiet", "lt": 1, "gt": 5}},
]
RULES = [{"id": f"test.timing_s39_{i}.v1", "kind": "forbid", "match": m} for i, m in enumerate(NODES)]
TEXTS = ["您好，请问有什么可以帮您？", "我家楼下的路灯坏了。", "好的", "", "  ", "电话13800138000", "😀😀好的😀",
         "第一行\n第二行", "，。？", "abc DEF 123", "路灯坏了路灯坏了路灯坏了路灯坏了路灯坏了"]


# ── the definitions, reading the node itself (as the operators did before their fields were read once) ─────────
def _allows(allowed: int | None, i: int) -> bool:
    return allowed is None or (allowed >> i) & 1 == 1


def _cpm(ctx: CallContext, i: int) -> float | None:
    t = ctx.call.turns[i]
    if t.start is None or t.end is None or t.end <= t.start:
        return None
    return sum(ch.isalnum() for ch in t.text) / ((t.end - t.start) / 60.0)


def plain(node: Matcher, ctx: CallContext, allowed: int | None) -> int | None:
    """The verdict mask of a timing node, from its definition."""
    turns = ctx.call.turns
    if node.metric is not None:
        m = node.metric
        value = (ctx.call.meta.get("metrics") or {}).get(m.name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return None
        return int((m.lt is not None and value < m.lt) or (m.gt is not None and value > m.gt))
    if not ctx.call.has_times:
        return None
    out = 0
    replies = [i for i in range(1, len(turns)) if turns[i].speaker is A and turns[i - 1].speaker is C]
    if node.silence is not None:
        latest = turns[0].end or 0.0
        for i in range(1, len(turns)):
            if (turns[i].start or 0.0) - latest > node.silence.min_seconds and _allows(allowed, i):
                out |= 1 << (i + 1)
            latest = max(latest, turns[i].end or 0.0)
    elif node.reply_gap is not None:
        for i in replies:
            gap = (turns[i].start or 0.0) - (turns[i - 1].end or 0.0)
            if (turns[i - 1].text or ctx.no_text) and gap > node.reply_gap.min_seconds and _allows(allowed, i):
                out |= 1 << (i + 1)
    elif node.overlap is not None:
        for i in replies:
            if (turns[i - 1].end or 0.0) - (turns[i].start or 0.0) > node.overlap.min_seconds and _allows(allowed, i):
                out |= 1 << (i + 1)
    elif node.agent_gap is not None:
        g = node.agent_gap
        agent = [i for i, t in enumerate(turns) if t.speaker is A]
        for a, b in zip(agent, agent[1:], strict=False):
            gap = (turns[b].start or 0.0) - (turns[a].end or 0.0)
            if (gap < g.min_seconds or (g.max_seconds is not None and gap > g.max_seconds)) and _allows(allowed, b):
                out |= 1 << (b + 1)
    else:
        r = node.speech_rate
        assert r is not None
        rates = [_cpm(ctx, i) for i in range(len(turns))]
        citizen = [i for i, t in enumerate(turns) if t.speaker is C]
        known = [x for i in citizen if (x := rates[i])]
        pace = sum(known) / len(known) if known else None
        first = next((i for i in citizen if turns[i].text), len(turns))
        for i, t in enumerate(turns):
            if r.speaker != "any" and t.speaker.value != r.speaker:
                continue
            cpm = rates[i]
            if not _allows(allowed, i) or sum(ch.isalnum() for ch in t.text) < r.min_chars or cpm is None:
                continue
            if ((r.max_cpm and cpm > r.max_cpm) or (r.min_cpm and cpm < r.min_cpm)
                    or (r.relative_to_citizen and pace and i > first and cpm > pace * r.relative_to_citizen)):
                out |= 1 << (i + 1)
    return out


def _calls(seed: int, n: int) -> list[Call]:
    rnd = random.Random(seed)
    calls = []
    for k in range(n):
        turns = []
        clock = 0.0
        for _ in range(rnd.randint(1, 9)):
            start = clock + rnd.choice([-1.0, -0.3, 0.0, 0.2, 0.5, 1.5, 1.6, 3.0, 7.0])
            end = start + rnd.choice([0.0, 0.1, 0.5, 1.0, 2.0, 6.0, 20.0])
            timed = rnd.random() > 0.08 or k % 7 == 0  # a turn without times now and then
            turns.append(Turn(rnd.choice([A, C]), rnd.choice(TEXTS), start if timed else None, end if timed else None))
            clock = max(clock, end)
        meta: dict[str, Any] = {"metrics": {"loud": rnd.choice([-40.0, -35, 0.5, 0.75, 3, True, "x", None]),
                                            "quiet": rnd.choice([0, 1, 3, 5.0, 6])}} if k % 3 else {}
        calls.append(Call(f"c{k}", turns, meta))
    calls.append(Call("untimed", [Turn(A, "您好", None, None), Turn(C, "喂", None, None)], {"metrics": {"loud": 3}}))
    calls.append(Call("silent", [Turn(A, "", 0.0, 1.0), Turn(C, "", 2.0, 5.0), Turn(A, "", 9.0, 9.5)]))
    return calls


def test_a_timing_verdict_and_its_hits_are_its_definitions() -> None:
    engine = engine_with(*RULES)
    slots = [s for s in engine.compiled.plan.slots if s.code >= op.SPEECH_RATE]
    assert {s.op for s in slots} == {"silence", "reply_gap", "overlap", "agent_gap", "speech_rate", "metric"}
    hit = na = 0
    for c in _calls(39, 120):
        n = len(c.turns)
        for allowed in (None, (1 << n) - 1, 0b10101 & ((1 << n) - 1), 0b1010, 0):
            quick, walk = CallContext(c, engine.compiled), CallContext(c, engine.compiled)
            for slot in slots:
                want = plain(slot.node, quick, allowed)
                assert slot.timing is not None and slot.timing.node is slot.node
                assert timing.read_verdict(slot.code, slot.timing, quick, allowed) == want, (c, slot.node, allowed)
                assert timing.verdict(slot.code, slot.node, quick, allowed) == want
                assert hit_mask(evaluate(slot.node, walk, allowed)) == want, (c, slot.node, allowed)
                hit += bool(want)
                na += want is None
    assert hit > 100 and na > 10


def test_the_fields_read_are_the_nodes() -> None:
    for spec in NODES:
        node = Matcher.model_validate(spec)
        read = TimingRead(node)
        kind, fields = next(iter(spec.items()))
        got = getattr(node, kind)
        if kind == "speech_rate":
            assert (read.speaker, read.min_chars, read.min_cpm, read.max_cpm, read.relative) == (
                got.speaker, got.min_chars, got.min_cpm, got.max_cpm, got.relative_to_citizen)
        elif kind == "metric":
            assert (read.name, read.lt, read.gt) == (got.name, got.lt, got.gt)
        else:
            assert read.min_seconds == got.min_seconds
            assert read.max_seconds == (got.max_seconds if kind == "agent_gap" else None)


def test_a_node_that_is_not_its_slots_own_is_read_itself() -> None:
    engine = engine_with(*RULES)
    call = _calls(7, 1)[0]
    ctx = CallContext(call, engine.compiled)
    slot = next(s for s in engine.compiled.plan.slots if s.op == "silence")
    assert timing.read_of(slot.node, ctx) is slot.timing
    other = Matcher.model_validate({"silence": {"min_seconds": 0.01}})  # no node of the rulebook
    read = timing.read_of(other, ctx)
    assert read is not slot.timing and read.node is other and read.min_seconds == 0.01
    twin = Matcher.model_validate(slot.node.model_dump(exclude_none=True))  # the same shape, another node
    assert timing.read_of(twin, ctx).node is twin
    assert timing.silence(other, ctx, None) is not None
