"""Scores rounded without ``round`` when they are whole (``scoring._rounded``), against ``round`` itself."""

from __future__ import annotations

import math
import random

from hotline.inspect.scoring import _rounded


def _same(a: float, b: float) -> bool:
    """The same float: equal with the same sign (0.0 and -0.0 told apart), or both NaN."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))


def test_a_score_is_rounded_as_round_rounds_it() -> None:
    """Whole numbers, numbers a hair off a whole one (fails when a near-whole number is taken for a whole one),
    numbers with decimals, zeros of both signs, NaN, infinities and numbers past 2**53."""
    rng = random.Random(35)
    values = [0.0, -0.0, 1.0, -3.0, 100.0, 0.30000000000000004, 12.345, 12.355, 2.675, 99.95, 1e-12, -1e-12,
              2.0 ** 53, 2.0 ** 60 + 0.0, 1e300, math.nan, math.inf, -math.inf]
    for _ in range(3000):
        k = rng.randint(-200, 200)
        values += [float(k), k + rng.choice([1e-9, -1e-9, 1e-13, -1e-13, 0.5, 0.005, 0.015]),
                   rng.uniform(-150.0, 150.0), round(rng.uniform(0.0, 100.0), rng.randint(0, 4))]
    for x in values:
        for digits in (1, 2):
            assert _same(_rounded(x, digits), round(x, digits)), (x, digits)
