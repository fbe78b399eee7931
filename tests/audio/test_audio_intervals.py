import pytest

from hotline.audio import intervals as iv


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], []),
        ([(3, 4), (1, 2)], [(1, 2), (3, 4)]),
        ([(1, 3), (2, 5), (5, 6)], [(1, 6)]),
        ([(1, 1), (2, 1.5)], []),
    ],
)
def test_normalize(items, expected):
    assert iv.normalize(items) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(0, 10)], [(2, 3), (5, 12)], [(2, 3), (5, 10)]),
        ([(0, 1)], [(1, 2)], []),
        ([(0, 2), (4, 6)], [(1, 5)], [(1, 2), (4, 5)]),
        ([], [(0, 1)], []),
    ],
)
def test_intersect(a, b, expected):
    assert iv.intersect(a, b) == expected
    assert iv.intersect(b, a) == expected


@pytest.mark.parametrize(
    ("items", "start", "end", "expected"),
    [
        ([(1, 2), (4, 5)], None, None, [(2, 4)]),
        ([(1, 2), (4, 5)], 0, 6, [(0, 1), (2, 4), (5, 6)]),
        ([], 0, 3, [(0, 3)]),
        ([], None, None, []),
    ],
)
def test_gaps(items, start, end, expected):
    assert iv.gaps(items, start, end) == expected


@pytest.mark.parametrize(
    ("items", "gap", "blockers", "expected"),
    [
        ([(0, 1), (1.5, 2), (4, 5)], 0.8, None, [(0, 2), (4, 5)]),
        ([(0, 1), (1.5, 2)], 0.8, [(1.1, 1.3)], [(0, 1), (1.5, 2)]),
        ([(0, 1), (1.5, 2)], 0.4, None, [(0, 1), (1.5, 2)]),
    ],
)
def test_merge_close(items, gap, blockers, expected):
    assert iv.merge_close(items, gap, blockers) == expected


def test_total_and_union():
    assert iv.total(iv.union([(0, 2)], [(1, 3)], [(5, 6)])) == 4
    assert iv.overlap((0, 2), (1, 5)) == 1
    assert iv.overlap((0, 1), (2, 3)) == 0
