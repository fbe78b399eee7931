"""The per-call counts in C (``hotline._kernels.context``, ``text.counts_kernel``) give what the Python paths give:
``spoken_counts`` is ``str.isalnum`` of each character counted (every code point, the BMP's table filled as they come,
past the BMP, lone surrogates), ``spaces`` the characters ``str.split()`` takes out (every code point), and with them
``CallContext.alnum_count`` and ``normalize_all``'s test for whitespace (``_spaceless``) answer as without the
kernel, on texts with digits, Latin, whitespace of every kind, newlines, emoji and other non-BMP characters, empty and
repeated texts. Wrong types raise; nothing leaks. Skipped only when the compiled modules are switched off
(``HOTLINE_NATIVE=0``): a build always makes the kernel."""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hotline import native
from hotline import text as T
from hotline.inspect.compiled import compile_rulebook
from hotline.inspect.context import CallContext, spoken_count, spoken_counts
from hotline.model import Call, Speaker, Turn
from hotline.norms import load_default

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")

# every kind of character the two counts tell apart: hanzi, marks (ASCII and full-width), digits (ASCII, full-width,
# other scripts' and numerals that are not decimal), Latin, whitespace of every kind str.split() knows, a newline,
# emoji and other characters past the BMP (alnum and not), a combining mark, a lone surrogate
PIECES = ["好", "的", "您", "请问", ",", ".", "，", "。", "？", "！", "、", "1", "12345", "０", "٣", "Ⅻ", "½", "²",
          "a", "Z", "é", " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2000",
          "\u200b", "\u2028", "\u3000", "\ufeff", "😀", "🙂", "𠀀", "𪚥", "\U0001d7ce", "\U0010ffff", "\u0301", "\ud800",
          "_", "-", "ß"]


def _kernel() -> Any:
    kernel = T.counts_kernel()
    assert kernel is not None, f"make install builds the kernel: {native.state()[1]}"
    return kernel


def _alnum(text: str) -> int:
    """The plain definition: the characters ``str.isalnum`` holds."""
    return sum(1 for ch in text if ch.isalnum())


def _spaces(text: str) -> int:
    """The plain definition: the characters ``str.split()`` takes out."""
    return len(text) - len("".join(text.split()))


@pytest.fixture
def no_kernel() -> Iterator[None]:
    """``counts_kernel`` answering None (the Python paths), as when the kernel is not built."""
    saved = list(T._COUNTS)
    T._COUNTS[:] = [None]
    yield
    T._COUNTS[:] = saved


def test_every_code_point_is_counted_as_isalnum_and_split_read_it() -> None:
    kernel = _kernel()
    chars = [chr(c) for c in range(sys.maxunicode + 1)]
    assert kernel.spoken_counts(chars) == [1 if ch.isalnum() else 0 for ch in chars]
    assert [kernel.spaces(ch) for ch in chars] == [_spaces(ch) for ch in chars]
    # and again, the BMP's table now filled; all at once in one text of each width
    assert kernel.spoken_counts(chars) == [1 if ch.isalnum() else 0 for ch in chars]
    for text in ["".join(chars[:256]), "".join(chars[:65536]), "".join(chars)]:
        assert kernel.spoken_counts([text]) == [_alnum(text)]
        assert kernel.spaces(text) == _spaces(text)


@settings(max_examples=800, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=10).map("".join), max_size=8))
@example([])
@example([""])
@example(["", "", ""])
@example(["您好", "您好"])
@example(["a1 b2", "\u3000\n", "😀𠀀"])
def test_the_kernel_counts_what_python_counts(texts: list[str]) -> None:
    kernel = _kernel()
    assert kernel.spoken_counts(texts) == [_alnum(t) for t in texts] == spoken_counts(texts)
    assert [kernel.spaces(t) for t in texts] == [_spaces(t) for t in texts]
    joined = "\n".join(texts)
    if texts:
        assert T._spaceless(joined, len(texts)) == (len("".join(joined.split())) == len(joined) - len(texts) + 1)


def test_random_texts_of_each_width() -> None:
    kernel, rng = _kernel(), random.Random(39)
    alphabets = ["ab1 ,\t\n\xa0", "好的您,，。 \u3000０Ⅻ\n", "好😀𠀀 \U0001d7ce\u2028,１"]
    for _ in range(400):
        texts = ["".join(rng.choice(rng.choice(alphabets)) for _ in range(rng.randrange(40))) for _ in range(5)]
        assert kernel.spoken_counts(texts) == [_alnum(t) for t in texts]
        assert [kernel.spaces(t) for t in texts] == [_spaces(t) for t in texts]


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=8).map("".join), min_size=1, max_size=6))
def test_the_context_counts_as_without_the_kernel(texts: list[str]) -> None:
    compiled = _compiled()
    call = Call("s39", [Turn(Speaker.AGENT if i % 2 else Speaker.CITIZEN, t) for i, t in enumerate(texts)])
    ctx = CallContext(call, compiled)
    got = [ctx.alnum_count(i) for i in range(len(texts))]
    assert got == [spoken_count(n.text) for n in ctx.norm] == [_alnum(n.text) for n in ctx.norm]
    saved = list(T._COUNTS)
    T._COUNTS[:] = [None]
    try:
        plain = CallContext(call, compiled)
        assert [plain.alnum_count(i) for i in range(len(texts))] == got
        assert plain.norm == ctx.norm
    finally:
        T._COUNTS[:] = saved


_COMPILED: list[Any] = []


def _compiled() -> Any:
    if not _COMPILED:
        _COMPILED.append(compile_rulebook(load_default()))
    return _COMPILED[0]


@settings(max_examples=600, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from(PIECES + ["不知到", "幺零二四", "請", "ＡＢＣ"]), max_size=6).map("".join),
                max_size=7))
@example(["好", "好"])
@example(["好 ", "好"])
@example(["好", "\u3000好"])
@example(["好\n", "好"])
def test_normalize_all_with_and_without_the_kernel_is_normalize_of_each(texts: list[str]) -> None:
    _kernel()
    want = [T.normalize(t) for t in texts]
    assert T.normalize_all(texts) == want
    saved = list(T._COUNTS)
    T._COUNTS[:] = [None]
    try:
        assert T.normalize_all(texts) == want
    finally:
        T._COUNTS[:] = saved


def test_the_python_paths_are_taken_without_the_kernel(no_kernel: None) -> None:
    assert T.counts_kernel() is None
    assert T._spaceless("a\nb", 2) and not T._spaceless("a \nb", 2) and not T._spaceless("a\u3000\nb", 2)
    call = Call("s39", [Turn(Speaker.AGENT, "您好，12345"), Turn(Speaker.CITIZEN, "😀 ab")])
    ctx = CallContext(call, _compiled())
    assert [ctx.alnum_count(0), ctx.alnum_count(1)] == [7, 2]


def test_wrong_types_raise() -> None:
    kernel = _kernel()
    with pytest.raises(TypeError):
        kernel.spoken_counts(("a",))
    with pytest.raises(TypeError):
        kernel.spoken_counts(["a", 1])
    with pytest.raises(TypeError):
        kernel.spaces(b"a b")
    with pytest.raises(TypeError):
        kernel.spaces(None)


def test_nothing_leaks() -> None:
    kernel = _kernel()
    texts = ["您好，请问 12345" * 3, "😀 ab\u3000", ""]
    before = [sys.getrefcount(t) for t in texts]
    listed = sys.getrefcount(texts)
    for _ in range(20000):
        kernel.spoken_counts(texts)
        kernel.spaces(texts[0])
    assert [sys.getrefcount(t) for t in texts] == before
    assert sys.getrefcount(texts) == listed
    big = 10 ** 6
    counts = kernel.spoken_counts(["好" * big])
    held = sys.getrefcount(counts[0])  # (read outside the assert: its rewriting keeps what it shows)
    assert counts == [big] and held == 2  # the list's and the call's: a new int, owned by the list alone
