"""The C kernel of the clause statistics (``hotline._kernels.citizen.clause_stats``, read by
``satisfaction._kernel_stats`` and ``clause_stats``) gives what the numpy path (``_numpy_stats``: ``_maxima``,
``_sums`` and the lines around them) gives, byte for byte and dtype for dtype: each call's max, mean, first and last of
every act, and per group of columns each clause turn's strongest; for calls of one turn or many, turns of one clause
or many (one far longer than the others: ``_maxima``' reduceat and ``_sums``' unpadded way), one act or many, ties,
zeros, ones and tiny numbers, groups without columns or with every one, the rows in one block or in many. One call of
one act goes the numpy way (``_sums`` adds those rows pairwise). It refuses what is not float32 rows of the width, or
sizes and bounds that do not cover them (the numpy path then); it keeps no reference and leaks nothing. Skipped only
when the compiled modules are switched off (``HOTLINE_NATIVE=0``): a build always makes it."""

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
from hotline.citizen.satisfaction import _kernel_stats, _numpy_stats, clause_stats, stats_kernel

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")


@pytest.fixture(scope="module")
def kernel() -> Any:
    found = stats_kernel()
    assert found is not None, f"make install builds the kernel: {native.state()[1]}"
    return found


Chunk = tuple[list[np.ndarray], list[int], list[int], int, list[list[int]]]


def _chunk(rng: random.Random, acts: int, calls: int, long_run: bool = False, split: bool = True) -> Chunk:
    """Clause rows of ``calls`` calls as ``prepare_clause_stats`` collects them: a block per call (or all in one),
    each turn's count of rows, each call's turns, and a few groups of columns."""
    blocks: list[np.ndarray] = []
    sizes: list[int] = []
    bounds = [0]
    nprng = np.random.default_rng(rng.randrange(1 << 30))
    for c in range(calls):
        turns = rng.choice([1, 1, 2, 3, 5, 12])
        size = [rng.choice([1, 1, 2, 3, 4, 9]) for _ in range(turns)]
        if long_run and c == 0:
            size[0] = 400  # one run far longer than the others
        sizes += size
        bounds.append(len(sizes))
        rows = nprng.random((sum(size), acts)).astype(np.float32)
        kind = rng.random()
        if kind < 0.2:  # few distinct values: ties everywhere
            rows = np.round(rows, 1)
        elif kind < 0.3:  # zeros and ones
            rows = np.round(rows)
        elif kind < 0.4:  # tiny and large exponents side by side (a sum's rounding shows)
            rows = (rows * np.float32(10.0) ** nprng.integers(-30, 3, rows.shape)).astype(np.float32)
        blocks.append(rows)
    if not split:
        blocks = [np.concatenate(blocks)]
    groups = [sorted(rng.sample(range(acts), rng.randint(0, acts))) for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.3:
        groups.append(list(range(acts)))
    return blocks, sizes, bounds, acts, groups


def _same(want: tuple[np.ndarray, list[np.ndarray]], got: tuple[np.ndarray, list[np.ndarray]] | None) -> None:
    assert got is not None
    assert want[0].dtype == got[0].dtype == np.float32 and want[0].shape == got[0].shape
    assert want[0].tobytes() == got[0].tobytes()
    assert len(want[1]) == len(got[1])
    for a, b in zip(want[1], got[1], strict=True):
        assert a.dtype == b.dtype == np.float64 and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("acts", [2, 3, 7, 16, 41])
def test_random_chunks_as_numpy_computes_them(kernel: Any, acts: int) -> None:
    rng = random.Random(acts)
    for i in range(60):
        chunk = _chunk(rng, acts, rng.choice([1, 2, 3, 8, 40]), long_run=i % 10 == 0, split=i % 4 != 0)
        _same(_numpy_stats(*chunk), _kernel_stats(*chunk, kernel=kernel))
        _same(_numpy_stats(*chunk), clause_stats(*chunk))


def test_one_act(kernel: Any) -> None:
    """One act over many calls: the kernel's; one call of one act: numpy's pairwise sum, which ``clause_stats``
    keeps (the kernel adds row after row: other last bits for some rows)."""
    rng = random.Random(1)
    for _ in range(40):
        chunk = _chunk(rng, 1, rng.choice([2, 3, 9]))
        _same(_numpy_stats(*chunk), _kernel_stats(*chunk, kernel=kernel))
    differ = 0
    for _ in range(60):
        blocks, sizes, bounds, acts, groups = _chunk(rng, 1, 1)
        rows = np.random.default_rng(len(sizes)).random((40, 1)).astype(np.float32)
        chunk = ([rows], [40], [0, 1], 1, groups)
        _same(_numpy_stats(*chunk), clause_stats(*chunk))
        got = _kernel_stats(*chunk, kernel=kernel)
        assert got is not None
        differ += got[0].tobytes() != _numpy_stats(*chunk)[0].tobytes()
    assert differ  # (why ``clause_stats`` does not ask the kernel for one call of one act)


def test_nan_wins_a_maximum_as_in_numpy(kernel: Any) -> None:
    rows = np.array([[0.5, np.nan, 0.1], [np.nan, 0.2, 0.3], [0.4, 0.9, 0.2]], dtype=np.float32)
    chunk = ([rows], [1, 2], [0, 1, 2], 3, [[0, 1], [2], [1]])
    want, got = _numpy_stats(*chunk), _kernel_stats(*chunk, kernel=kernel)
    assert got is not None
    assert np.array_equal(want[0], got[0], equal_nan=True)
    for a, b in zip(want[1], got[1], strict=True):
        assert np.array_equal(a, b, equal_nan=True)


def test_the_layout(kernel: Any) -> None:
    """Each call's row: max, mean, first turn's and last turn's maxima, in ``STATS`` order."""
    rows = np.array([[0.1, 0.9], [0.3, 0.2], [0.5, 0.4], [0.2, 0.1]], dtype=np.float32)
    got = _kernel_stats([rows[:3], rows[3:]], [2, 1, 1], [0, 2, 3], 2, [[1], [], [0, 1]], kernel=kernel)
    assert got is not None
    stats, groups = got
    mean0 = (rows[0] + rows[1] + rows[2]) / np.float32(3)
    assert stats.tolist() == [[np.float32(0.5), np.float32(0.9), *mean0, np.float32(0.3), np.float32(0.9), *rows[2]],
                              [*rows[3], *rows[3], *rows[3], *rows[3]]]
    assert [g.tolist() for g in groups] == [[np.float32(0.9), np.float32(0.4), np.float32(0.1)], [0.0, 0.0, 0.0],
                                            [np.float32(0.9), np.float32(0.5), np.float32(0.2)]]


def test_what_it_cannot_read_goes_the_numpy_way(kernel: Any) -> None:
    rows = np.random.default_rng(0).random((4, 3)).astype(np.float32)
    for blocks, sizes, bounds, width, groups in (
        ([rows.astype(np.float64)], [4], [0, 1], 3, []),  # not float32
        ([rows[:, :2]], [4], [0, 1], 2, []),  # not contiguous
        ([rows[::2]], [2], [0, 1], 3, []),
        ([rows], [4], [0, 1], 2, []),  # another width
        ([rows.reshape(-1)], [4], [0, 1], 3, []),  # not a table
        ([rows], [3], [0, 1], 3, []),  # sizes short of the rows
        ([rows], [3, 2], [0, 2], 3, []),  # past them
        ([rows], [4, 0], [0, 2], 3, []),  # a turn without rows
        ([rows], [2, 2], [0, 1], 3, []),  # bounds short of the turns
        ([rows], [2, 2], [1, 2], 3, []),  # not from 0
        ([rows], [2, 2], [0, 2, 2], 3, []),  # a call without turns
        ([rows], [2, 2], [0, 3], 3, []),  # past the turns
        ([rows], [4], [0, 1], 3, [[3]]),  # a column past the table
        ([rows], [4], [0, 1], 3, [[-1]]),
        ([rows], [4], [0, 1], 0, []),
        ([rows], [4], [], 3, []),
    ):
        assert _kernel_stats(blocks, sizes, bounds, width, groups, kernel=kernel) is None
    for args in (([b"x"], [4], [0, 1], 3, []), ([rows], [4.0], [0, 1], 3, []), ([rows], [4], [0, 1], 3, [(0,)]),
                 ([rows], [4], [0, 1], 3, [[0.0]])):
        with pytest.raises((TypeError, ValueError)):
            kernel(*args)
    with pytest.raises(TypeError):
        kernel((rows,), [4], [0, 1], 3, [])


def test_the_chunk_is_prepared_as_without_the_kernel(kernel: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``prepare_clause_stats`` of a chunk: every call's act features and each clause turn's strongest of each
    group, the same with the kernel as without it."""
    from test_batch import chunk  # tests/citizen/test_batch.py

    from hotline.citizen.emotion import groups
    from hotline.citizen.settings import load_settings
    from hotline.inspect import default_engine
    from hotline.inspect.context import CallContext, prepare_acts

    engine = default_engine(semantic=False)
    contexts = [CallContext(c, engine.compiled) for c in chunk()]
    prepare_acts(contexts)
    contexts = [ctx for ctx in contexts if not ctx.no_text and ctx.call.turns]
    named = groups(contexts[0], load_settings())
    feats, turns = satisfaction.prepare_clause_stats(contexts, named)
    monkeypatch.setitem(FOUND, "clause_stats", None)
    feats2, turns2 = satisfaction.prepare_clause_stats(contexts, named)
    assert feats.tobytes() == feats2.tobytes()
    assert (turns.turns, turns.owners, turns.bounds) == (turns2.turns, turns2.owners, turns2.bounds)
    assert sorted(turns.strongest) == sorted(turns2.strongest) == sorted(named)
    for name in named:
        assert turns.strongest[name].tobytes() == turns2.strongest[name].tobytes()
    for c, ctx in enumerate(contexts):  # a call alone gives its own row again
        assert satisfaction.prepare_clause_stats([ctx], {})[0][0].tobytes() == feats[c].tobytes()


def test_it_keeps_no_reference_and_frees_what_it_made(kernel: Any) -> None:
    blocks, sizes, bounds, acts, groups = _chunk(random.Random(5), 16, 40)
    groups = [[0, 3], [], [15]]
    before = [sys.getrefcount(x) for x in (*blocks, sizes, bounds, groups)]
    stats, per_group = kernel(blocks, sizes, bounds, acts, groups)
    assert sys.getrefcount(stats) == 2 and all(sys.getrefcount(g) == 3 for g in per_group)
    del stats, per_group
    assert [sys.getrefcount(x) for x in (*blocks, sizes, bounds, groups)] == before
    for _ in range(300):  # warm: the allocator's pools made
        kernel(blocks, sizes, bounds, acts, groups)
    rss = _rss()
    for _ in range(10000):
        kernel(blocks, sizes, bounds, acts, groups)
        with pytest.raises(ValueError):  # refused: frees the buffers it took before it saw the bad column
            kernel(blocks, sizes, bounds, acts, [[0], [99]])
        with pytest.raises(ValueError):  # refused at a block: releases the ones before it
            kernel([*blocks[:3], blocks[3].astype(np.float64)], sizes, bounds, acts, groups)
    assert _rss() - rss < 8 << 20
    assert [sys.getrefcount(x) for x in (*blocks, sizes, bounds, groups)] == before


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
