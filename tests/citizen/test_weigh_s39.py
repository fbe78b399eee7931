"""The C kernel of the chunk's weighted n-grams (``hotline._kernels.citizen.weigh``, read by ``satisfaction._weighed``
in ``SatisfactionModel.predict_chunk``) gives what numpy gives (the pairs gathered as rows, transposed and copied,
then multiplied), byte for byte: each bucket's weight × idf, that squared, and its text weight; for empty chunks, one
bucket, the first and last buckets, repeated buckets, weights of any size (tiny, huge, zero, negative zero, inf, NaN).
It refuses what it cannot read (numpy then); it keeps no reference and leaks nothing. Skipped only when the compiled
modules are switched off (``HOTLINE_NATIVE=0``): a build always makes it."""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np
import pytest

from hotline import native
from hotline.citizen import satisfaction
from hotline.citizen.kernel import FOUND
from hotline.citizen.satisfaction import _weighed, weigh_kernel

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")


@pytest.fixture(scope="module")
def kernel() -> Any:
    found = weigh_kernel()
    assert found is not None, f"make install builds the kernel: {native.state()[1]}"
    return found


def _numpy(cols: np.ndarray, vals: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"):  # (inf × 0 and the like in ``test_odd_numbers``)
        return _weighed(cols, vals, pairs, kernel=_refuse)


def _refuse(*args: object) -> bytearray:
    raise ValueError("numpy, please")


def _same(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> None:
    assert len(a) == len(b) == 3
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype == np.float64 and x.shape == y.shape and x.tobytes() == y.tobytes()
        assert y.flags.c_contiguous


def _pairs(rng: np.random.Generator, buckets: int) -> np.ndarray:
    idf = rng.random(buckets).astype(np.float32).astype(np.float64) * 9  # as the model widens its float32 idf
    weights = rng.normal(size=buckets)
    return np.stack((idf, weights), axis=1)


@pytest.mark.parametrize("buckets", [1, 2, 17, 32768])
def test_random_chunks_as_numpy_weighs_them(kernel: Any, buckets: int) -> None:
    rng = np.random.default_rng(buckets)
    pairs = _pairs(rng, buckets)
    for size in (0, 1, 2, 7, 100, 5000):
        cols = rng.integers(0, buckets, size).astype(np.int64)
        if size:
            cols[0], cols[-1] = 0, buckets - 1  # the table's first and last
        vals = 1 + np.log(rng.integers(1, 50, size).astype(np.float64)) * rng.choice([1.0, 0.5, 0.25], size)
        _same(_numpy(cols, vals, pairs), _weighed(cols, vals, pairs, kernel=kernel))
        _same(_numpy(cols, vals, pairs), _weighed(cols, vals, pairs))


def test_odd_numbers(kernel: Any) -> None:
    pairs = np.array([[0.0, -0.0], [np.inf, 1e-300], [np.nan, 1e300], [1e-200, -np.inf], [3.0, 2.5]])
    cols = np.array([0, 1, 2, 3, 4, 4, 0, 3, 1], dtype=np.int64)
    vals = np.array([-0.0, 2.0, 1.0, 1e-200, 1e308, np.nan, np.inf, -1.0, 0.0])
    want, got = _numpy(cols, vals, pairs), _weighed(cols, vals, pairs, kernel=kernel)
    for x, y in zip(want, got, strict=True):
        assert np.array_equal(x, y, equal_nan=True) and np.array_equal(np.signbit(x), np.signbit(y))


def test_the_rows(kernel: Any) -> None:
    pairs = np.array([[2.0, 10.0], [3.0, 20.0], [5.0, 30.0]])
    weighted, squares, weights = _weighed(np.array([2, 0, 2], dtype=np.int64), np.array([1.0, 2.0, 3.0]), pairs,
                                          kernel=kernel)
    assert weighted.tolist() == [5.0, 4.0, 15.0]
    assert squares.tolist() == [25.0, 16.0, 225.0]
    assert weights.tolist() == [30.0, 10.0, 30.0]


def test_what_it_cannot_read_goes_the_numpy_way(kernel: Any) -> None:
    pairs = _pairs(np.random.default_rng(0), 8)
    cols = np.array([1, 7, 0], dtype=np.int64)
    vals = np.array([1.0, 2.0, 3.0])
    for args in ((cols.astype(np.int32), vals, pairs), (cols, vals.astype(np.float32), pairs),
                 (cols, vals[:2], pairs), (cols, vals, pairs.astype(np.float32)), (cols, vals, pairs.T.copy()),
                 (cols, vals, pairs[:, :1].copy()), (cols[::2], vals[::2], pairs),
                 (np.array([1, 8, 0], dtype=np.int64), vals, pairs),  # a column past the table
                 (np.array([1, -1, 0], dtype=np.int64), vals, pairs), (cols.reshape(3, 1), vals, pairs),
                 ([1, 7, 0], vals, pairs)):
        with pytest.raises(ValueError):
            kernel(*args)
    # past the table: numpy raises as it did before the kernel
    with pytest.raises(IndexError):
        _weighed(np.array([1, 8, 0], dtype=np.int64), vals, pairs, kernel=kernel)
    # the others: numpy's numbers
    _same(_numpy(cols.astype(np.int32), vals, pairs), _weighed(cols.astype(np.int32), vals, pairs, kernel=kernel))
    _same(_numpy(cols[::2], vals[::2], pairs), _weighed(cols[::2], vals[::2], pairs, kernel=kernel))


def test_the_chunk_is_predicted_as_without_the_kernel(kernel: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``predict_chunk`` of a chunk: every call's prediction and dissatisfaction and the weighted buckets, the same
    with the kernel as without it."""
    from test_batch import chunk  # tests/citizen/test_batch.py

    from hotline.citizen.block import default_model
    from hotline.citizen.settings import load_settings
    from hotline.inspect import default_engine
    from hotline.inspect.context import CallContext, prepare_acts

    model = default_model()
    assert model is not None
    engine = default_engine(semantic=False)
    contexts = [CallContext(c, engine.compiled) for c in chunk()]
    prepare_acts(contexts)
    contexts = [ctx for ctx in contexts if not ctx.no_text and ctx.call.turns]
    from hotline.citizen.emotion import groups

    feats, _ = satisfaction.prepare_clause_stats(contexts, groups(contexts[0], load_settings()))
    grams = satisfaction.prepare_text_buckets(contexts, model.settings)
    scaled = model.scale(feats)
    risk, weighted, bounds = model.predict_chunk(contexts, scaled, grams)
    predicted = [ctx.prepared[("predicted", id(model))] for ctx in contexts]
    monkeypatch.setitem(FOUND, "weigh", None)
    risk2, weighted2, bounds2 = model.predict_chunk(contexts, scaled, grams)
    assert risk == risk2 and bounds == bounds2 and weighted.tobytes() == weighted2.tobytes()
    assert predicted == [ctx.prepared[("predicted", id(model))] for ctx in contexts]


def test_it_keeps_no_reference_and_frees_what_it_made(kernel: Any) -> None:
    rng = np.random.default_rng(4)
    pairs = _pairs(rng, 1024)
    cols = rng.integers(0, 1024, 3000).astype(np.int64)
    vals = rng.random(3000)
    bad = cols.copy()
    bad[-1] = 5000
    before = [sys.getrefcount(x) for x in (cols, vals, pairs, bad)]
    made = kernel(cols, vals, pairs)
    assert sys.getrefcount(made) == 2
    del made
    assert [sys.getrefcount(x) for x in (cols, vals, pairs, bad)] == before
    for _ in range(300):
        kernel(cols, vals, pairs)
    rss = _rss()
    for _ in range(10000):
        kernel(cols, vals, pairs)
        with pytest.raises(ValueError):  # refused after taking the buffers: releases them
            kernel(cols, vals, bad)
        with pytest.raises(ValueError):
            kernel(cols, vals[:5], pairs)
    assert _rss() - rss < 8 << 20
    assert [sys.getrefcount(x) for x in (cols, vals, pairs, bad)] == before
    # a buffer the kernel kept would stop a bytearray from growing
    grown = bytearray(np.arange(3.0).tobytes())
    kernel(np.zeros(3, dtype=np.int64), memoryview(grown).cast("d"), pairs)
    with pytest.raises(ValueError):
        kernel(np.zeros(3, dtype=np.int64), memoryview(grown).cast("d")[:2], pairs)
    grown.extend(b"x" * 8)


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
