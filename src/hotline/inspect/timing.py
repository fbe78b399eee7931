"""Timing operators: they need turn times (or audio metrics) and are N/A (None) without them.

Each is written once, as ``_name(op, ctx, allowed, hits)``: it answers the turns it hits as a verdict mask (bit 0
the whole call, bit i + 1 turn i; None when N/A) and, when ``hits`` is a list, puts its hits there with their notes.
The tree walk (``operators``) reads the hits; the verdict pass (``verdicts``) only the mask (``verdict``), so that
no note is formatted, no hit built, for the rules that pass. ``op``: the node's fields read once (``plan.TimingRead``,
kept on its slot), not looked up on the pydantic node at each call."""

from __future__ import annotations

from hotline.inspect.context import CALL_HIT, CallContext, Hit
from hotline.inspect.plan import AGENT_GAP, METRIC, OVERLAP, REPLY_GAP, SILENCE, SPEECH_RATE, TimingRead
from hotline.inspect.results import Allowed, Result, allows
from hotline.model import Speaker
from hotline.norms.schema import Matcher


def read_of(node: Matcher, ctx: CallContext) -> TimingRead:
    """The fields of a timing node, read once: its slot's (``Slot.timing``, what the tree walk's nodes are), or read
    now for a node that is not its slot's own (another node of the same shape, or no node of this rulebook)."""
    slot = ctx.slot_by_node.get(id(node))
    read = slot.timing if slot is not None else None
    if read is None or read.node is not node:
        read = TimingRead(node)
    return read


def _whole(ctx: CallContext, i: int, note: str) -> Hit:
    return Hit(i, 0, len(ctx.norm[i].text), note)


def _hits(found: int | None, hits: list[Hit]) -> Result:
    return None if found is None else hits


def silence(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    hits: list[Hit] = []
    return _hits(_silence(read_of(node, ctx), ctx, allowed, hits), hits)


def _silence(op: TimingRead, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    if not ctx.has_times:
        return None
    turns, out = ctx.call.turns, 0
    min_seconds = op.min_seconds
    latest_end = turns[0].end or 0.0  # has_times: at least one turn
    for i in range(1, len(turns)):
        gap = (turns[i].start or 0.0) - latest_end
        if gap > min_seconds and allows(allowed, i):
            out |= 1 << (i + 1)
            if hits is not None:
                hits.append(_whole(ctx, i, f"冷场 {gap:.1f} 秒"))
        latest_end = max(latest_end, turns[i].end or 0.0)
    return out


def reply_gap(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    hits: list[Hit] = []
    return _hits(_reply_gap(read_of(node, ctx), ctx, allowed, hits), hits)


def _reply_gap(op: TimingRead, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    if not ctx.has_times:
        return None
    out = 0
    min_seconds = op.min_seconds
    turns = ctx.call.turns
    for i in range(1, len(turns)):  # every agent turn that directly follows a citizen turn
        cur = turns[i]
        prev = turns[i - 1]
        if cur.speaker is not Speaker.AGENT or prev.speaker is not Speaker.CITIZEN:
            continue
        gap = (cur.start or 0.0) - (prev.end or 0.0)
        if (prev.text or ctx.no_text) and gap > min_seconds and allows(allowed, i):
            out |= 1 << (i + 1)
            if hits is not None:
                hits.append(_whole(ctx, i, f"市民说完 {gap:.1f} 秒后才回应"))
    return out


def overlap(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    hits: list[Hit] = []
    return _hits(_overlap(read_of(node, ctx), ctx, allowed, hits), hits)


def _overlap(op: TimingRead, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    if not ctx.has_times:
        return None
    out = 0
    min_seconds = op.min_seconds
    turns = ctx.call.turns
    for i in range(1, len(turns)):  # every agent turn that directly follows a citizen turn
        cur = turns[i]
        prev = turns[i - 1]
        if cur.speaker is not Speaker.AGENT or prev.speaker is not Speaker.CITIZEN:
            continue
        over = (prev.end or 0.0) - (cur.start or 0.0)
        if over > min_seconds and allows(allowed, i):
            out |= 1 << (i + 1)
            if hits is not None:
                hits.append(_whole(ctx, i, f"与市民重叠 {over:.1f} 秒（抢话）"))
    return out


def agent_gap(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    hits: list[Hit] = []
    return _hits(_agent_gap(read_of(node, ctx), ctx, allowed, hits), hits)


def _agent_gap(op: TimingRead, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    if not ctx.has_times:
        return None
    agent = ctx.turns_of("agent")
    turns = ctx.call.turns
    min_seconds, max_seconds = op.min_seconds, op.max_seconds
    out = 0
    for k in range(1, len(agent)):  # each agent turn after the first, with the one before it
        a = agent[k - 1]
        b = agent[k]
        gap = (turns[b].start or 0.0) - (turns[a].end or 0.0)
        too_long = max_seconds is not None and gap > max_seconds
        if (gap < min_seconds or too_long) and allows(allowed, b):
            out |= 1 << (b + 1)
            if hits is not None:
                hits.append(_whole(ctx, b, f"与上一句提示间隔 {gap:.1f} 秒"))
    return out


def turn_cpm(ctx: CallContext, i: int) -> float | None:
    """Characters per minute of turn ``i`` (punctuation excluded), None without a usable duration."""
    t = ctx.call.turns[i]
    if t.start is None or t.end is None or t.end <= t.start:
        return None
    return ctx.alnum_count(i) / ((t.end - t.start) / 60.0)


def _rates(ctx: CallContext) -> list[float | None]:
    """``turn_cpm`` of every turn, once per call (each speech-rate rule reads them)."""
    if ctx.cpm is None:
        ctx.cpm = [turn_cpm(ctx, i) for i in range(len(ctx.call.turns))]
    return ctx.cpm


def speech_rate(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    hits: list[Hit] = []
    return _hits(_speech_rate(read_of(node, ctx), ctx, allowed, hits), hits)


def _speech_rate(op: TimingRead, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    if not ctx.has_times:
        return None
    rates = _rates(ctx)
    min_chars, max_cpm, min_cpm, relative = op.min_chars, op.max_cpm, op.min_cpm, op.relative
    citizen_pace: float | None = None
    first_citizen = 0
    if relative:  # (the citizen's pace is read only by a pace relative to it)
        citizen = ctx.turns_of("citizen")
        # the mean of the citizen's rates that are known and not 0, added in turn order (as ``sum`` of their list)
        total = 0.0
        known = 0
        for i in citizen:
            r = rates[i]
            if r:
                total += r
                known += 1
        citizen_pace = total / known if known else None
        # the opening is said before the agent has heard the caller's pace: the citizen's first turn with words
        first_citizen = len(ctx.call.turns)
        for i in citizen:
            if ctx.call.turns[i].text:
                first_citizen = i
                break
    out = 0
    for i in ctx.turns_of(op.speaker):
        if not allows(allowed, i) or ctx.alnum_count(i) < min_chars:
            continue
        cpm = rates[i]
        if cpm is None:
            continue
        if max_cpm and cpm > max_cpm:
            why = "过快"
        elif min_cpm and cpm < min_cpm:
            why = "过慢"
        elif relative and citizen_pace and i > first_citizen and cpm > citizen_pace * relative:
            why = f"明显快于市民的 {citizen_pace:.0f}" if hits is not None else ""
        else:
            continue
        out |= 1 << (i + 1)
        if hits is not None:
            hits.append(_whole(ctx, i, f"语速 {cpm:.0f} 字/分钟，{why}"))
    return out


def metric(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    hits: list[Hit] = []
    return _hits(_metric(read_of(node, ctx), ctx, allowed, hits), hits)


def _metric(op: TimingRead, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    value = (ctx.call.meta.get("metrics") or {}).get(op.name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    lt, gt = op.lt, op.gt
    if (lt is not None and value < lt) or (gt is not None and value > gt):
        if hits is not None:
            hits.append(CALL_HIT._replace(note=f"{op.name} = {value:g}"))
        return 1
    return 0


def verdict(code: int, node: Matcher, ctx: CallContext, allowed: Allowed) -> int | None:
    """The turns a timing operator hits (``plan``'s code ``code``), as a verdict mask: its hits are not built."""
    return read_verdict(code, read_of(node, ctx), ctx, allowed)


def read_verdict(code: int, op: TimingRead, ctx: CallContext, allowed: Allowed) -> int | None:
    """``verdict`` of a node whose fields are read (``Slot.timing``)."""
    if code == SPEECH_RATE:
        return _speech_rate(op, ctx, allowed, None)
    if code == SILENCE:
        return _silence(op, ctx, allowed, None)
    if code == REPLY_GAP:
        return _reply_gap(op, ctx, allowed, None)
    if code == OVERLAP:
        return _overlap(op, ctx, allowed, None)
    if code == AGENT_GAP:
        return _agent_gap(op, ctx, allowed, None)
    assert code == METRIC
    return _metric(op, ctx, allowed, None)
