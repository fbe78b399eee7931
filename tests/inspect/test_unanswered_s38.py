"""Session 38: an unanswered reaction's evidence walk goes over the trigger's turns as a mask (on a finished call the
verdict pass's) and reads a turn's own hit only where it quotes it (``operators._first_hit``), instead of building
and sorting every hit of the trigger; a node that hits turn by turn (``Slot.filterable``), asked for one turn before
it was evaluated over the whole call, reads that turn alone (``evaluate``). Against the way it was, on the samples,
edge-case calls and rules with every kind of window, finished and in progress."""

from __future__ import annotations

from typing import Any

from helpers import call, sample_contexts
from test_plan import engine_with
from test_unanswered_s37 import LINES, _unanswered_rules
from test_verdicts_s37 import _edge_contexts

from hotline.inspect import operators as ops
from hotline.inspect import plan as op
from hotline.inspect import verdicts as vd
from hotline.inspect.context import CallContext, Hit, prepare_acts
from hotline.inspect.results import mask_of
from hotline.model import Call


def _old_unanswered(node: Any, ctx: CallContext, allowed: int | None) -> list[Hit] | None:
    """``operators._unanswered`` as it was before session 38: every hit of the trigger, sorted."""
    u = node.unanswered
    triggers = ops.evaluate(u.trigger, ctx, allowed)
    if triggers is None:
        return None
    rearm = (ops.turns_hit(u.rearm, ctx, allowed) or 0) if u.rearm is not None else 0
    agent_turns = ctx.turns_of("agent")
    out: list[Hit] = []
    done: set[int] = set()
    answered = False
    for trig in sorted(triggers, key=lambda h: (h.turn_index, h.why.startswith("act|"), h.start)):
        t = trig.turn_index
        if t < 0 or t in done:
            continue
        done.add(t)
        if answered and not (rearm >> (t + 1)) & 1:
            continue
        after, window = ops.reply_window(u, agent_turns, t)
        if ctx.partial and t not in agent_turns and len(after) < u.within:
            if not ops.evaluate(u.expect, ctx, mask_of(window)):
                ctx.pending.append((t, after[0] if after else None, u.within - len(after), ops._said(ctx, trig)))
            if u.first_only:
                break
            continue
        if ops.turns_hit(u.expect, ctx, mask_of(window)):
            if u.first_only:
                if u.rearm is None:
                    break
                answered = True
            continue
        if t in agent_turns:
            out.append(trig)
        else:
            anchor = next((i for i in window if i > t), t)
            out.append(Hit(anchor, 0, len(ctx.norm[anchor].text), f"市民说「{ops._said(ctx, trig)}」之后", ""))
        if u.first_only:
            break
    return out


def _calls() -> list[Call]:
    return [call(*lines) for lines in LINES] + [ctx.call for ctx in [*sample_contexts(), *_edge_contexts()]]


def _context(engine: Any, c: Call, *, partial: bool, verdicts_first: bool) -> CallContext:
    ctx = CallContext(c, engine.compiled, partial=partial)
    prepare_acts([ctx])
    ctx.pending = []
    if verdicts_first and not partial:  # as the engine asks: every slot's verdict before the evidence walk
        for slot in ctx.compiled.plan.slots:
            vd.slot_verdict(slot, ctx)
    return ctx


def test_unanswered_walk_gives_the_old_hits_and_pending() -> None:
    """Every unanswered slot of the default rulebook and of rules with every kind of window, over the whole call and
    subsets, on finished calls (the verdict pass run first or not) and on each prefix of a call in progress: the same
    hits, the same reactions still awaited (fails when the turn's quoted hit is another, a turn is skipped or taken
    twice, or the walk goes on past the first trigger of a first-only rule)."""
    engine = engine_with(*_unanswered_rules())
    slots = [s for s in engine.compiled.plan.slots if s.code == op.UNANSWERED]
    assert slots
    checked = found = waiting = 0
    for i, c in enumerate(_calls()):
        n = len(c.turns)
        # (every prefix of the first calls: the window rules' own, then samples)
        prefixes = [Call(c.id, c.turns[:k], c.meta) for k in range(1, n + 1)] if i < 14 else []
        cases = [(c, False, True), (c, False, False)] + [(p, True, False) for p in prefixes]
        for whole_call, partial, verdicts_first in cases:
            m = len(whole_call.turns)
            masks = (None, (1 << m) - 1) if partial else (None, (1 << m) - 1, 0b1010101010 & ((1 << m) - 1), 1 << (m - 1))
            new = _context(engine, whole_call, partial=partial, verdicts_first=verdicts_first)
            old = _context(engine, whole_call, partial=partial, verdicts_first=verdicts_first)
            for allowed in masks:
                for slot in slots:
                    new.pending, old.pending = [], []
                    got = ops._unanswered(slot.node, new, allowed)
                    want = _old_unanswered(slot.node, old, allowed)
                    assert got == want, (c.id, slot.index, allowed, partial)
                    assert new.pending == old.pending, (c.id, slot.index, allowed)
                    checked += 1
                    found += bool(want)
                    waiting += bool(old.pending)
    assert checked and found and waiting


def test_one_turn_of_a_filterable_node_is_its_hits_there() -> None:
    """Every filterable slot, asked for each single turn of a context that has not evaluated it over the whole call
    (asked in plan order, so that a part is mostly asked for the turn before its group is; with the verdict pass
    run first, and without): the whole call's hits in that turn, in their order (fails when the
    verdict's bit for the turn is read at another place, or the turn is read over another mask)."""
    engine = engine_with(*_unanswered_rules())
    slots = [s for s in engine.compiled.plan.slots if s.filterable]
    assert slots
    checked = hits = 0
    for c in _calls():
        whole = _context(engine, c, partial=False, verdicts_first=False)
        full = [ops.evaluate(slot.node, whole, None) for slot in slots]
        for verdicts_first in (True, False):
            for t in range(len(c.turns)):
                ctx = _context(engine, c, partial=False, verdicts_first=verdicts_first)
                for slot, hits_of in zip(slots, full, strict=True):
                    got = ops.evaluate(slot.node, ctx, 1 << t)
                    want = None if hits_of is None else [h for h in hits_of if h.turn_index == t]
                    assert got == want, (c.id, slot.index, t, verdicts_first)
                    checked += 1
                    hits += bool(want)
    assert checked and hits
