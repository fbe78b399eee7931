"""The act layer's fast paths of session 35, each against the simple way."""

from __future__ import annotations

import numpy as np
import pytest

from hotline.acts import default_model
from hotline.acts.model import _CACHE_MAX, _forget
from hotline.acts.segment import _IDEOGRAPHS_FROM, _IDEOGRAPHS_TO, _digit_at
from hotline.inspect import default_engine
from hotline.inspect.context import CallContext, _above_floors
from hotline.model import Call, Speaker, Turn


def test_the_clauses_above_a_floor_are_what_a_2d_nonzero_finds() -> None:
    """``_above_floors`` reads the flattened block: the rows, columns and probabilities of ``np.nonzero`` of the
    block, in its order, with floors never reached (+inf), probabilities equal to a floor, one column, no row."""
    rng = np.random.default_rng(35)
    for rows, cols in ((0, 0), (0, 5), (1, 1), (7, 1), (40, 13), (300, 29)):
        probs = rng.random((rows, cols)).astype(np.float32)
        floors = np.where(rng.random(cols) < 0.4, np.inf, rng.random(cols) * 0.8 + 0.1)
        if rows and cols:
            probs[rows // 2, cols // 2] = np.float32(0.5)
            floors[cols // 2] = 0.5  # a probability exactly at its floor counts
        at, col = np.nonzero(probs >= floors)
        want = (at.tolist(), col.tolist(), probs[at, col].tolist())
        got = _above_floors(probs, floors)
        assert got == want
        assert [type(x) for x in got[0][:1] + got[1][:1]] == [int] * len(got[0][:1] + got[1][:1])


def test_a_full_probability_cache_keeps_its_newest_rows_in_order() -> None:
    """``_forget`` drops the oldest entries of a full cache, as many as bring it back to three quarters of
    ``_CACHE_MAX``, and keeps the others in their order; rows read after it are the rows scored afresh."""
    cache = {f"t{i}": bytes([i % 256]) for i in range(_CACHE_MAX + 10)}
    _forget(cache)
    kept = _CACHE_MAX - _CACHE_MAX // 4
    assert len(cache) == kept
    assert list(cache) == [f"t{i}" for i in range(_CACHE_MAX + 10 - kept, _CACHE_MAX + 10)]
    assert cache[f"t{_CACHE_MAX + 9}"] == bytes([(_CACHE_MAX + 9) % 256])

    sm = default_model().for_speaker("agent")
    texts = ["^您好$", "^你自己去找\ue001$", "^好的?$"]
    sm._cache.clear()
    alone = [sm.probabilities([t])[0].tobytes() for t in texts]
    sm._cache.update({f"^filler{i}$": b"" for i in range(_CACHE_MAX)})  # full: the next new text forgets
    got = sm.probabilities([*texts, "^请问您贵姓?$"])
    assert len(sm._cache) <= _CACHE_MAX and [r.tobytes() for r in got[:3]] == alone
    assert [r.tobytes() for r in sm.probabilities(texts)] == alone
    sm._cache.clear()


def test_each_speakers_turns_are_those_the_enum_names() -> None:
    """``turns_of`` reads a speaker from ``_SPEAKERS`` instead of calling the enum: the turns whose speaker is the
    one ``Speaker(name)`` gives, for each name; any other name is refused as the enum refuses it."""
    order = [Speaker.AGENT, Speaker.CITIZEN, Speaker.CITIZEN, Speaker.AGENT, Speaker.AGENT]
    ctx = CallContext(Call("s35", [Turn(s, "您好") for s in order]), default_engine(semantic=False).compiled)
    for name in ("agent", "citizen"):
        assert ctx.turns_of(name) == [i for i, s in enumerate(order) if s is Speaker(name)]
        assert ctx.speaker_mask(name) == sum(1 << i for i, s in enumerate(order) if s is Speaker(name))
    assert ctx.turns_of("any") == list(range(len(order)))
    with pytest.raises(ValueError):
        ctx.turns_of("caller")


def test_an_ngram_is_described_as_spelling_it_out_gives() -> None:
    """``describe`` keeps each n-gram's spelling: the same string ``_describe`` makes, for n-grams with class
    symbols, numbers and clause marks, asked twice in different orders (kept ones and new ones mixed)."""
    f = default_model().featurizer
    symbols = list(f.symbols)
    grams = ["^您好", "好$", "^\ue000$", "找" + symbols[0], symbols[-1] + "\ue000", "?$", "^", "$", "不归我们"]
    f._described.clear()
    first = [f.describe(g) for g in grams]
    again = [f.describe(g) for g in reversed(grams)][::-1]
    assert first == again == [f._describe(g) for g in grams]
    assert first[0].startswith("〔句首〕") and first[2] == "〔句首〕〈数字〉〔句尾〕" and f.symbols[symbols[0]] in first[3]


def test_a_clause_negation_is_found_as_startswith_finds_it() -> None:
    """``_clause_negated`` looks at a clause's first character (``Compiled.clause_starts``) before any ``startswith``:
    it says what ``startswith`` of every clause negation says, for clauses opening with a negation, with a negation's
    first character only, holding a negation further in, and at every start of a turn."""
    compiled = default_engine(semantic=False).compiled
    negations = compiled.clause_negations
    assert negations and compiled.clause_starts
    texts = [f"您好，{n}这样的。{n[0]}行吧，{n[:-1]}，我们{n}" for n in negations] + ["不", "并且可以", "好的"]
    ctx = CallContext(Call("s35", [Turn(Speaker.AGENT, t) for t in texts]), compiled)
    seen = set()
    for text in ctx.norm:
        for start in range(len(text.text)):
            for end in (start + 1, min(start + 6, len(text.text)), len(text.text)):
                clause = text.text[start:end]
                want = clause.startswith(negations)
                assert ctx._clause_negated(text.text, start, clause) == want, (text.text, start, end)
                seen.add(want)
    assert seen == {True, False}


def test_a_digit_is_read_from_its_code_point_as_isdigit_reads_it() -> None:
    """``_digit_at`` answers from the code point for ASCII and CJK ideographs: what ``str.isdigit`` says for every
    character of those ranges and for digits and non-digits outside them (superscripts, fullwidth, Arabic-Indic)."""
    codes = [*range(0x80), *range(_IDEOGRAPHS_FROM - 2, _IDEOGRAPHS_TO + 2), 0xB2, 0xB9, 0x660, 0xFF10, 0xFF21, 0x2460]
    text = "".join(map(chr, codes))
    assert [_digit_at(text, i) for i in range(len(text))] == [ch.isdigit() for ch in text]
    assert sum(map(str.isdigit, text)) >= 14  # ASCII and the digits outside the ranges read
