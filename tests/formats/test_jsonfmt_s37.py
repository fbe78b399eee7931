"""The JSON reader's walk for huge floats reads a dict's values by the dict's own iteration (``_huge_value``) and a
dict in a list (a call's turns) there and then, not pushed on its stack: it finds what a simple recursive walk finds,
wherever the float is — a value of a turn, of a dict or list inside a turn, of the call or its meta, several levels
down, first or last — and for every edge float (±9.2e18 and their neighbours, infinities, NaN, -0.0, the float of a
20-digit integer); fails when the dicts and lists inside a dict of a list are not walked."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from huge_values import random_value, simple_huge, walks_alike  # tests/formats/huge_values.py

from hotline.formats import jsonfmt

EDGES = [0.0, -0.0, 0.5, 9.1e18, -9.1e18, jsonfmt._HUGE, -jsonfmt._HUGE, math.nextafter(jsonfmt._HUGE, 0.0),
         math.nextafter(-jsonfmt._HUGE, 0.0), 1e300, float("inf"), float("-inf"), float("nan"),
         12345678901234567890.0]


def _call(place: int, x: Any) -> dict[str, Any]:
    turns: list[Any] = [{"speaker": "agent", "text": "您好", "start": 0.5, "end": 1.5} for _ in range(3)]
    call: dict[str, Any] = {"id": "c1", "turns": turns, "meta": {"agent_id": "1000", "tags": ["a", 1]}}
    if place == 0:
        turns[0]["start"] = x
    elif place == 1:
        turns[2]["end"] = x
    elif place == 2:
        turns[1]["words"] = [{"w": "您", "t": [0.1, x]}]
    elif place == 3:
        turns[1]["extra"] = {"a": {"b": [x]}}
    elif place == 4:
        call["meta"]["score"] = x
    elif place == 5:
        call["meta"]["tags"].append([[{"deep": x}]])
    elif place == 6:
        turns.append(x)
    elif place == 7:
        turns.insert(0, [x])
    return call


@pytest.mark.parametrize("place", range(8))
@pytest.mark.parametrize("x", EDGES)
def test_a_float_anywhere_in_a_call_is_found_as_by_the_simple_walk(place: int, x: float) -> None:
    call = _call(place, x)
    assert jsonfmt._has_huge_float(call) is simple_huge(call)
    assert jsonfmt._has_huge_float([call, call]) is simple_huge(call)
    assert jsonfmt._has_huge_float({"calls": [call]}) is simple_huge(call)


def test_plain_values_and_empty_containers() -> None:
    for value in [None, True, 7, 2**63 - 1, "9.2e18", [], {}, [[]], [{}], {"a": {}}, [{"a": []}], *EDGES]:
        assert jsonfmt._has_huge_float(value) is simple_huge(value)


def _value(rng: random.Random, depth: int) -> Any:
    return random_value(rng, depth, EDGES, ["a", "", "1e19"], [None, False, 3, -(2**63)], kinds=8, deepest=5)


def test_random_values() -> None:
    rng = random.Random(37)
    walks_alike(_value(rng, 0) for _ in range(6000))
