"""``restated``'s count of the pairs of letters an agent turn shares with the citizen's earlier words, by the C kernel
(``hotline._kernels.context.overlap``: a set of the pairs of ``heard`` made once instead of a search of ``heard`` per
pair) gives what ``operators._overlap`` gives: the same distinct pairs and stretches, on texts of hanzi (common and
past U+9FFF), Latin, digits, marks, whitespace, newlines, emoji and other non-BMP letters and symbols, repeated pairs,
pairs only across the line breaks of ``heard``, empty texts, and ``ignore`` lists holding pairs, single characters,
longer strings and repeats; ``restated`` answers as without the kernel. Wrong types raise; nothing leaks. Skipped only
when the compiled modules are switched off (``HOTLINE_NATIVE=0``): a build always makes the kernel."""

from __future__ import annotations

import os
import random
import sys
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hotline import native
from hotline import text as T
from hotline.inspect.compiled import compile_rulebook
from hotline.inspect.context import CallContext
from hotline.inspect.operators import _overlap, restated
from hotline.model import Call, Speaker, Turn
from hotline.norms import load_default
from hotline.norms.schema import RestateOp

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")

# a small alphabet (pairs repeat), letters of every kind _is_letter reads (ASCII, common hanzi, hanzi past U+9FFF,
# letters past the BMP), and what is no letter (digits, marks, whitespace, newline, emoji, a combining mark)
CHARS = ["您", "好", "反", "映", "的", "问", "题", "一", "下", "a", "B", "z", "é", "ß", "㐀", "𠀀", "𪚥", "\U0001d400",
         "1", "9", "０", ",", "，", "。", " ", "\n", "\u3000", "😀", "\u0301", "_", "Ⅻ"]
IGNORE = ["您好", "一下", "的问", "问题", "好", "您好的", "", "ab", "𠀀𪚥", "\n您", "您好"]


def _kernel() -> Any:
    kernel = T.counts_kernel()
    assert kernel is not None, f"make install builds the kernel: {native.state()[1]}"
    return kernel


@settings(max_examples=1500, deadline=None, database=None)
@given(st.lists(st.sampled_from(CHARS), max_size=30).map("".join),
       st.lists(st.lists(st.sampled_from(CHARS), max_size=20).map("".join), max_size=4).map("\n".join),
       st.lists(st.sampled_from(IGNORE), max_size=5))
@example("", "", [])
@example("您好", "", [])
@example("您好", "您好", [])
@example("您好", "您好", ["您好"])
@example("您好您好好您", "好您\n您好", [])
@example("您\n好", "您好", [])  # a newline between: no pair
@example("您好", "您\n好", [])  # across heard's line break: not heard
@example("𠀀𪚥𠀀𪚥", "𪚥𠀀𪚥", ["𠀀𪚥"])
@example("ab1ab", "xab", ["a"])
def test_the_kernel_counts_what_overlap_counts(text: str, heard: str, ignore: list[str]) -> None:
    assert _kernel().overlap(text, heard, ignore) == _overlap(text, heard, set(ignore))


def test_random_long_texts() -> None:
    kernel, rng = _kernel(), random.Random(39)
    for _ in range(300):
        alphabet = rng.sample(CHARS, rng.randrange(2, len(CHARS)))
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(120)))
        heard = "".join(rng.choice(alphabet) for _ in range(rng.randrange(600)))
        ignore = rng.sample(IGNORE, rng.randrange(len(IGNORE)))
        assert kernel.overlap(text, heard, ignore) == _overlap(text, heard, set(ignore))


_COMPILED: list[Any] = []


def _context(texts: list[str]) -> CallContext:
    if not _COMPILED:
        _COMPILED.append(compile_rulebook(load_default()))
    call = Call("s39", [Turn(Speaker.CITIZEN if i % 2 == 0 else Speaker.AGENT, t) for i, t in enumerate(texts)])
    return CallContext(call, _COMPILED[0])


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from(CHARS), max_size=16).map("".join), min_size=1, max_size=7),
       st.lists(st.sampled_from(IGNORE), max_size=4), st.integers(1, 4), st.integers(1, 3))
def test_restated_answers_as_without_the_kernel(texts: list[str], ignore: list[str], shared: int, pieces: int) -> None:
    _kernel()
    op = RestateOp.model_construct(confirm=None, min_shared=shared, min_pieces=pieces, intent=None, intent_shared=1,
                                   opener=None, opener_shared=2, ignore=ignore)
    ctx = _context(texts)
    turns = ctx.turns_of("agent")
    named, opened = set(turns[:1]), set(turns[1:2])
    got = restated(op, ctx, turns, named, opened)
    saved = list(T._COUNTS)
    T._COUNTS[:] = [None]
    try:
        assert restated(op, ctx, turns, named, opened) == got
    finally:
        T._COUNTS[:] = saved


def test_wrong_types_raise() -> None:
    kernel = _kernel()
    with pytest.raises(TypeError):
        kernel.overlap(b"ab", "ab", [])
    with pytest.raises(TypeError):
        kernel.overlap("ab", None, [])
    with pytest.raises(TypeError):
        kernel.overlap("ab", "ab", 3)
    assert kernel.overlap("ab", "ab", [1, None, "ab"]) == (0, 0)  # (no other item equals a pair)


def test_nothing_leaks() -> None:
    kernel = _kernel()
    text, heard, ignore = "您好我想反映一下问题" * 3, "我想反映\n小区的问题" * 5, ["一下", "您好"]
    before = [sys.getrefcount(x) for x in (text, heard, ignore, *ignore)]
    for _ in range(20000):
        kernel.overlap(text, heard, ignore)
        kernel.overlap(text, heard, tuple(ignore))
    assert [sys.getrefcount(x) for x in (text, heard, ignore, *ignore)] == before
