"""Whether each call's citizen words hold an escalation word, read by the C kernel (``hotline._kernels.citizen.held``,
through ``emotion.Words._held``) instead of ``Words.held``'s numpy filter: it must say what the numpy path and the plain
definition (a word is a substring of the text) say, for the bundled words and word lists with one-character words
(alone, and opening longer ones), a line break, characters beyond the BMP and lone surrogates; for empty texts, words
at a text's very start and end, words cut short at a text's end (the next text must not complete them), repeated
texts. It refuses tables it cannot read (numpy then); it keeps no reference and leaks nothing. Skipped only when the
compiled modules are switched off (``HOTLINE_NATIVE=0``): a build always makes it."""

from __future__ import annotations

import os
import random
import sys
from typing import Any

import pytest

from hotline import native
from hotline.citizen import load_settings
from hotline.citizen.emotion import Words, _kinds_of, words_kernel
from hotline.citizen.kernel import FOUND

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")

BUNDLED = {w for ws in _kinds_of(load_settings().escalation)[0].values() for w in ws}
WORD_SETS = [BUNDLED, {"a"}, {"a", "ab", "b12"}, {"你", "你们好"}, {"你们", "你们好", "们好"}, {"😀"}, {"😀a", "a😀"},
             {"\n"}, {"x\ny"}, {"ab\nc"}, {"\ud800a"}, {"\ud800"}, {"1"}, {"ab", "ac", "ad"}, {"aa"}, {"aaa", "ab"},
             {"\U0010ffff\U0010ffff"}, {"好的好的好的好的"}]


@pytest.fixture(scope="module")
def kernel() -> Any:
    found = words_kernel()
    assert found is not None, f"make install builds the kernel: {native.state()[1]}"
    return found


def plain(words: set[str], texts: list[str]) -> list[bool]:
    return [any(w in t for w in words) for t in texts]


def numpy_held(finder: Words, texts: list[str], monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    with monkeypatch.context() as m:
        m.setitem(FOUND, "held", None)
        return finder.held(texts)


@pytest.mark.parametrize("words", WORD_SETS, ids=range(len(WORD_SETS)))
def test_the_kernel_says_what_numpy_and_the_definition_say(kernel: Any, words: set[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(len(words) * 7 + len("".join(words)))
    alphabet = [*"".join(words), *"你们好的\n !！😀12ax\ud800\U0010ffff", "上访", "找市", "不想", "一了百", "\n上",
                "访\n", *sorted(words)]
    finder = Words(words)
    for _ in range(600):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))) for _ in range(rng.randrange(0, 6))]
        if texts and rng.random() < 0.1:
            texts = texts[:1] * 3  # the same text again
        got = finder._held(texts, kernel)
        assert got == plain(words, texts) == numpy_held(finder, texts, monkeypatch), texts
        assert finder.held(texts) == got


def test_edges(kernel: Any) -> None:
    finder = Words({"上访", "找", "到底管不管"})
    cases = [([], []), ([""], [False]), (["上"], [False]), (["访"], [False]), (["上", "访"], [False, False]),
             (["上访"], [True]), (["x上访"], [True]), (["上访x"], [True]), (["到底管不"], [False]),
             (["到底管不", "管"], [False, False]), (["找"], [True]), (["上上访"], [True]), (["上\n访"], [False]),
             (["到底管不管"], [True]), (["😀上访😀"], [True]), (["\ud800找"], [True])]
    for texts, want in cases:
        assert finder._held(texts, kernel) == want, texts


def test_the_empty_word_is_in_every_text(kernel: Any) -> None:
    assert Words({"", "上访"}).held(["", "x"]) == [True, True]


def test_what_it_cannot_read_goes_the_numpy_way(kernel: Any) -> None:
    finder = Words({"上访", "投诉"})
    marks, keys, words, starts = finder.marks, finder.pair_keys, finder.pair_words, finder.pair_starts
    for args in ((marks, keys[:-1], words, starts), (marks, keys, words, starts[:-1]), (marks, keys, words, [0, 2, 1]),
                 (marks, keys, words, [1, 1, 2]), (marks, keys, words, [0, 1, 3]), (marks, keys, ["上访", "x"], starts),
                 (marks, keys, [b"xx", "投诉"], starts)):
        with pytest.raises(ValueError):
            kernel(["上访"], *args)
    for args in (([b"x"], marks, keys, words, starts), (["x"], "marks", keys, words, starts),
                 ("x", marks, keys, words, starts), (["x"], marks, keys, tuple(words), starts),
                 (["x"], marks, keys, words, [0, 1.0, 2])):
        with pytest.raises((TypeError, ValueError)):
            kernel(*args)
    finder.pair_starts = [0, 1, 1]  # (a broken table: refused, the numpy path answers)
    assert finder._held(["投诉"], kernel) is None
    assert finder.held(["投诉", "上访", "x"]) == [True, True, False]


def test_it_keeps_no_reference_and_frees_what_it_made(kernel: Any) -> None:
    finder = Words(BUNDLED)
    rng = random.Random(2)
    alphabet = [*"".join(BUNDLED), *"你们好的\n !！"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200))) for _ in range(40)]
    args = (finder.marks, finder.pair_keys, finder.pair_words, finder.pair_starts)
    before = [sys.getrefcount(x) for x in (*texts, *args, *finder.pair_words, True, False)]
    made = kernel(texts, *args)
    del made
    assert [sys.getrefcount(x) for x in (*texts, *args, *finder.pair_words, True, False)] == before
    for _ in range(300):
        kernel(texts, *args)
    rss = _rss()
    for _ in range(10000):
        kernel(texts, *args)
        with pytest.raises(TypeError):  # a text that is not one, after some answered: what it made is freed
            kernel([*texts, 1], *args)
        with pytest.raises(ValueError):
            kernel(texts, finder.marks, finder.pair_keys, finder.pair_words, [0])
    assert _rss() - rss < 8 << 20
    assert [sys.getrefcount(x) for x in (*texts, *args, *finder.pair_words)] == before[:-2]


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
