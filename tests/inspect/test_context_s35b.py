"""Per-call state read once: the act layer's switch read once for a batch (``acts_enabled``), the negation-safe
spans kept by turn (``CallContext._safe_spans``, only turns holding one)."""

from __future__ import annotations

import random

import pytest

from hotline.inspect import load_engine
from hotline.inspect.context import CallContext
from hotline.model import Call, Speaker, Turn

PUSH = "你上网自己查嘛。"  # push-away in words no phrase list holds (as tests/acts/test_act_operator.py)


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    return load_engine(None, semantic=False)


def _call(texts: list[str]) -> Call:
    speakers = [Speaker.AGENT, Speaker.CITIZEN]
    return Call(id="c", turns=[Turn(speakers[i % 2], t) for i, t in enumerate(texts)])


def test_a_batch_reads_the_act_switch_once_and_keeps_it(engine, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    calls = [_call([PUSH]), _call(["您好", "好的", PUSH])]
    on = engine.inspect_batch(calls)
    assert all(any(f.rule_id == "shirking.no_way_forward.v1" for f in card.findings) for card in on)
    monkeypatch.setenv("HOTLINE_ACTS", "0")
    off = engine.inspect_batch(calls)
    assert not any(f.rule_id == "shirking.no_way_forward.v1" for card in off for f in card.findings)
    # a context told by its batch keeps what it was told; alone it reads the environment
    assert CallContext(calls[0], engine.compiled, acts=True).acts_on
    assert not CallContext(calls[0], engine.compiled).acts_on


def _guarded_simple(ctx: CallContext, turn: int, start: int, end: int) -> bool:
    """``CallContext._guarded`` with the safe spans of the turn picked out of all the safe phrase hits."""
    safe = [(s, e) for t, s, e in ctx.phrase_hits(ctx.compiled.negation_safe_key) if t == turn]
    for s, e in safe:
        if (s, e) != (start, end) and s < end and start < e and not (start <= s and e <= end):
            return True
    return ctx._negated(ctx.norm[turn].text, start) or ctx._quoted(turn, start, end)


def test_guards_read_the_safe_spans_of_their_own_turn(engine) -> None:  # type: ignore[no-untyped-def]
    compiled = engine.compiled
    safe = list(compiled.rulebook.lexicons[compiled.negation_safe_key])
    words = sorted({p for name, ps in compiled.rulebook.lexicons.items() for p in ps if name != compiled.negation_safe_key})
    rng = random.Random(35)
    checked = 0
    for _ in range(200):
        texts = ["".join(rng.choice(safe + words[:400]) for _ in range(rng.randint(1, 4))) for _ in range(4)]
        ctx = CallContext(_call(texts), compiled)
        for key, hits in ctx.keys_hit().items():
            for t, s, e in hits:
                assert ctx._guarded(t, s, e) == _guarded_simple(ctx, t, s, e), (texts, key)
                checked += 1
    assert checked > 1000
