"""Timing operators: they need turn times (or audio metrics) and are N/A (None) without them.

Each is written once, as ``_name(node, ctx, allowed, hits)``: it answers the turns it hits as a verdict mask (bit 0
the whole call, bit i + 1 turn i; None when N/A) and, when ``hits`` is a list, puts its hits there with their notes.
The tree walk (``operators``) reads the hits; the verdict pass (``verdicts``) only the mask (``verdict``), so that
no note is formatted, no hit built, for the rules that pass."""

from __future__ import annotations

from hotline.inspect.context import CALL_HIT, CallContext, Hit
from hotline.inspect.plan import AGENT_GAP, METRIC, OVERLAP, REPLY_GAP, SILENCE, SPEECH_RATE
from hotline.inspect.results import Allowed, Result, allows
from hotline.model import Speaker, Turn
from hotline.norms.schema import Matcher


def _whole(ctx: CallContext, i: int, note: str) -> Hit:
    return Hit(i, 0, len(ctx.norm[i].text), note)


def _hits(found: int | None, hits: list[Hit]) -> Result:
    return None if found is None else hits


def silence(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    hits: list[Hit] = []
    return _hits(_silence(node, ctx, allowed, hits), hits)


def _silence(node: Matcher, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    assert node.silence is not None
    if not ctx.has_times:
        return None
    turns, out = ctx.call.turns, 0
    min_seconds = node.silence.min_seconds  # read once: a pydantic attribute is a generic lookup
    latest_end = turns[0].end or 0.0  # has_times: at least one turn
    for i in range(1, len(turns)):
        gap = (turns[i].start or 0.0) - latest_end
        if gap > min_seconds and allows(allowed, i):
            out |= 1 << (i + 1)
            if hits is not None:
                hits.append(_whole(ctx, i, f"冷场 {gap:.1f} 秒"))
        latest_end = max(latest_end, turns[i].end or 0.0)
    return out


def _agent_replies(ctx: CallContext) -> list[tuple[int, Turn, Turn]]:
    """(index, citizen turn, agent turn) for every agent turn that directly follows a citizen turn."""
    turns = ctx.call.turns
    return [(i, turns[i - 1], turns[i]) for i in range(1, len(turns))
            if turns[i].speaker is Speaker.AGENT and turns[i - 1].speaker is Speaker.CITIZEN]


def reply_gap(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    hits: list[Hit] = []
    return _hits(_reply_gap(node, ctx, allowed, hits), hits)


def _reply_gap(node: Matcher, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    assert node.reply_gap is not None
    if not ctx.has_times:
        return None
    out = 0
    min_seconds = node.reply_gap.min_seconds
    for i, prev, cur in _agent_replies(ctx):
        gap = (cur.start or 0.0) - (prev.end or 0.0)
        if (prev.text or ctx.no_text) and gap > min_seconds and allows(allowed, i):
            out |= 1 << (i + 1)
            if hits is not None:
                hits.append(_whole(ctx, i, f"市民说完 {gap:.1f} 秒后才回应"))
    return out


def overlap(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    hits: list[Hit] = []
    return _hits(_overlap(node, ctx, allowed, hits), hits)


def _overlap(node: Matcher, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    assert node.overlap is not None
    if not ctx.has_times:
        return None
    out = 0
    min_seconds = node.overlap.min_seconds
    for i, prev, cur in _agent_replies(ctx):
        over = (prev.end or 0.0) - (cur.start or 0.0)
        if over > min_seconds and allows(allowed, i):
            out |= 1 << (i + 1)
            if hits is not None:
                hits.append(_whole(ctx, i, f"与市民重叠 {over:.1f} 秒（抢话）"))
    return out


def agent_gap(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    hits: list[Hit] = []
    return _hits(_agent_gap(node, ctx, allowed, hits), hits)


def _agent_gap(node: Matcher, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    op = node.agent_gap
    assert op is not None
    if not ctx.has_times:
        return None
    agent = ctx.turns_of("agent")
    out = 0
    for a, b in zip(agent, agent[1:], strict=False):
        gap = (ctx.call.turns[b].start or 0.0) - (ctx.call.turns[a].end or 0.0)
        too_long = op.max_seconds is not None and gap > op.max_seconds
        if (gap < op.min_seconds or too_long) and allows(allowed, b):
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
    return _hits(_speech_rate(node, ctx, allowed, hits), hits)


def _speech_rate(node: Matcher, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    op = node.speech_rate
    assert op is not None
    if not ctx.has_times:
        return None
    rates = _rates(ctx)
    min_chars, max_cpm, min_cpm, relative = op.min_chars, op.max_cpm, op.min_cpm, op.relative_to_citizen
    citizen_pace: float | None = None
    first_citizen = 0
    if relative:  # (the citizen's pace is read only by a pace relative to it)
        citizen = ctx.turns_of("citizen")
        citizen_rates = [r for i in citizen if (r := rates[i])]
        citizen_pace = sum(citizen_rates) / len(citizen_rates) if citizen_rates else None
        # the opening is said before the agent has heard the caller's pace
        first_citizen = next((i for i in citizen if ctx.call.turns[i].text), len(ctx.call.turns))
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
    return _hits(_metric(node, ctx, allowed, hits), hits)


def _metric(node: Matcher, ctx: CallContext, allowed: Allowed, hits: list[Hit] | None) -> int | None:
    op = node.metric
    assert op is not None
    value = (ctx.call.meta.get("metrics") or {}).get(op.name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if (op.lt is not None and value < op.lt) or (op.gt is not None and value > op.gt):
        if hits is not None:
            hits.append(CALL_HIT._replace(note=f"{op.name} = {value:g}"))
        return 1
    return 0


def verdict(code: int, node: Matcher, ctx: CallContext, allowed: Allowed) -> int | None:
    """The turns a timing operator hits (``plan``'s code ``code``), as a verdict mask: its hits are not built."""
    if code == SPEECH_RATE:
        return _speech_rate(node, ctx, allowed, None)
    if code == SILENCE:
        return _silence(node, ctx, allowed, None)
    if code == REPLY_GAP:
        return _reply_gap(node, ctx, allowed, None)
    if code == OVERLAP:
        return _overlap(node, ctx, allowed, None)
    if code == AGENT_GAP:
        return _agent_gap(node, ctx, allowed, None)
    assert code == METRIC
    return _metric(node, ctx, allowed, None)
