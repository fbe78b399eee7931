"""The per-call flags of the live slots, the act hits' ``why`` made from parts formatted once, the speakers found by name
in a table, each against the simple way on the bundled samples; the review settings read once per engine."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import sample_contexts

from hotline import citizen
from hotline.citizen import review_settings
from hotline.content import data_path
from hotline.formats import read_calls
from hotline.inspect import Engine, context, default_engine
from hotline.inspect import operators as ops
from hotline.model import Call, Speaker

SAMPLES: list[Call] = list(read_calls(data_path("samples", "calls")))


def test_a_slot_is_live_when_the_call_holds_one_of_its_keys_or_acts() -> None:
    """The flags (``CallContext.live_by_keys`` / ``live_by_acts``) and ``absent`` against the needs of each slot
    intersected with the call's keys and firing acts (fails when a listed slot is not flagged, or one is that is
    not listed)."""
    live_keys = live_acts = dead = 0
    for ctx in sample_contexts():
        keys, acts = set(ctx.keys_hit()), set(ctx.firing())
        by_keys, by_acts = ctx.live_by_keys(), ctx.live_by_acts()
        assert len(by_keys) == len(by_acts) == len(ctx.compiled.plan.slots)
        for slot in ctx.compiled.plan.slots:
            key_live = slot.has_need and bool(slot.need_keys & keys)
            act_live = slot.has_need and bool(slot.need_acts & acts)
            assert by_keys[slot.index] == key_live, slot.index
            assert by_acts[slot.index] == act_live, slot.index
            if slot.has_need:
                assert ops.absent(slot, ctx) == (not key_live and not (ctx.acts_on and act_live)), slot.index
                live_keys += key_live
                live_acts += act_live and not key_live
                dead += not key_live and not act_live
    assert live_keys and live_acts and dead  # each way of answering was taken


def test_an_act_hit_says_its_act_probability_and_threshold_as_they_were_formatted_whole() -> None:
    """Each act hit's ``why`` is ``act|name|p|limit`` with p the clause's probability of the likeliest of the
    node's acts that reach their thresholds (fails when a label is paired with another act or threshold)."""
    checked = 0
    for ctx in sample_contexts():
        for slot in ctx.compiled.plan.slots:
            if slot.op != "act":
                continue
            limits = dict(ctx.compiled.act_limits[id(slot.node)])
            for hit in ops.evaluate(slot.node, ctx) or []:
                said = {name: p for name, limit in limits.items() for t, s, e, p in ctx.act_firing(name)
                        if (t, s, e) == (hit.turn_index, hit.start, hit.end) and p >= limit}
                name = max(said, key=lambda n: said[n])
                assert hit.why == "act|" + name + "|" + format(said[name], ".2f") + "|" + format(limits[name], ".2f")
                checked += 1
    assert checked


def test_a_speakers_turns_are_the_turns_the_enum_names() -> None:
    """``turns_of`` finds the speaker by name in a table, not by calling the enum (fails when the table pairs a name
    with another speaker); a name that is no speaker's raises as the enum does."""
    for ctx in sample_contexts():
        for name in ("agent", "citizen"):
            want = Speaker(name)
            assert ctx.turns_of(name) == [i for i, t in enumerate(ctx.call.turns) if t.speaker is want]
        with pytest.raises(ValueError):
            ctx.turns_of("nobody")


def test_the_review_settings_are_read_once_per_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails when every call reads them again (a ``functools.cached_property`` on the compiled Engine did)."""
    read: list[int] = []

    def counting(rulebook: Any) -> Any:
        read.append(1)
        return review_settings(rulebook)

    monkeypatch.setitem(context._LATE, "hotline.citizen:review_settings", counting)
    monkeypatch.setattr(citizen, "review_settings", counting)  # (as imported by name)
    engine = Engine(default_engine(semantic=False).rulebook)
    engine.inspect_batch(SAMPLES[:3])
    assert engine.review_settings == review_settings(engine.rulebook)
    assert read == [1]
