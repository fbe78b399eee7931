"""The C kernel of the chunk's n-grams (``hotline._kernels.citizen.chunk_grams``, read by
``satisfaction._kernel_grams``) gives what the numpy path (``_numpy_grams``: ``_counted_keys`` and the columns, weights
and bounds after it) gives, byte for byte and dtype for dtype: the numbers of each n-gram in text order (``crossing``
where one runs into the next piece), each distinct number ascending with its count, column and weight, and where each
call's run starts; for texts of any characters (digits, newlines, emoji and other non-BMP characters, lone
surrogates), repeated pieces, calls without pieces, any number of buckets (a power of two or not, few or many: the
bitmap's walk and the sort), 32- and 64-bit numbers, and counts past the weight table (the numpy gather then). It
refuses what it cannot number as the numpy path does (the numpy path then); it keeps no reference and leaks nothing.
Skipped only when the compiled modules are switched off (``HOTLINE_NATIVE=0``): a build always makes it."""

from __future__ import annotations

import os
import random
import sys
from typing import Any

import numpy as np
import pytest

from hotline import native
from hotline.citizen import satisfaction
from hotline.citizen.kernel import FOUND
from hotline.citizen.satisfaction import ChunkGrams, _kernel_grams, _numpy_grams, _sublinear, grams_kernel
from hotline.citizen.settings import SatisfactionSettings

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")


@pytest.fixture(scope="module")
def kernel() -> Any:
    found = grams_kernel()
    assert found is not None, f"make install builds the kernel: {native.state()[1]}"
    return found


_ALPHABET = ["a", "Z", "0", "9", "\n", " ", "，", "！", "？", "你", "好", "管", "不", "😀", "𠀀", "\U0010ffff", "\ud800",
             "\udfff", "\x00", "\uffff", "é", "^", "$"]


def _piece(rng: random.Random) -> str:
    """A side's words as ``prepare_text_buckets`` joins them: a character at least (a turn with words) between
    ``^`` and ``$``."""
    size = rng.choice([1, 1, 2, 3, 4, 7, 30, 300])
    if rng.random() < 0.1:  # one character over and over: one bucket counted many times
        return f"^{rng.choice(_ALPHABET) * size}$"
    return "^" + "".join(rng.choice(_ALPHABET) for _ in range(size)) + "$"


def _same(a: ChunkGrams, b: ChunkGrams | None) -> None:
    assert b is not None
    assert b.pieces == a.pieces and b.owner == a.owner
    assert a.crossing == b.crossing and a.bounds == b.bounds
    assert len(a.numbers) == len(b.numbers)
    for x, y in zip(a.numbers, b.numbers, strict=True):
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    for x, y in ((a.combined, b.combined), (a.counts, b.counts), (a.cols, b.cols), (a.vals, b.vals)):
        assert x is not None and y is not None
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()


def _settings(buckets: int, ngram_max: int, agent_weight: float) -> SatisfactionSettings:
    return SatisfactionSettings(buckets=buckets, ngram_max=ngram_max, agent_weight=agent_weight)


@pytest.mark.parametrize("buckets", [16384, 256, 4096, 1000, 257, 1 << 20])  # the bitmap's walk, and the sort
@pytest.mark.parametrize("ngram_max", [1, 2, 3, 4])
def test_random_chunks_are_numbered_as_the_numpy_path_numbers_them(kernel: Any, buckets: int, ngram_max: int) -> None:
    rng = random.Random(buckets * 10 + ngram_max)
    for _ in range(40):
        s = _settings(buckets, ngram_max, rng.choice([0.5, 1.0, 0.25, 0.0]))
        calls = rng.choice([1, 2, 3, 8, 64])
        owner = sorted(rng.sample(range(2 * calls), rng.randint(1, 2 * calls)))  # some calls and sides have none
        pieces = [_piece(rng) for _ in owner]
        if rng.random() < 0.2:  # the same words in every piece
            pieces = [pieces[0]] * len(owner)
        _same(_numpy_grams(pieces, owner, s, calls), _kernel_grams(pieces, owner, s, calls, kernel))


def test_the_last_pieces_and_short_texts(kernel: Any) -> None:
    """A text shorter than ``ngram_max`` (no array for the longer n), a last piece shorter than n, one piece."""
    s = _settings(16384, 4, 0.5)
    for pieces, owner, calls in ((["^a$"], [0], 1), (["^😀$"], [1], 1), (["^你好$", "^1$"], [0, 3], 2),
                                 (["^😀\ud800$", "^x$", "^12\n3$"], [0, 1, 5], 3), (["^" + "管" * 50 + "$"], [4], 3)):
        _same(_numpy_grams(pieces, owner, s, calls), _kernel_grams(pieces, owner, s, calls, kernel))


def test_64_bit_numbers(kernel: Any) -> None:
    rng = random.Random(64)
    s = _settings(1 << 20, 3, 0.5)
    calls = 4096  # 2 × buckets × calls ≥ 2³²: the numbers are uint64
    owner = sorted(rng.sample(range(2 * calls), 12)) + [2 * calls - 1]
    pieces = [_piece(rng) for _ in owner]
    got = _kernel_grams(pieces, owner, s, calls, kernel)
    assert got is not None and got.combined.dtype == np.uint64 and got.crossing == 2**64 - 1
    _same(_numpy_grams(pieces, owner, s, calls), got)


def test_counts_past_the_weight_table(kernel: Any) -> None:
    """A count the table does not reach: the kernel gives no weights, the table is grown and read as numpy reads it."""
    s = _settings(256, 3, 0.5)
    pieces, owner = ["^" + "a" * 700 + "$", "^" + "你" * 3 + "$"], [0, 1]
    small = np.stack((np.arange(256.0), np.arange(256.0)))
    made = kernel(pieces, owner, 256, 3, 4, 1, small)
    assert made[4] is None and max(np.frombuffer(made[2], dtype=np.int64)) >= 256
    _same(_numpy_grams(pieces, owner, s, 1), _kernel_grams(pieces, owner, s, 1, kernel))
    # a count as large as the table is wide lies past it too
    exact = kernel(["^" + "a" * 256 + "$"], [0], 256, 1, 4, 1, small)
    assert exact[4] is None and max(np.frombuffer(exact[2], dtype=np.int64)) == 256
    assert kernel(["^" + "a" * 255 + "$"], [0], 256, 1, 4, 1, small)[4] is not None
    # a table wide enough: each weight is the table's at its side and count
    wide = _sublinear(np.array([4096]), 0.5, 256)
    numbers, combined, counts, cols, vals, bounds = kernel(pieces, owner, 256, 3, 4, 1, wide)
    count_of, col_of = np.frombuffer(counts, dtype=np.int64), np.frombuffer(cols, dtype=np.int64)
    assert vals is not None
    assert np.array_equal(np.frombuffer(vals), wide[(col_of >= 256).astype(np.int64), count_of])


def test_what_it_cannot_number_goes_the_numpy_way(kernel: Any) -> None:
    s = _settings(16384, 3, 0.5)
    table = _sublinear(np.zeros(0, dtype=np.int64), 0.5, 16384)
    assert _kernel_grams(["^a$", "^b$"], [1, 0], s, 1, kernel) is None  # owners not ascending
    assert _kernel_grams(["^a$", "^b$"], [1, 1], s, 1, kernel) is None  # nor distinct
    assert _kernel_grams(["^a$"], [2], s, 1, kernel) is None  # past 2 × calls
    assert _kernel_grams(["^a$"], [0], _settings(1 << 27, 3, 0.5), 1, kernel) is None  # too many buckets
    with pytest.raises(ValueError):
        kernel(["^a$"], [0], 16384, 3, 4, 1, np.zeros((3, 16384)))  # not two rows
    with pytest.raises(ValueError):
        kernel(["^a$"], [0], 16384, 3, 4, 1, table.astype(np.float32))
    with pytest.raises(ValueError):
        kernel(["^a$"], [0], 16384, 3, 2, 1, table)  # numbers of 2 bytes
    with pytest.raises(ValueError):  # the largest number, at the largest 32-bit one (``crossing``)
        kernel(["^a$"], [2**18 - 1], 16384, 3, 4, 2**17, table)
    with pytest.raises(TypeError):
        kernel([b"^a$"], [0], 16384, 3, 4, 1, table)
    with pytest.raises(TypeError):
        kernel(["^a$"], [0.0], 16384, 3, 4, 1, table)
    with pytest.raises(ValueError):
        kernel(["^a$", "^b$"], [0], 16384, 3, 4, 1, table)


def test_the_chunk_is_prepared_as_without_the_kernel(kernel: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``prepare_text_buckets`` of a chunk: each call's columns and weights and the grams the drivers read, the
    same with the kernel as without it."""
    from test_batch import chunk  # tests/citizen/test_batch.py

    from hotline.citizen.block import default_model
    from hotline.inspect import default_engine
    from hotline.inspect.context import CallContext, prepare_acts

    model = default_model()
    assert model is not None
    engine = default_engine(semantic=False)
    contexts = [CallContext(c, engine.compiled) for c in chunk()]
    prepare_acts(contexts)
    contexts = [ctx for ctx in contexts if not ctx.no_text and ctx.call.turns]
    key = ("text_buckets", id(model.settings))
    with_kernel = satisfaction.prepare_text_buckets(contexts, model.settings)
    got = [ctx.prepared.pop(key) for ctx in contexts]
    monkeypatch.setitem(FOUND, "chunk_grams", None)
    without = satisfaction.prepare_text_buckets(contexts, model.settings)
    assert without is not None
    _same(without, with_kernel)
    for ctx, (cols, vals) in zip(contexts, got, strict=True):
        want = ctx.prepared[key]
        assert cols.tobytes() == want[0].tobytes() and vals.tobytes() == want[1].tobytes()


def test_it_keeps_no_reference_and_frees_what_it_made(kernel: Any) -> None:
    rng = random.Random(3)
    pieces = [_piece(rng) for _ in range(39)] + ["^" + "你们到底管不管" * 300 + "$"]  # (its scratch: kilobytes)
    owner = list(range(0, 80, 2))
    table = _sublinear(np.zeros(0, dtype=np.int64), 0.5, 16384)
    before = [sys.getrefcount(p) for p in pieces] + [sys.getrefcount(table), sys.getrefcount(owner)]
    made = kernel(pieces, owner, 16384, 3, 4, 40, table)
    parts = [*made[1:5], *made[0]]
    del made  # the tuple and the list of numbers freed: each result is held by ``parts`` only
    for part in parts:
        assert sys.getrefcount(part) == 3  # (``parts``, ``part`` and the call's argument)
    del parts, part
    assert [sys.getrefcount(p) for p in pieces] + [sys.getrefcount(table), sys.getrefcount(owner)] == before
    for _ in range(300):  # warm: the allocator's pools made
        kernel(pieces, owner, 16384, 3, 4, 40, table)
    rss = _rss()
    for _ in range(5000):
        kernel(pieces, owner, 16384, 3, 4, 40, table)
        with pytest.raises(ValueError):  # refused: frees what it made before it saw the owners out of order
            kernel(pieces, [0, 4, 2] + owner[3:], 16384, 3, 4, 40, table)
    assert _rss() - rss < 8 << 20


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
