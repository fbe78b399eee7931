"""Session 36: the verdict pass reads a scope's turns from the fields its slot read once (``Slot.read``), not through
the call's memory of scopes; each against the plain way on the bundled samples and on scopes of every kind."""

from __future__ import annotations

import random

from helpers import sample_contexts

from hotline.content import data_path
from hotline.formats import read_calls
from hotline.inspect import default_engine
from hotline.inspect import verdicts as vd
from hotline.inspect.context import CallContext
from hotline.inspect.operators import scope_turns, scoped_turns
from hotline.inspect.plan import ScopeRead
from hotline.inspect.results import mask_of
from hotline.model import Call, Speaker, Turn
from hotline.norms.schema import Scope

SAMPLES: list[Call] = list(read_calls(data_path("samples", "calls")))


def _plain(scope: Scope, ctx: CallContext, allowed: int | None) -> list[int] | None:
    """A scope's turns, read off the pydantic scope itself: the speaker's turns (or every turn) at least ``min_chars``
    long, the first/last ``first_turns``/``last_turns`` of them, those starting within the first seconds or ending
    within the last ones (N/A without times), among ``allowed``."""
    turns = ctx.call.turns
    mine = [i for i, t in enumerate(turns) if scope.speaker == "any" or t.speaker.value == scope.speaker]
    mine = [i for i in mine if len(ctx.norm[i].text) >= scope.min_chars]
    if scope.first_turns:
        mine = mine[:scope.first_turns]
    if scope.last_turns:
        mine = mine[-scope.last_turns:]
    if scope.first_seconds or scope.last_seconds:
        if not ctx.call.has_times:
            return None
        end = max(t.end or 0.0 for t in turns)
        if scope.first_seconds:
            mine = [i for i in mine if (turns[i].start or 0.0) <= scope.first_seconds]
        if scope.last_seconds:
            mine = [i for i in mine if (turns[i].end or 0.0) >= end - scope.last_seconds]
    return [i for i in mine if allowed is None or (allowed >> i) & 1]


def _masks(n: int, rng: random.Random) -> list[int | None]:
    full = (1 << n) - 1
    return [None, 0, full, full & 0b10101010101010101, 1, 1 << (n - 1), *[rng.getrandbits(n) for _ in range(4)]]


def test_each_slot_reads_the_fields_of_its_own_scope() -> None:
    """``Slot.read`` holds the slot's own scope, and the verdict pass's turns of a slot (``_wanted``) are those its
    scope says, as the call's memory of scopes gives them, over every subset tried (fails when a slot reads another slot's scope, or
    a field is read wrong)."""
    rng = random.Random(36)
    checked = 0
    for ctx in sample_contexts():
        for slot in ctx.compiled.plan.slots:
            if slot.scope is None:
                assert slot.read is None
                continue
            assert slot.read is not None and slot.read.scope is slot.scope
            for allowed in _masks(len(ctx.norm), rng):
                plain = _plain(slot.scope, ctx, allowed)
                assert scoped_turns(slot.read, ctx, allowed) == plain == scope_turns(slot.scope, ctx, allowed)
                assert vd._wanted(slot, ctx, allowed) == (None if plain is None else mask_of(plain))
                checked += 1
    assert checked > 1000


def _call(texts: list[str], timed: bool) -> Call:
    turns = []
    for i, text in enumerate(texts):
        speaker = Speaker.AGENT if i % 2 == 0 else Speaker.CITIZEN
        turns.append(Turn(speaker, text, float(i * 5) if timed else None, float(i * 5 + 4) if timed else None))
    return Call(id="s36", turns=turns)


def test_scoped_turns_are_the_remembered_scope_turns_for_scopes_of_every_kind() -> None:
    """Scopes by speaker, first/last turns, first/last seconds and length, on calls with and without times, empty
    turns, digits, newlines and characters beyond the BMP: ``scoped_turns`` of the scope read once gives what
    the scope says, as ``scope_turns`` remembers it (fails when a field is left out, e.g. the length floor or the
    seconds)."""
    engine = default_engine(semantic=False)
    texts = ["您好，请讲", "", "我家楼下12345号\n停水了", "😀😀好的", "请您稍等一下好吗", "嗯", "还有别的问题吗？", "没有"]
    scopes = [Scope(speaker=s, **extra) for s in ("agent", "citizen", "any") for extra in (
        {}, {"first_turns": 1}, {"last_turns": 2}, {"min_chars": 3}, {"first_seconds": 12.0}, {"last_seconds": 9.0},
        {"first_turns": 2, "min_chars": 2}, {"last_turns": 1, "last_seconds": 30.0})]
    rng = random.Random(7)
    for timed in (True, False):
        for n in (1, 3, len(texts)):
            ctx = CallContext(_call(texts[:n], timed), engine.compiled, semantic=False)
            for scope in scopes:
                read = ScopeRead(scope)
                for allowed in _masks(n, rng):
                    plain = _plain(scope, ctx, allowed)
                    assert scoped_turns(read, ctx, allowed) == plain == scope_turns(scope, ctx, allowed), (scope, allowed)


def test_a_phrases_verdict_reads_its_keys_matches_in_place() -> None:
    """Each phrases slot's verdict (one key's matches read in place, several keys' gathered) against the turns of
    the tree walk's hits, over subsets of turns, on the samples and on calls with empty turns, digits, newlines,
    emoji and repeated turns; the shared empty list of a key a call does not hold stays empty (fails when a slot
    reads another key's matches, or the shared list is changed)."""
    from hotline.inspect import context
    from hotline.inspect.operators import evaluate
    from hotline.inspect.results import hit_mask

    engine = default_engine(semantic=False)
    made = [_call(["您好，请讲", "", "我家楼下12345号\n停水了，你们管不管", "😀😀不好意思，您别着急", "您好，请讲"], False)]
    rng = random.Random(11)
    contexts = [*sample_contexts(), *[CallContext(c, engine.compiled, semantic=False) for c in made]]
    checked = 0
    for ctx in contexts:
        assert ctx.phrase_hits("no such key") == []
        for slot in ctx.compiled.plan.slots:
            if slot.op != "phrases" or slot.mode not in ("any", "none"):
                continue
            for allowed in _masks(len(ctx.norm), rng):
                fresh = CallContext(ctx.call, engine.compiled, semantic=False)
                assert vd._phrases(slot, ctx, allowed) == hit_mask(evaluate(slot.node, fresh, allowed)), slot.index
                checked += 1
    assert context._NO_HITS == [] and checked > 500
