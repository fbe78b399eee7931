"""A bucket's weight (and an occurrence's share) is read from a per-side table of counts with one gather
(``satisfaction._per_side``). When the table's rows are as long as the buckets (a power of two: ``least``),
the agent's row starts at the column's own bit of ``buckets`` (an and instead of shifts); with rows of any
other length the side must still be moved to the row's bit. Every way must give ``table[side, counts]``."""

import numpy as np
import pytest

from hotline.citizen.satisfaction import _per_side, _shares, _sublinear


def _columns(buckets: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    cols = rng.integers(0, 2 * buckets, 5000).astype(np.int64)
    cols[:4] = [0, buckets - 1, buckets, 2 * buckets - 1]  # each side's first and last bucket
    counts = rng.integers(1, 40, len(cols)).astype(np.int64)
    counts[:4] = [1, 255, 2, 39]
    return cols, counts


@pytest.mark.parametrize("buckets,least", [(4096, 4096), (4096, 0), (256, 256), (1024, 8192), (1000, 1000)])
@pytest.mark.parametrize("table_of", [_sublinear, _shares])
def test_per_side_reads_the_row_of_each_columns_side(buckets: int, least: int, table_of: object) -> None:
    rng = np.random.default_rng(buckets + least)
    cols, counts = _columns(buckets, rng)
    table = table_of(counts, 0.37, least)  # type: ignore[operator]
    assert table.shape[1] >= max(least, int(counts.max()) + 1)
    want = table[(cols >= buckets).astype(np.int64), counts]
    assert np.array_equal(_per_side(table, cols, buckets, counts), want)


def test_a_table_made_longer_for_the_buckets_holds_the_same_numbers() -> None:
    counts = np.arange(1, 300, dtype=np.int64)
    short = _sublinear(counts, 0.41).copy()
    long = _sublinear(counts, 0.41, 16384)
    assert long.shape[1] == 16384
    assert np.array_equal(long[:, :short.shape[1]], short)
    for side, w in enumerate((1.0, 0.41)):
        assert np.array_equal(long[side, counts], np.full(len(counts), w) * (1 + np.log(counts)))
