"""Session 38, the findings path: ``operators.two_places`` (an act hit's probability as text, from a table) against
``format(p, ".2f")``, and ``Engine._make`` (a finding's place read from a table, its message built at once) against
the old one."""

from __future__ import annotations

import math
import random
from typing import Any

from hotline.inspect import default_engine
from hotline.inspect.context import CallContext
from hotline.inspect.operators import two_places
from hotline.model import Call, Finding, Speaker, Turn


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


def test_where_is_the_f_string() -> None:
    """``engine._where``: the table of a finding's place for the first turns, written for later ones."""
    from hotline.inspect.engine import _where

    for turn in [-1, *range(0, 700)]:
        for agent in (True, False):
            assert _where(turn, agent) == f"（第 {turn + 1} 句，{'坐席' if agent else '市民'}）", (turn, agent)


def _old_make(rule: Any, c: Call, turn: int | None, span: tuple[int, int] | None, evidence: str) -> Finding:
    """``Engine._make`` as it was before session 38."""
    where = ""
    if turn is not None:
        said = c.turns[turn]
        if span is None:
            span = (0, len(said.text))
            evidence = evidence or said.text
        where = f"（第 {turn + 1} 句，{'坐席' if said.speaker is Speaker.AGENT else '市民'}）"
    detail = f"：「{evidence}」" if evidence and rule.forbid else ""
    return Finding(rule.id, rule.dimension, rule.severity, turn, span, evidence,
                   f"{rule.message}{detail}{where}", rule.suggestion, rule.points, rule.veto)


def test_make_is_the_old_make() -> None:
    """Findings of forbidding and requiring rules, on a call longer than the table of places, with empty turns, digits,
    newlines and characters outside the basic plane, and evidence given or taken from the turn."""
    engine = default_engine(semantic=False)
    texts = ["", "您好，12345", "不知道\n不清楚", "😀𠀀 非基本平面", "好的好的", "不知道"]
    turns = [Turn(Speaker.AGENT if i % 3 else Speaker.CITIZEN, texts[i % len(texts)]) for i in range(300)]
    c = Call("long", turns)
    ctx = CallContext(c, engine.compiled, semantic=False)
    rules = [r for r in engine._loop if r.forbid][:3] + [r for r in engine._loop if not r.forbid][:3]
    assert any(r.forbid for r in rules) and not all(r.forbid for r in rules)
    for rule in rules:
        for turn in [None, 0, 1, 2, 3, 4, 255, 256, 257, 299]:
            for span in [None, (0, 1), (2, 2)]:
                for evidence in ["", "不知道", "😀\n1"]:
                    got = engine._make(rule, ctx, turn, span, evidence)
                    want = _old_make(rule, c, turn, span, evidence)
                    assert list(got.to_dict().items()) == list(want.to_dict().items())
