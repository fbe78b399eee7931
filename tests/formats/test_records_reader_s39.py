"""The C walks of a record as read (``hotline._kernels.records``: ``huge`` and ``turns``, ``jsonfmt._Reader``) give
what the Python paths give: ``huge`` the answer of ``_has_huge_float``'s walk on random nested values (floats about
the limit either way, NaN, infinities, huge ints read as floats, dicts in lists in dicts, empty ones); ``turns`` for
each turn the label, text and times of the RawTurn ``_plain_turn`` makes, or None where the Python path reads it
— and a call read with it is the call read without it (turns, roles, meta, id), or the same FormatError, on random
turns: labels and texts of every type, with whitespace at either end, empty, JSON in a string, silence marks, digits,
newlines, emoji and other non-BMP characters; times as floats, ints, bools, strings, negatives, NaN, infinities,
huge ints, None, missing, ends before starts, in seconds and milliseconds; turns that are no dicts. Nothing leaks.
Skipped only when the compiled modules are switched off (``HOTLINE_NATIVE=0``): a build always makes it."""

from __future__ import annotations

import gc
import math
import os
import random
import sys
import tracemalloc
from typing import Any

import pytest

from hotline.errors import FormatError
from hotline.formats import jsonfmt
from hotline.formats.jsonfmt import _HUGE, _plain_turn, _plan, call_from_obj
from hotline.formats.layouts import reader_settings
from hotline.formats.records import RawTurn, silence
from hotline.model import Call

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")


def _python_huge(obj: Any, monkeypatch: pytest.MonkeyPatch) -> bool:
    reader = jsonfmt._READER
    if not reader.tried:
        reader.load()
    with monkeypatch.context() as m:
        m.setattr(reader, "huge", None)
        return jsonfmt._has_huge_float(obj)


def test_huge_as_the_walk(records: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(39)
    floats = [0.0, -0.0, 1.5, _HUGE, -_HUGE, math.nextafter(_HUGE, 0.0), math.nextafter(-_HUGE, 0.0), 1e19, -1e19,
              float(2**64), float("nan"), float("inf"), -float("inf"), 9.2e18 - 2048.0]

    def value(depth: int) -> Any:
        kind = rng.randrange(7 if depth < 6 else 4)
        if kind == 0:
            return rng.choice(floats) if rng.random() < 0.2 else rng.uniform(-1e6, 1e6)
        if kind == 1:
            return rng.choice(["a", "中", "", 12, -3, True, None, 2**70])
        if kind == 2:
            return rng.choice([[], {}])
        if kind in (3, 4):
            return [value(depth + 1) for _ in range(rng.randrange(0, 5))]
        return {f"k{k}": value(depth + 1) for k in range(rng.randrange(0, 5))}

    seen = {True: 0, False: 0}
    for _ in range(4000):
        obj = value(0)
        got = records.huge(obj, _HUGE)
        assert got == _python_huge(obj, monkeypatch), obj
        seen[got] += 1
    assert seen[True] > 100 and seen[False] > 100
    for obj in floats + [[x] for x in floats] + [{"a": [{"b": x}]} for x in floats]:
        assert records.huge(obj, _HUGE) == _python_huge(obj, monkeypatch), obj
    deep: list[Any] = [1.0]
    for _ in range(5000):  # deeper than any stack of its own to begin with: it grows
        deep = [deep, {"x": 2.0}]
    assert records.huge(deep, _HUGE) is False
    deep[1]["y"] = 1e300
    assert records.huge(deep, _HUGE) is True
    inner = deep[0]
    for _ in range(4000):
        inner = inner[0]
    inner.append(-1e300)
    del deep[1]["y"]
    assert records.huge(deep, _HUGE) is True
    with pytest.raises(TypeError):
        records.huge([], 1)


_LABELS: list[Any] = ["坐席", "市民", " 坐席 ", "\t市民\n", "agent", "citizen", "", "  ", "{\"a\": 1}", "[1]", " {x",
                      "客服😀", 3, None, True, 1.5, {"a": 1}, ["x"], "\u3000坐席\u3000", "\x85市民"]
_TEXTS: list[Any] = ["您好，12345热线，请讲。", "  好的  ", "", " ", "（无声）", " （无声） ", "(silence)", "[无声]x",
                     "第一行\n第二行", "投诉😀𠀀", "号码 13800138000", None, 12, ["a"], {"t": 1}, "\u2028好\u2028",
                     "\u3000（静音）\u3000", "a" * 30]
_TIMES: list[Any] = [0, 1, 2.5, 0.0, -0.0, -1, -0.5, 1e300, float("nan"), float("inf"), True, False, "12", " 3.5 ",
                     None, 2**53, 2**53 + 1, 2**63, 2**80, 12345678901, 7.25, 100, 0.001]
_KEYS = [("speaker", "text", "start", "end"), ("role", "content", "begin", "end"),
         ("spk", "transcript", "start_time", "end_time"), ("channel", "sentence", "begin_time", "end_time"),
         ("speaker_id", "text", "start_ms", "end_ms")]


def _turn(rng: random.Random) -> Any:
    if rng.random() < 0.03:
        return rng.choice([None, "坐席：您好", ["坐席", "您好"], 12])
    speaker, text, start, end = rng.choice(_KEYS)
    turn: dict[str, Any] = {}
    if rng.random() < 0.97:
        turn[speaker] = rng.choice(_LABELS) if rng.random() < 0.3 else rng.choice(["坐席", "市民"])
    if rng.random() < 0.97:
        turn[text] = rng.choice(_TEXTS) if rng.random() < 0.4 else f"您好{rng.randrange(100)}，请问有什么可以帮您？"
    if rng.random() < 0.8:
        first = rng.choice(_TIMES) if rng.random() < 0.3 else round(rng.uniform(0, 600), 2)
        turn[start] = first
        if rng.random() < 0.85:
            turn[end] = rng.choice(_TIMES) if rng.random() < 0.3 else (
                first + round(rng.uniform(0, 9), 2) if type(first) in (int, float) else 3.0)
    if rng.random() < 0.1:
        turn[rng.choice(["speaker", "role", "spk"])] = rng.choice(_LABELS)  # a second key for the speaker
    if rng.random() < 0.1:
        turn["start"] = rng.choice(_TIMES)  # a second way of giving times
    if rng.random() < 0.05:
        turn = {k: turn[k] for k in reversed(list(turn))}
    return turn


def _clean_turn(rng: random.Random) -> dict[str, Any]:
    speaker, text, start, end = rng.choice(_KEYS)
    first = round(rng.uniform(0, 600), 2) if rng.random() < 0.8 else rng.randrange(0, 600_000)
    return {speaker: rng.choice(["坐席", "市民", " 坐席", "agent"]), text: rng.choice(_TEXTS[:10] + ["您好"]),
            start: first, end: first + rng.choice([0, 1, 2.5, 0.01])}


def _fields(turn: RawTurn | tuple[Any, ...]) -> tuple[Any, ...]:
    """A turn's label, text and times (the sign of a zero too), of a RawTurn or of the kernel's tuple."""
    label, text, start, end = (turn.label, turn.text, turn.start, turn.end) if isinstance(turn, RawTurn) else turn
    assert type(label) is str and type(text) is str
    assert start is None or type(start) is float
    assert end is None or type(end) is float
    return (label, text, start, end, None if start is None else math.copysign(1.0, start),
            None if end is None else math.copysign(1.0, end))


def test_turns_as_plain_turn(records: Any) -> None:
    rng = random.Random(7)
    layout = reader_settings().layouts[0]
    plan = _plan(layout)
    assert plan is not None
    marks, longest = silence()
    made = plain_ones = 0
    for _ in range(600):
        items = [_turn(rng) for _ in range(rng.randrange(0, 14))]
        at = rng.choice(["第 3 行 turns[", "turns[", "calls[2] turns["])
        got = records.turns(items, plan[0], plan[1], plan[2], marks, longest)
        assert len(got) == len(items)
        for i, (item, turn) in enumerate(zip(items, got, strict=True)):
            expected = _plain_turn(item, plan, at, i)
            # every turn ``_plain_turn`` reads, but those with an int past 2**53 (left to it), is the kernel's
            plain_ones += expected is not None and not any(
                type(v) is int and v > 2**53 for v in item.values())
            if turn is None:
                continue  # left to the Python path, which reads it as before
            made += 1
            assert expected is not None, item
            assert _fields(turn) == _fields(expected), item
    assert made > 1000 and made >= plain_ones
    # turns it must make: a string speaker and text, plain times in order
    plain = [{"speaker": "坐席", "text": " 您好 ", "start": 0, "end": 1.5}, {"speaker": "市民", "text": "（无声）"},
             {"role": " 市民 ", "content": "好😀", "begin_time": 1200, "end_time": 3400}, {"speaker": "a", "text": ""}]
    got = records.turns(plain, plan[0], plan[1], plan[2], marks, longest)
    assert all(t is not None for t in got)
    assert [_fields(t) for t in got] == [_fields(t) for t in  # type: ignore[union-attr]
                                         (_plain_turn(p, plan, "turns[", i) for i, p in enumerate(plain))]
    assert got[1][1] == "" and got[2][2] == 1.2 and got[2][3] == 3.4 and got[0][1] == "您好"
    with pytest.raises(TypeError):
        records.turns(tuple(plain), plan[0], plan[1], plan[2], marks, longest)
    with pytest.raises(TypeError):
        records.turns(plain, plan[0], plan[1], (("start", "end"),), marks, longest)


def _read(obj: Any, monkeypatch: pytest.MonkeyPatch, *, kernel: bool) -> Call | FormatError:
    reader = jsonfmt._READER
    if not reader.tried:
        reader.load()
    with monkeypatch.context() as m:
        if not kernel:
            m.setattr(reader, "turns", None)
        try:
            return call_from_obj(obj, "f.jsonl", "第 1 行", "f-1", from_utf8=True)
        except FormatError as exc:
            return exc


def _summary(got: Call | FormatError) -> tuple[Any, ...]:
    if isinstance(got, FormatError):
        return ("error", got.message, got.source, got.location)
    return (got.id, [(t.speaker, t.text, t.start, t.end) for t in got.turns], got.meta)


def test_calls_read_with_and_without_the_kernel(records: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    calls = errors = 0
    for i in range(1500):
        obj: dict[str, Any] = {"id": rng.choice([f"c-{i}", "", None, 12345678901234567890, "号码😀"]),
                               rng.choice(["turns", "turns", "sentences", "utterances"]):
                                   [_turn(rng) if i % 2 else _clean_turn(rng) for _ in range(rng.randrange(0, 10))]}
        if rng.random() < 0.5:
            obj["meta"] = rng.choice([{"agent_id": "1001"}, {}, None, {"a": [1, {"b": 2}]}, "x"])
        with_kernel = _read(obj, monkeypatch, kernel=True)
        assert _summary(with_kernel) == _summary(_read(obj, monkeypatch, kernel=False)), obj
        if isinstance(with_kernel, FormatError):
            errors += 1
        else:
            calls += 1
    assert calls > 300 and errors > 100


def test_turns_leak_nothing(records: Any) -> None:
    layout = reader_settings().layouts[0]
    plan = _plan(layout)
    assert plan is not None
    marks, longest = silence()
    label, text, start = "坐席", " 您好，请讲 ", 1.5
    items = [{"speaker": label, "text": text, "start": start, "end": 2.5}, {"speaker": label, "text": "（无声）"},
             {"speaker": "{", "text": text}, {"speaker": label, "text": text, "start": 1200, "end": 3000.5}]
    gc.collect()  # what earlier tests left freed first
    # (not RawTurn's count: compiled, each object made of a native class counts a reference to its class that is
    # not given back when it is freed — model.Turn's too; the memory is: traced below)
    before = (sys.getrefcount(label), sys.getrefcount(text), sys.getrefcount(start), sys.getrefcount(items[0]),
              sys.getrefcount(marks))
    tracemalloc.start()
    try:
        for _ in range(300):
            records.turns(items, plan[0], plan[1], plan[2], marks, longest)
        gc.collect()
        first = tracemalloc.get_traced_memory()[0]
        for _ in range(3000):
            records.turns(items, plan[0], plan[1], plan[2], marks, longest)
            records.huge([items, {"x": [1e300]}], _HUGE)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - first
    finally:
        tracemalloc.stop()
    assert grown < 4096  # ~9,000 turns made and freed
    assert (sys.getrefcount(label), sys.getrefcount(text), sys.getrefcount(start), sys.getrefcount(items[0]),
            sys.getrefcount(marks)) == before
