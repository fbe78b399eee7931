"""The call's one automaton pass (``CallContext._scan``, daachorse) records what the simple search records: every
occurrence of every phrase of the automaton (``str.find`` at every place), under each of its keys, in each key's
bucket by where it ends and, among those ending at one place, longest first."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter

import pytest

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
    """Calls whose turns run phrases together with their own characters (a phrase inside another, overlapping ones,
    several ending at one place), with empty turns and turns that are one phrase whole (at a turn's start and end)."""
    rng = random.Random(seed)
    phrases = list(compiled.phrases)
    chars = sorted(set("".join(phrases)))
    calls = []
    for _ in range(n):
        turns = []
        for _ in range(rng.randint(1, 9)):
            kind = rng.random()
            if kind < 0.1:
                turns.append("")
            elif kind < 0.25:
                turns.append(rng.choice(phrases))
            else:
                bits = [rng.choice(phrases) if rng.random() < 0.5 else "".join(rng.choices(chars, k=rng.randint(1, 3)))
                        for _ in range(rng.randint(1, 8))]
                turns.append("".join(bits))
        calls.append(turns)
    return calls


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
