"""What the JSON reader's walk for huge floats (``jsonfmt._has_huge_float``) is checked against: a simple recursive
walk, and random nested values to walk (shared by the reader tests of sessions 35 and 37)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from hotline.formats import jsonfmt


def simple_huge(value: Any) -> bool:
    """Whether ``value`` holds a float outside (-2^63, 2^63) or NaN, anywhere inside, by plain recursion."""
    if isinstance(value, float):
        return not -jsonfmt._HUGE < value < jsonfmt._HUGE
    if isinstance(value, dict):
        return any(simple_huge(v) for v in value.values())
    if isinstance(value, list):
        return any(simple_huge(v) for v in value)
    return False


def walks_alike(values: Iterable[Any]) -> None:
    """``jsonfmt._has_huge_float`` answers each value as ``simple_huge`` does, and the values hold both answers."""
    seen = set()
    for value in values:
        got = jsonfmt._has_huge_float(value)
        assert got is simple_huge(value), value
        seen.add(got)
    assert seen == {True, False}


def random_value(rng: random.Random, depth: int, floats: list[float], strings: list[str], others: list[Any],
                 kinds: int, deepest: int) -> Any:
    """A random value: a float, a string or another scalar drawn from the lists given, an empty list or dict, or a
    list or dict of such values (``kinds`` > 7: dicts twice as often) down to ``deepest`` levels."""
    kind = rng.randrange(kinds if depth < deepest else 4)
    if kind == 0:
        return rng.choice(floats)
    if kind == 1:
        return rng.choice(strings)
    if kind == 2:
        return rng.choice(others)
    if kind == 3:
        return rng.choice([[], {}])
    if kind in (4, 5):
        return [random_value(rng, depth + 1, floats, strings, others, kinds, deepest) for _ in range(rng.randrange(4))]
    return {str(i): random_value(rng, depth + 1, floats, strings, others, kinds, deepest) for i in range(rng.randrange(4))}
