"""The call's one automaton pass (``CallContext._scan``, daachorse) records what the simple search records: every
occurrence of every phrase of the automaton (``str.find`` at every place), under each of its keys, in each key's
bucket by where it ends and, among those ending at one place, longest first."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter

import pytest
from helpers import phrase_calls, with_surrogates  # tests/inspect/helpers.py

from hotline.inspect.compiled import Compiled, compile_rulebook
from hotline.inspect.context import CallContext
from hotline.model import Call, Speaker, Turn
from hotline.norms import load_default
from hotline.text import normalize_phrase


@pytest.fixture(scope="module")
def compiled() -> Compiled:
    return compile_rulebook(load_default())


def _call(texts: list[str]) -> Call:
    return Call("s34", [Turn(Speaker.AGENT if i % 2 else Speaker.CITIZEN, t) for i, t in enumerate(texts)])


def _simple(compiled: Compiled, texts: list[str]) -> dict[str, list[tuple[int, int, int]]]:
    """Every place each phrase is found in each turn by ``str.find``, under each of its keys, ordered by turn, end,
    then start (the longer first)."""
    found: list[tuple[int, int, int, str]] = []
    for turn, text in enumerate(texts):
        for phrase, keys in zip(compiled.phrases, compiled.phrase_keys, strict=True):
            at = text.find(phrase)
            while at != -1:
                found.extend((turn, at + len(phrase), at, key) for key in keys)
                at = text.find(phrase, at + 1)
    out: dict[str, list[tuple[int, int, int]]] = {}
    for turn, end, start, key in sorted(found, key=lambda f: f[:3]):
        out.setdefault(key, []).append((turn, start, end))
    return out


def _calls(compiled: Compiled, seed: int, n: int) -> list[list[str]]:
    return phrase_calls(compiled.phrases, seed, n)


def test_the_phrases_keys_are_their_lexicons(compiled: Compiled) -> None:
    """Pattern id ↔ phrase ↔ keys: each lexicon's phrases are found under its name."""
    keys = dict(zip(compiled.phrases, compiled.phrase_keys, strict=True))
    assert len(keys) == len(compiled.phrases) > 100
    for name, phrases in compiled.rulebook.lexicons.items():
        for p in phrases:
            norm = normalize_phrase(p)
            assert not norm or name in keys[norm], (name, p)


@pytest.mark.parametrize("joinable", [True, False])
def test_the_scan_finds_what_a_search_for_each_phrase_finds(compiled: Compiled, joinable: bool) -> None:
    """Joined a ``SEPARATOR`` apart (one pass) and each turn alone: the simple search's every match, in its order."""
    compiled = dataclasses.replace(compiled, joinable=joinable)
    same_end = at_start = at_end = 0
    for texts in _calls(compiled, seed=34, n=150):
        ctx = CallContext(_call(texts), compiled)
        norm = [n.text for n in ctx.norm]
        want = _simple(compiled, norm)
        assert ctx.keys_hit() == want, texts
        hits = {h for bucket in want.values() for h in bucket}
        ends = Counter((t, e) for t, _, e in hits)
        same_end += sum(1 for n in ends.values() if n > 1)
        at_start += sum(1 for t, s, _ in hits if s == 0)
        at_end += sum(1 for t, _, e in hits if e == len(norm[t]))
    assert same_end > 100 and at_start > 100 and at_end > 100  # (the edges were there)


def test_no_phrase_means_no_automaton() -> None:
    rb = load_default()
    rb = rb.model_copy(update={"lexicons": {}, "rules": [], "detectors": {},
                               "call_goals": type(rb.call_goals)(),
                               "guards": rb.guards.model_copy(update={"reporting_markers": [], "quote_pairs": [],
                                                                      "reported_patterns": []})})
    compiled = compile_rulebook(rb)
    assert compiled.automaton is None and compiled.phrases == ()
    assert CallContext(_call(["您好", "好的"]), compiled).keys_hit() == {}


def _with_surrogates(calls: list[list[str]], seed: int) -> list[list[str]]:
    return with_surrogates(calls, random.Random(seed))


@pytest.mark.parametrize("joinable", [True, False])
def test_a_text_with_a_lone_surrogate_is_scanned_around_it(compiled: Compiled, joinable: bool) -> None:
    """daachorse cannot read a lone surrogate (it reads UTF-8): the scan reads the pieces between them and finds
    what the simple search finds, in its order."""
    compiled = dataclasses.replace(compiled, joinable=joinable)
    held = 0
    for texts in _with_surrogates(_calls(compiled, seed=35, n=80), seed=36):
        ctx = CallContext(_call(texts), compiled)
        norm = [n.text for n in ctx.norm]
        held += sum(1 for t in norm if any(0xD800 <= ord(c) <= 0xDFFF for c in t))
        assert ctx.keys_hit() == _simple(compiled, norm), texts
    assert held > 50  # (the surrogates were there after normalisation)


def test_a_phrase_with_a_lone_surrogate_is_found_by_search() -> None:
    """A phrase the automaton cannot hold (a lone surrogate in a city's lexicon) is still found, in order among the
    automaton's matches; texts without a surrogate never hold it."""
    rb = load_default()
    odd = ["好\ud800的", "\udcff", "您\udcff好"]
    compiled = compile_rulebook(rb.model_copy(update={"lexicons": {**rb.lexicons, "odd_s34": odd}}))
    assert compiled.readable == len(compiled.phrases) - len(odd)
    assert set(compiled.phrases[compiled.readable:]) == {normalize_phrase(p) for p in odd}
    texts = ["好\ud800的您好\udcff好的", "\udcff\udcff您\udcff好", "您好好的"]
    ctx = CallContext(_call(texts), compiled)
    got = ctx.keys_hit()
    assert got == _simple(compiled, [n.text for n in ctx.norm])
    assert len(got["odd_s34"]) == 6
    for texts in _with_surrogates(_calls(compiled, seed=37, n=40), seed=38):
        ctx = CallContext(_call(texts), compiled)
        assert ctx.keys_hit() == _simple(compiled, [n.text for n in ctx.norm]), texts


def test_the_engine_judges_an_utterance_with_a_lone_surrogate() -> None:
    """A lone surrogate in a checked sentence is no error: the forbidden phrase around it is still found."""
    from hotline.inspect import default_engine

    found = default_engine().check_utterance("你烦不烦\udcff啊")
    assert "forbidden.phrase.v1" in {f.rule_id for f in found}
