"""``operators.longest``: the matches of a lexicon not inside a longer one of the same turn."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hotline.inspect.operators import longest


def reference(hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The definition: by turn, start, and the longer first; a match ending inside the last kept one is dropped."""
    out: list[tuple[int, int, int]] = []
    for h in sorted(set(hits), key=lambda h: (h[0], h[1], -h[2])):
        if out and out[-1][0] == h[0] and h[2] <= out[-1][2]:
            continue
        out.append(h)
    return out


spans = st.tuples(st.integers(0, 3), st.integers(0, 8), st.integers(0, 6)).map(lambda p: (p[0], p[1], p[1] + p[2]))


@given(st.lists(spans, max_size=30))
def test_longest_keeps_what_the_definition_keeps(hits: list[tuple[int, int, int]]) -> None:
    assert longest(hits) == reference(hits)


def test_of_matches_starting_together_the_longest_is_kept() -> None:
    # 谢谢 and 谢谢您 at 0, 您 inside 谢谢您, and a repeat; another turn's own
    assert longest([(0, 0, 2), (0, 0, 3), (0, 2, 3), (0, 0, 2), (1, 0, 2), (0, 4, 6)]) == [(0, 0, 3), (0, 4, 6),
                                                                                           (1, 0, 2)]
