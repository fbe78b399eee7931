"""Session 37: whether a slot hits (``verdicts.slot_hit``), as the readers that need no more than that ask it (a rule
that requires or awards something, a rule's condition, a missing element), against its definition: the verdict
pass's mask read as a truth value, on the bundled samples and on calls of edge-case texts, the slots asked in
several orders and mixed with asks for their masks."""

from __future__ import annotations

import random
from typing import Any

from helpers import sample_contexts

from hotline.inspect import default_engine
from hotline.inspect import plan as op
from hotline.inspect import verdicts as vd
from hotline.inspect.context import UNSET, CallContext, prepare_acts
from hotline.model import Call, Speaker, Turn

A, C = Speaker.AGENT, Speaker.CITIZEN

EDGE_CALLS: list[list[tuple[Speaker, str]]] = [
    [(A, "")],
    [(A, ""), (C, "")],
    [(A, "您好，12345热线，1024号为您服务，请问有什么可以帮您？"), (C, "")],
    [(A, "您好，12345热线。\n请问有什么可以帮您？"), (C, "我家楼下路灯坏了，\n三天了没人管！！"),
     (A, "不好意思，给您添麻烦了，我马上给您登记，转交城管局处理，3个工作日内给您回复。"), (C, "好的谢谢"),
     (A, "请问还有其他需要吗？感谢您的来电，再见。")],
    [(A, "你好"), (C, "你们到底管不管？😡😡 我要投诉！𠀀𠀁"), (A, "你自己去找物业吧，这个我们不管。"),
     (C, "你什么态度？"), (A, "不知道。"), (C, "……")],
    [(A, "您好，请问有什么可以帮您？"), (C, "电话13800138000，身份证号110101199003071234，门牌88号"),
     (A, "好的，您的电话是13800138000对吗？"), (C, "对"), (A, "已为您登记，20个工作日内回复。")],
    [(A, "谢谢您，再见。")] * 4 + [(C, "谢谢您，再见。")] * 3,
    [(C, "救命啊，着火了！快来人！"), (A, "请您马上拨打119，我帮您转接。"), (C, "好")],
    [(A, "嗯嗯"), (C, "嗯"), (A, "嗯嗯嗯"), (C, "啊？"), (A, "喂？"), (C, "")],
    [(C, "我要表扬你们的工作人员，服务特别好。"), (A, "感谢您的认可，我们会转达。"), (C, "建议你们多设几个窗口。")],
]


def _edge_contexts() -> list[CallContext]:
    engine = default_engine(semantic=False)
    contexts = [CallContext(Call(id=f"edge{i}", turns=[Turn(s, t) for s, t in lines]), engine.compiled, semantic=False)
                for i, lines in enumerate(EDGE_CALLS)]
    prepare_acts(contexts)
    return contexts


def _fresh(ctx: CallContext) -> CallContext:
    """Another context of the same call, nothing asked of it yet."""
    other = CallContext(ctx.call, ctx.compiled, semantic=False)
    prepare_acts([other])
    return other


def _truth(mask: Any) -> bool | None:
    return None if mask is None else mask != 0


def _all_contexts() -> list[CallContext]:
    return [*sample_contexts(), *_edge_contexts()]


def test_whether_a_slot_hits_is_its_mask_read_as_a_truth_value() -> None:
    """Every slot of the plan, asked in plan order, in reverse and at random, some of them first for their masks:
    ``slot_hit`` answers what ``bool(slot_verdict)`` does (None for None), and each verdict it keeps is the verdict
    pass's own (fails when a group stops where its answer is not yet known, or keeps a mask it did not find)."""
    rng = random.Random(37)
    answers = {"none": 0, "hit": 0, "empty": 0}
    for ctx in _all_contexts():
        slots = ctx.compiled.plan.slots
        reference = _fresh(ctx)
        want = [vd.slot_verdict(slot, reference) for slot in slots]
        shuffled = list(slots)
        rng.shuffle(shuffled)
        for order, masks_first in ((slots, False), (slots[::-1], False), (shuffled, False), (shuffled, True)):
            asked = _fresh(ctx)
            if masks_first:
                for slot in order[: len(order) // 3]:
                    assert vd.slot_verdict(slot, asked) == want[slot.index]
            for slot in order:
                got = vd.slot_hit(slot, asked)
                assert got == _truth(want[slot.index]), (ctx.call.id, slot.index, slot.op)
                answers["none" if got is None else "hit" if got else "empty"] += 1
            for slot in slots:
                kept = asked.verdicts[slot.index]
                assert kept is UNSET or kept == want[slot.index], (ctx.call.id, slot.index, slot.op)
            for slot in order:  # asked again (some answers kept, the hits found again from their parts)
                assert vd.slot_hit(slot, asked) == _truth(want[slot.index])
                assert vd.slot_verdict(slot, asked) == want[slot.index]
    assert all(answers.values())  # each answer was given


def test_not_keeps_its_mask_and_empty_groups_keep_theirs() -> None:
    """After ``slot_hit`` of each ``not`` slot, its verdict is kept (it is known from its part's truth alone); a group
    (``any``, ``all``, ``distinct``) that hits nothing or does not apply keeps its 0 or None (fails when those
    answers are not kept, or kept wrong)."""
    kept = {"not": 0, "empty": 0}
    for ctx in _all_contexts():
        reference = _fresh(ctx)
        asked = _fresh(ctx)
        for slot in ctx.compiled.plan.slots:
            if slot.code not in (op.NOT, op.ANY, op.ALL, op.DISTINCT):
                continue
            want = vd.slot_verdict(slot, reference)
            vd.slot_hit(slot, asked)
            if slot.code == op.NOT or not want:
                assert asked.verdicts[slot.index] == want, (ctx.call.id, slot.index, slot.op)
                kept["not" if slot.code == op.NOT else "empty"] += 1
    assert all(kept.values())


def test_an_any_that_hits_leaves_the_parts_after_its_first_hit_unasked() -> None:
    """``any`` stops at its first part that hits: a part after it, asked by no other reader, is not evaluated (fails
    when every part of a hit is evaluated, as ``_any`` does for its mask)."""
    skipped = 0
    for ctx in _all_contexts():
        for slot in ctx.compiled.plan.slots:
            if slot.code != op.ANY or len(slot.parts) < 2:
                continue
            asked = _fresh(ctx)
            if not vd.slot_hit(slot, asked):
                continue
            first = next(i for i, part in enumerate(slot.parts) if vd.slot_hit(part, _fresh(ctx)))
            asked_parts = slot.parts[: first + 1]
            later = [part for part in slot.parts[first + 1:] if all(_holds_no_part(part, p) for p in asked_parts)]
            for part in later:
                assert asked.verdicts[part.index] is UNSET, (ctx.call.id, slot.index, part.index)
                skipped += 1
    assert skipped


def _holds_no_part(slot: Any, of: Any) -> bool:
    """``slot`` is not ``of`` nor among its parts, nested (asking ``of`` does not answer it)."""
    if slot is of:
        return False
    kids = [*of.parts, *of.lacks, *(k for k in (of.of, of.expect, of.rearm, of.intent, of.opener) if k is not None)]
    return all(_holds_no_part(slot, kid) for kid in kids)


def test_the_rules_are_judged_as_from_their_masks() -> None:
    """Each rule of the default engine on the samples and the edge-case calls: the slots the rule loop asks whether
    they hit (a condition, what a rule requires or awards, the elements of a missing finding) answer as their masks
    do, and the rule's outcome is what those masks say (no goals in these calls: a rule whose condition fails does
    not apply)."""
    engine = default_engine(semantic=False)
    checked = 0
    for ctx in _all_contexts():
        card = engine._run(ctx, engine._loop)
        status = {o.rule_id: o.status for o in card.outcomes}
        reference = _fresh(ctx)
        for rule in engine._loop:
            if rule.python or rule.match is None:
                continue
            if rule.applies_when is not None and not vd.slot_verdict(rule.applies_when, reference):
                if rule.spec.goal is None:  # (a goal rule is judged when the call carries its goal)
                    assert status[rule.id] == "na", rule.id
                continue
            mask = vd.slot_verdict(rule.match, reference)
            if mask is None:
                assert status[rule.id] == "na", rule.id
            elif rule.award:
                assert status[rule.id] == ("awarded" if mask else "passed"), rule.id
            elif not rule.forbid:
                assert status[rule.id] == ("passed" if mask else "failed"), rule.id
            checked += 1
    assert checked
