"""Session 37: the verdict of an unanswered reaction makes each trigger's reply window as a mask of the agent's turns
(``verdicts._unanswered``, ``_lowest``/``_highest``) with the operator's fields read once onto its slot, instead of
the lists of ``operators.reply_window``; against the way it was, window by window, on the samples, edge-case calls
and rules with every kind of window."""

from __future__ import annotations

import random
from typing import Any

from helpers import call, sample_contexts
from test_plan import engine_with
from test_verdicts_s37 import _edge_contexts

from hotline.inspect import plan as op
from hotline.inspect import verdicts as vd
from hotline.inspect.context import CallContext, prepare_acts
from hotline.inspect.operators import reply_window, turn_list
from hotline.inspect.results import mask_of


def _plain(slot: Any, ctx: CallContext, allowed: int | None) -> int | None:
    """The verdict as it was made: the windows listed by ``reply_window``, the fields read off the operator."""
    u = slot.node.unanswered
    triggers = vd.slot_verdict(slot.of, ctx, allowed)
    if triggers is None:
        return None
    rearm = vd.turns_mask(vd.slot_verdict(slot.rearm, ctx, allowed) or 0) if slot.rearm is not None else 0
    agent_turns = ctx.turns_of("agent")
    agent = ctx.speaker_mask("agent")
    out = 0
    answered = False
    for t in turn_list(vd.turns_mask(triggers)):
        if answered and not (rearm >> t) & 1:
            continue
        _, window = reply_window(u, agent_turns, t)
        if vd.slot_verdict(slot.expect, ctx, mask_of(window)):
            if u.first_only:
                if slot.rearm is None:
                    break
                answered = True
            continue
        if (agent >> t) & 1:
            out |= 1 << (t + 1)
        else:
            anchor = next((i for i in window if i > t), t)
            out |= 1 << (anchor + 1)
        if u.first_only:
            break
    return out


def test_lowest_and_highest_take_the_ends_of_a_mask() -> None:
    """Against the sorted turns of random masks, wide ones (past a machine word) included, and n past their count."""
    rng = random.Random(37)
    for bits in (1, 5, 12, 64, 130):
        for _ in range(40):
            mask = rng.getrandbits(bits)
            turns = turn_list(mask)
            for n in (0, 1, 2, 3, len(turns), len(turns) + 2):
                assert vd._lowest(mask, n) == mask_of(turns[:n])
                assert vd._highest(mask, n) == mask_of(turns[-n:] if n else [])  # (as reply_window takes them)


def _unanswered_rules() -> list[dict[str, Any]]:
    trigger = {"phrases": {"phrases": ["投诉", "不满意"], "speaker": "any"}}
    expect = {"phrases": {"phrases": ["抱歉", "理解"]}}
    rules = []
    for i, (within, before, same_turn, first_only, rearm) in enumerate([
            (1, 0, True, False, False), (2, 0, False, False, False), (3, 1, True, False, False),
            (1, 2, False, True, False), (2, 1, True, True, True), (4, 3, False, False, False)]):
        u: dict[str, Any] = {"trigger": trigger, "expect": expect, "within": within, "before": before,
                             "same_turn": same_turn, "first_only": first_only}
        if rearm:
            u["rearm"] = {"phrases": {"phrases": ["投诉"], "speaker": "citizen"}}
        rules.append({"id": f"test.window{i}.v1", "kind": "forbid", "match": {"unanswered": u}})
    return rules


LINES = [
    ["坐席：您好", "市民：我要投诉", "坐席：好的", "市民：还是不满意", "坐席：抱歉", "市民：我要投诉", "坐席：嗯"],
    ["市民：投诉", "市民：不满意", "坐席：理解您", "坐席：好", "市民：投诉", "坐席：抱歉，我理解"],
    ["坐席：你投诉吧", "坐席：抱歉", "市民：不满意", "市民：投诉"],
    ["市民：不满意不满意", "坐席：抱歉", "坐席：好的", "坐席：好", "市民：投诉😡", "坐席：嗯\n好"],
    ["坐席：抱歉", "坐席：理解", "市民：我要投诉", "坐席：好", "坐席：嗯", "坐席：行", "坐席：抱歉"],
    ["坐席：", "市民：", "市民：投诉12345", "坐席：12345"],
    ["市民：你好", "坐席：您要投诉，我理解", "市民：嗯", "坐席：好"],  # answered in the trigger's own turn only
]


def test_the_windows_made_as_masks_judge_as_the_listed_ones() -> None:
    """Every unanswered slot of the default rulebook and of rules with every kind of window (within, before, the
    trigger's own turn, the first trigger only, re-armed), on the samples, edge-case calls and calls whose triggers
    fall at the start, middle and end, over the whole call and subsets: the same turns (fails when a window takes
    one agent turn too many or too few on either side, or a trigger's finding sits at another turn)."""
    engine = engine_with(*_unanswered_rules())
    contexts = [CallContext(call(*lines), engine.compiled) for lines in LINES]
    prepare_acts(contexts)
    checked = hit = 0
    for ctx in [*contexts, *sample_contexts(), *_edge_contexts()]:
        n = len(ctx.norm)
        for slot in ctx.compiled.plan.slots:
            if slot.code != op.UNANSWERED:
                continue
            for allowed in (None, (1 << n) - 1, ctx.speaker_mask("citizen"), 0b1010101010 & ((1 << n) - 1)):
                want = _plain(slot, ctx, allowed)
                assert vd._unanswered(slot, ctx, allowed) == want, (ctx.call.id, slot.index, allowed)
                checked += 1
                hit += bool(want)
    assert checked and hit
