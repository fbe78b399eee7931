"""Session 38, the findings path: ``operators.two_places`` (an act hit's probability as text, from a table) against
``format(p, ".2f")``."""

from __future__ import annotations

import math
import random

from hotline.inspect.operators import two_places


def _edges() -> list[float]:
    """Zeros, the ends, every exact tie and half of k/200 with its neighbours, and values outside (0, 1]."""
    out = [0.0, -0.0, 1.0, 1e-300, 5e-324, -5e-324, 2.2250738585072014e-308, math.nan, -math.nan, math.inf, -math.inf,
           1.0000000000000002, 0.9999999999999999, 0.995, 0.9949999999999999, 0.005, 0.015, 0.125, 0.375, 0.625,
           0.875, 1.005, 1.5, 2.0, 99.995, 123456.785, 4e15, 1e300, -0.125, -0.375, -0.5, -1.0, -0.004]
    for k in range(201):
        x = k / 200
        out += [x, math.nextafter(x, 2.0), math.nextafter(x, -1.0), math.nextafter(math.nextafter(x, 2.0), 2.0)]
    for k in range(101):
        out += [k / 100, math.nextafter(k / 100, 2.0), math.nextafter(k / 100, -1.0)]
    return out


def test_two_places_is_format_on_edges() -> None:
    for x in _edges():
        assert two_places(x) == format(x, ".2f"), x


def test_two_places_is_format_on_random_probabilities() -> None:
    rng = random.Random(38)
    for _ in range(200_000):
        x = rng.random()
        assert two_places(x) == format(x, ".2f"), x
    for _ in range(20_000):  # products near a half: a probability of few decimals, nudged by an ulp or two
        x = rng.randrange(0, 100_001) / 100_000
        for y in (x, math.nextafter(x, 2.0), math.nextafter(x, -1.0)):
            assert two_places(y) == format(y, ".2f"), y


def test_two_places_ties_are_format_s() -> None:
    """Ties are broken by the exact binary value (0.375 is exact: to even, 0.38; 0.005 is a little above: 0.01),
    which the table cannot tell: left to ``format``."""
    assert two_places(0.375) == "0.38"
    assert two_places(0.125) == "0.12"
    assert two_places(0.005) == "0.01"
    assert two_places(0.015) == "0.01"
    assert two_places(1.0) == "1.00"
    assert two_places(-0.0) == "-0.00"
