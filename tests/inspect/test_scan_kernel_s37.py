"""The C phrase scan (``hotline._kernels.scan``, ``Compiled.kernel``) gives the dict ``CallContext._scan`` builds on
the daachorse path: the same keys in the same order, the same lists of the same (turn, start, end) in the same order
(by where a match ends, those ending at one place longest first), with turn offsets, on calls made of the phrases
and the characters around them, digits, newlines, emoji and other non-BMP characters, empty and repeated turns,
lone surrogates, phrases that are prefixes, suffixes and infixes of others; it survives a pickle; it leaks nothing.
Skipped only when the compiled modules are switched off (``HOTLINE_NATIVE=0``): a build always makes it."""

from __future__ import annotations

import copy
import dataclasses
import gc
import os
import pickle
import random
import sys
from typing import Any

import daachorse
import pytest
from helpers import phrase_calls, with_surrogates  # tests/inspect/helpers.py

from hotline import native
from hotline.inspect.compiled import Compiled, around_surrogates, compile_rulebook, scan_kernel
from hotline.inspect.context import CallContext
from hotline.model import Call, Speaker, Turn
from hotline.norms import load_default

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")

Found = dict[str, list[tuple[int, int, int]]]


@pytest.fixture(scope="module")
def compiled() -> Compiled:
    compiled = compile_rulebook(load_default())
    assert compiled.kernel is not None, f"make install builds the kernel: {native.state()[1]}"
    return compiled


def _call(texts: list[str]) -> Call:
    return Call("s37", [Turn(Speaker.AGENT if i % 2 else Speaker.CITIZEN, t) for i, t in enumerate(texts)])


def _daachorse(phrases: tuple[str, ...], keys: list[tuple[str, ...]], texts: list[str], readable: int = -1) -> Found:
    """The plain definition: daachorse over each text alone (``around_surrogates`` for a text holding a lone
    surrogate, or when some phrases hold one), each match under each key of its phrase, keys in the order first
    found."""
    readable = len(phrases) if readable < 0 else readable
    automaton = daachorse.CharwiseDoubleArrayAhoCorasick(list(phrases[:readable])) if readable else None
    shape = Compiled(rulebook=None, automaton=automaton, phrases=phrases, phrase_keys=keys,  # type: ignore[arg-type]
                     readable=readable)
    out: Found = {}
    for turn, text in enumerate(texts):
        odd = readable < len(phrases) or any(0xD800 <= ord(c) <= 0xDFFF for c in text)
        found = around_surrogates(shape, text) if odd or automaton is None else automaton.find_overlapping(text)
        for start, end, pattern in found:
            for key in keys[pattern]:
                out.setdefault(key, []).append((turn, start, end))
    return out


def _same(got: Found, want: Found) -> None:
    assert got == want
    assert list(got) == list(want)  # (the keys in the same order: the plan reads them in it)


def _calls(phrases: tuple[str, ...], seed: int, n: int) -> list[list[str]]:
    """Also digits, Latin, a newline, emoji and non-BMP ideographs, a combining mark; calls without turns."""
    return phrase_calls(phrases, seed, n, extra_chars="0123456789ab \n😀🙂𠀀𪚥\u0301Ⅻ", fewest_turns=0, repeats=True)


def _kernel(phrases: tuple[str, ...], keys: list[tuple[str, ...]]) -> Any:
    kernel = scan_kernel(phrases, keys)
    assert kernel is not None
    return kernel


def test_the_kernel_finds_what_daachorse_finds_on_the_default_rulebook(compiled: Compiled) -> None:
    kernel = compiled.kernel
    same_end = hits = 0
    for texts in _calls(compiled.phrases, seed=37, n=400):
        want = _daachorse(compiled.phrases, compiled.phrase_keys, texts)
        _same(kernel.scan(texts), want)
        for bucket in want.values():
            hits += len(bucket)
            same_end += sum(1 for a, b in zip(bucket, bucket[1:], strict=False) if a[0] == b[0] and a[2] == b[2])
    assert hits > 5000 and same_end > 100  # (matches ending at one place were there)


def test_the_context_scans_with_the_kernel_as_on_the_daachorse_path(compiled: Compiled) -> None:
    """Through ``CallContext``: the kernel's dict is the one the joined daachorse pass builds, and that of each
    turn scanned alone."""
    plain = dataclasses.replace(compiled, kernel=None)
    alone = dataclasses.replace(compiled, kernel=None, joinable=False)
    for texts in _calls(compiled.phrases, seed=38, n=150):
        got = CallContext(_call(texts), compiled).keys_hit()
        _same(got, CallContext(_call(texts), plain).keys_hit())
        _same(got, CallContext(_call(texts), alone).keys_hit())


def test_overlapping_phrases_come_longest_first_at_one_end() -> None:
    phrases = ("abcd", "bcd", "cd", "d", "bc", "abc", "b", "x😀y", "😀", "好的", "好", "的", "的好", "cdab")
    keys: list[tuple[str, ...]] = [(f"k{i % 3}",) if i % 4 else ("k0", "k1") for i in range(len(phrases))]
    kernel = _kernel(phrases, keys)
    texts = ["abcd", "", "zabcdabcdx😀y", "好的好的", "dcba", "😀😀", "abcdab\nabcd"]
    _same(kernel.scan(texts), _daachorse(phrases, keys, texts))
    one = _kernel(("abc", "bc", "c", "ab"), [("k",)] * 4)
    assert one.scan(["", "xabc"]) == {"k": [(1, 1, 3), (1, 1, 4), (1, 2, 4), (1, 3, 4)]}  # turn 1, from its start


def test_random_small_alphabets_with_many_suffixes() -> None:
    """Phrases over two or three characters (most are prefixes, suffixes or infixes of others), on random texts."""
    rng = random.Random(3)
    for _ in range(300):
        alphabet = rng.choice(["ab", "abc", "好的", "a😀", "1\n2"])
        phrases = tuple(sorted({"".join(rng.choices(alphabet, k=rng.randint(1, 5))) for _ in range(rng.randint(1, 12))}))
        keys = [tuple(sorted(rng.sample(["x", "y", "z", "w"], rng.randint(1, 3)))) for _ in phrases]
        kernel = _kernel(phrases, keys)
        texts = ["".join(rng.choices(alphabet + "q", k=rng.randint(0, 20))) for _ in range(rng.randint(0, 5))]
        _same(kernel.scan(texts), _daachorse(phrases, keys, texts))


def test_a_single_phrase_and_no_text() -> None:
    kernel = _kernel(("您好",), [("greet",)])
    assert kernel.scan([]) == {}
    assert kernel.scan(["", ""]) == {}
    assert kernel.scan(["您好您好", "您", "好您好"]) == {"greet": [(0, 0, 2), (0, 2, 4), (2, 1, 3)]}
    assert _kernel((), []).scan(["您好"]) == {}
    assert kernel.states == 3 and kernel.phrases == ("您好",)


def test_lone_surrogates_are_read_as_around_surrogates_reads_them(compiled: Compiled) -> None:
    """In the texts (no phrase can match across one) and in the phrases (found as ``str.find`` finds them)."""
    rng = random.Random(39)

    def spoil(calls: list[list[str]]) -> list[list[str]]:
        return with_surrogates(calls, rng)

    for texts in spoil(_calls(compiled.phrases, seed=40, n=100)):
        _same(compiled.kernel.scan(texts), _daachorse(compiled.phrases, compiled.phrase_keys, texts))
    rb = load_default()
    odd = ["好\ud800的", "\udcff", "您\udcff好"]
    with_odd = compile_rulebook(rb.model_copy(update={"lexicons": {**rb.lexicons, "odd_s37": odd}}))
    assert with_odd.readable == len(with_odd.phrases) - 3 and with_odd.kernel is not None
    texts = ["好\ud800的您好\udcff好的", "\udcff\udcff您\udcff好", "您好好的"]
    got = with_odd.kernel.scan(texts)
    _same(got, _daachorse(with_odd.phrases, with_odd.phrase_keys, texts, with_odd.readable))
    assert len(got["odd_s37"]) == 6
    for texts in spoil(_calls(with_odd.phrases, seed=41, n=60)):
        want = _daachorse(with_odd.phrases, with_odd.phrase_keys, texts, with_odd.readable)
        _same(with_odd.kernel.scan(texts), want)


def test_empty_and_repeated_phrases_leave_the_daachorse_path() -> None:
    """daachorse takes them (an empty phrase matches everywhere); the kernel refuses them, and the scan stays on
    daachorse."""
    assert scan_kernel(("a", ""), [("k",), ("k",)]) is None
    assert scan_kernel(("a", "b", "a"), [("k",), ("k",), ("k",)]) is None
    with pytest.raises(TypeError):
        _kernel(("a",), [("k",)]).scan(("a",))  # type: ignore[arg-type]  # a list, as _scan gives
    with pytest.raises(TypeError):
        _kernel(("a",), [("k",)]).scan(["a", 1])  # type: ignore[list-item]


def test_it_survives_a_pickle_and_a_copy(compiled: Compiled) -> None:
    kernel = compiled.kernel
    again = pickle.loads(pickle.dumps(kernel))
    copied = copy.deepcopy(kernel)
    assert type(again) is type(kernel) and again.phrases == kernel.phrases and again.states == kernel.states
    for texts in _calls(compiled.phrases, seed=42, n=50):
        want = kernel.scan(texts)
        _same(again.scan(texts), want)
        _same(copied.scan(texts), want)


def test_it_keeps_no_reference_and_frees_what_it_made(compiled: Compiled) -> None:
    """Scans and kernels come and go without a reference left behind (keys, texts, the results, the kernel)."""
    texts = [t for call in _calls(compiled.phrases, seed=43, n=30) for t in call]
    key = next(iter(compiled.kernel.scan(texts)))
    kernel = compiled.kernel
    gc.collect()  # (what earlier tests left holding a key)
    before = (sys.getrefcount(key), sys.getrefcount(texts[0]), sys.getrefcount(kernel))
    for _ in range(300):
        found = kernel.scan(texts)
        bucket = found[key]
    refs = sys.getrefcount(bucket)
    del found
    assert sys.getrefcount(bucket) == refs - 1  # (the dict held it once; the kernel keeps none)
    del bucket
    gc.collect()
    assert (sys.getrefcount(key), sys.getrefcount(texts[0]), sys.getrefcount(kernel)) == before
    made = type(kernel)
    type_refs = sys.getrefcount(made)
    phrases = compiled.phrases
    phrase_refs = sys.getrefcount(phrases)
    for _ in range(50):
        made(phrases, compiled.phrase_keys).scan(texts)
    assert sys.getrefcount(made) == type_refs and sys.getrefcount(phrases) == phrase_refs
