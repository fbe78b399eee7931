"""The C writer of a record's line (``hotline._kernels.records``, ``writers.record_json``'s ``_Writer``) writes what
orjson writes: every value it takes (ints to 64 bits, floats rounded or not, of every size, NaN, infinities and
zeros, strings of ASCII, control characters, Latin-1, CJK, emoji and other non-BMP characters, empty ones, nested
dicts, lists and tuples) byte for byte as ``orjson.dumps(..., option=OPT_APPEND_NEWLINE)``, and None for what it
does not write surely the same (ints past 64 bits, lone surrogates, subclasses, bytes outside its pieces, exponents,
deep nesting); shaped tuples as the objects of their keys, only outside dicts; a card's line as
``encode(record(...))`` on random cards (findings of every kind, citizen blocks, reviews, metas of digits, newlines,
emoji, nothing, values orjson refuses), with the writer and without it; a ``Shape`` survives a pickle; nothing
leaks. Skipped only when the compiled modules are switched off (``HOTLINE_NATIVE=0``): a build always makes it."""

from __future__ import annotations

import gc
import os
import pickle
import random
import struct
import sys
from typing import Any

import orjson
import pytest

from hotline.formats import writers
from hotline.model import Call, CitizenBlock, Finding, Review, RuleOutcome, Scorecard, Severity, Speaker, Turn

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")


def _orjson(value: object) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)


def _same(records: Any, value: object, *, written: bool | None = None) -> None:
    """The kernel writes ``value`` as orjson does, or leaves it (None); ``written``: it must (True) or must not."""
    got = records.dumps(value, [])
    if written is True:
        assert got is not None, value
    elif written is False:
        assert got is None, value
    if got is not None:
        assert got == _orjson(value), value


_CHARS = ([chr(c) for c in range(0x00, 0x100)] + list("中文你好，。！？、（）【】「」…—") + ["\u2028", "\u2029", "\ufeff",
          "\u0800", "\u07ff", "\uffff", "😀", "𠀀", "\U0010ffff", "\U00010000"])


def _text(rng: random.Random, *, surrogates: bool = False) -> str:
    pool = _CHARS + (["\ud800", "\udfff", "\udc00"] if surrogates else [])
    return "".join(rng.choice(pool) for _ in range(rng.randrange(0, 14)))


def test_floats_as_orjson(records: Any) -> None:
    rng = random.Random(39)
    for _ in range(60_000):
        x = rng.random() * 10 ** rng.uniform(-7, 17) * rng.choice((1, -1))
        _same(records, x)
        _same(records, round(x, rng.randrange(0, 9)))
        _same(records, struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0])
    for digits in (0, 1, 2, 3, 4, 6, 8):  # what the outputs round: written, every one
        for _ in range(3000):
            _same(records, round(rng.uniform(-1000, 1000), digits), written=True)
    for x in (0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1e-4, -1e-4, 0.00012345, 0.30000000000000004, 2.5, 100.0, 75.6, 1e15,
              3.9999999999999996e15, 4e15, 9999999999999998.0, 1234567890123456.8, float("nan"), float("inf"),
              -float("inf")):
        _same(records, x, written=True)
    for x in (1e16, 1e-5, 1e-7, 5e-324, 1.5e300, -2.5e-10):  # exponents, or 0.0000x: orjson's path
        _same(records, x, written=False)


def test_ints_bools_none_as_orjson(records: Any) -> None:
    rng = random.Random(7)
    values = [0, 1, -1, 9, 10, -10, 99, 100, 2**31, -(2**31), 2**53 + 1, 2**63 - 1, -(2**63), True, False, None]
    values += [rng.randrange(-(2**63), 2**63) for _ in range(2000)]
    values += [rng.randrange(-(10 ** rng.randrange(1, 19)), 10 ** rng.randrange(1, 19)) for _ in range(2000)]
    for v in values:
        _same(records, v, written=True)
    for v in (2**63, 2**64 - 1, 2**64, -(2**63) - 1, 1 << 70):  # past 64 bits (signed): orjson's path
        _same(records, v, written=False)


def test_strings_as_orjson(records: Any) -> None:
    rng = random.Random(11)
    for c in _CHARS:
        _same(records, c, written=True)
        _same(records, f"a{c}b{c}", written=True)
    _same(records, "", written=True)
    for _ in range(20_000):
        text = _text(rng)
        _same(records, text, written=True)
        _same(records, {text: [text, 1], "k": text}, written=True)
        broken = _text(rng, surrogates=True)
        _same(records, broken, written=not any("\ud800" <= c <= "\udfff" for c in broken))
    for lone in ("\ud800", "a\udfffb", "中\udc00", "😀\ud83d"):
        _same(records, lone, written=False)
        _same(records, {lone: 1}, written=False)
        _same(records, [1, lone], written=False)


def test_every_character_as_orjson(records: Any) -> None:
    """Every code point but the surrogates, in strings of each width (the BMP's from a table of their bytes), each
    alone too; every surrogate refused."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for text in (every, every[:0x80], every[:0x100], every[:0xD800], every[0xD800 - 0x800:0x10000 - 0x800]):
        _same(records, text, written=True)
    for c in range(0x800, 0x10000, 7):
        if not 0xD800 <= c <= 0xDFFF:
            _same(records, "中" + chr(c), written=True)
    for c in range(0xD800, 0xE000):
        _same(records, "中" + chr(c), written=False)
        _same(records, chr(c) + "😀", written=False)


class _Str(str):
    def __str__(self) -> str:
        return "not its text"


class _Int(int):
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


def test_containers_and_what_it_leaves(records: Any) -> None:
    rng = random.Random(3)

    def value(depth: int) -> object:
        kind = rng.randrange(9 if depth < 5 else 5)
        if kind == 0:
            return _text(rng)
        if kind == 1:
            return rng.randrange(-(10**12), 10**12)
        if kind == 2:
            return round(rng.uniform(-100, 100), rng.randrange(0, 4))
        if kind == 3:
            return rng.choice((None, True, False))
        if kind == 4:
            return rng.random()
        if kind in (5, 6):
            return [value(depth + 1) for _ in range(rng.randrange(0, 4))]
        if kind == 7:
            return tuple(value(depth + 1) for _ in range(rng.randrange(0, 4)))
        return {_text(rng): value(depth + 1) for _ in range(rng.randrange(0, 4))}

    for _ in range(5000):
        _same(records, value(0), written=True)
    for odd in (_Int(3), _Dict(a=1), {1: 2}, {"a": {(1, 2): 3}}, b"1", [b"{}"], {"a": b"1"}, {1.5: 1},
                bytearray(b"1"), object(), {"a": [object()]}, [[[1, _Int(2)]]], {_Str("k"): 1}, [_Str("\ud800")]):
        _same(records, odd, written=False)
    for sub in (_Str("x"), [[[1, _Str("y\n中😀")]]], {"k": _Str("")}, Severity.MAJOR, [Severity.CRITICAL]):
        _same(records, sub, written=True)  # a str subclass as its text (orjson's way: not its __str__)
    deep: list[Any] = []
    inner = deep
    for _ in range(300):  # deeper than the kernel goes: orjson's path (which refuses past 255)
        inner.append([])
        inner = inner[0]
    assert records.dumps(deep, []) is None
    shallow: list[Any] = []
    inner = shallow
    for _ in range(100):
        inner.append([])
        inner = inner[0]
    _same(records, shallow, written=True)


def test_shapes_and_pieces(records: Any) -> None:
    shape = records.Shape(("a", "中\n文", "c"))
    empty = records.Shape(())
    assert shape.keys == ("a", "中\n文", "c")
    pieces = [b'{"x":1}', b"2", b'"\xe4\xb8\xad"']
    got = records.dumps((shape, 1, [2.5, (shape, None, True, (empty,))], pieces), pieces)
    assert got == _orjson({"a": 1, "中\n文": [2.5, {"a": None, "中\n文": True, "c": {}}],
                           "c": [{"x": 1}, 2, "中"]})
    assert records.dumps([(shape, 1, 2, 3), (shape, "x", "y", "z")], []) == _orjson(
        [{"a": 1, "中\n文": 2, "c": 3}, {"a": "x", "中\n文": "y", "c": "z"}])
    # inside a dict (a value the user gave) neither a shape nor the pieces are the record's: orjson's path
    assert records.dumps({"k": (shape, 1, 2, 3)}, []) is None
    assert records.dumps((shape, {"m": pieces}, 1, 2), pieces) is None
    assert records.dumps((shape, [b"1"], 1, 2), pieces) is None  # bytes that are not the pieces
    assert records.dumps((shape, 1, 2, [b"1", "x"]), [b"1", "x"]) is None  # a piece that is not bytes
    assert records.dumps((shape, 1, 2, 3), [b"1"]) == _orjson({"a": 1, "中\n文": 2, "c": 3})
    with pytest.raises(ValueError):
        records.dumps((shape, 1, 2), [])
    with pytest.raises(TypeError):
        records.dumps(1, ())
    with pytest.raises(TypeError):
        records.Shape(("a", 1))
    with pytest.raises(TypeError):
        records.Shape(["a"])
    with pytest.raises(ValueError):
        records.Shape(("\ud800",))
    again = pickle.loads(pickle.dumps(shape))
    assert again.keys == shape.keys
    assert records.dumps((again, 1, 2, 3), []) == records.dumps((shape, 1, 2, 3), [])


def _finding(rng: random.Random, i: int) -> Finding:
    span = rng.choice([None, (0, 2), (3, 3), (12, 40)])
    return Finding(f"rule.{rng.randrange(8)}", rng.choice(["服务规范", "倾听与确认", "维度😀"]),
                   rng.choice(list(Severity)), rng.choice([None, 0, i, 12]), span, _text(rng), _text(rng),
                   rng.choice(["", "您好，请讲。", "第一行\n第二行"]), rng.choice([1.0, 2.0, 5.0, 0.5, 3.0]),
                   rng.random() < 0.1, rng.choice(["", "词表/规则", "结构", "言语行为"]),
                   rng.choice([None, round(rng.random(), 3), rng.random()]),
                   rng.choice([None, 0.5, 0.62, round(rng.random(), 2)]))


def _card_and_call(rng: random.Random, i: int) -> tuple[Call, Scorecard]:
    findings = [_finding(rng, i) for _ in range(rng.randrange(0, 12))]
    outcomes = [RuleOutcome(f.rule_id, f.dimension, "failed", -f.points) for f in findings if rng.random() < 0.8]
    outcomes += [RuleOutcome(f"rule.p{k}", "服务规范", rng.choice(["passed", "na"]), 0.0)
                 for k in range(rng.randrange(0, 6))]
    dims = {"服务规范": round(rng.uniform(0, 25), 1), "服务禁语": 20.0, "倾听与确认": float(rng.randrange(16))}
    maxima = {"服务规范": 25.0, "服务禁语": 20.0, "倾听与确认": 15.0, "工单": 5.0}
    citizen = None if rng.random() < 0.2 else CitizenBlock(
        [(k, rng.random()) for k in range(1, rng.randrange(1, 9), 2)], [(k, rng.random()) for k in range(1, 5, 2)],
        rng.random(), rng.random(), rng.choice([None, 3]), rng.random(), rng.random() < 0.5, rng.random() < 0.5,
        rng.choice([None, rng.random()]), [1, 3][: rng.randrange(3)], rng.random(),
        [("上访", 3, "我要去上访"), ("媒体", 5, "找记者😀")][: rng.randrange(3)])
    review = rng.choice([None, Review(), Review("sample", ["低于合格线（75.6 分）"]), Review("mandatory", [])])
    metas: list[dict[str, Any]] = [{}, {"agent_id": "1001"}, {"备注": "第一行\n第二行", "n": 12345678901234},
                                   {"emoji": "投诉😀𠀀", "nested": {"a": [1, 2.5, None, True, 1e-7]}},
                                   {"t": (1, "x"), "z": -0.0}]
    total = rng.choice([None, round(rng.uniform(40, 100), 1), 100.0])
    card = Scorecard(f"c-{i}-{_text(rng)}", total, dims, findings, "2026.12-1", maxima, outcomes,
                     rng.random() < 0.1, rng.choice(["full", "timing"]), rng.choice(["", "仅检查了时间"]),
                     citizen=citizen, review=review)
    call = Call(card.call_id, [Turn(Speaker.AGENT, "您好")], dict(rng.choice(metas)))
    return call, card


def _line(call: Call, card: Scorecard) -> str:
    return writers.encode(writers.record(call, card)) + "\n"


def test_record_lines_with_and_without_the_writer(records: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = writers._WRITER
    if not writer.tried:
        writer.load()
    assert writer.dumps is records.dumps
    taken = []
    real = records.dumps

    def spy(obj: object, pieces: list[bytes]) -> bytes | None:
        got = real(obj, pieces)
        taken.append(got is not None)
        return got

    rng = random.Random(39)
    pairs = [_card_and_call(rng, i) for i in range(600)]
    monkeypatch.setattr(writer, "dumps", spy)
    for call, card in pairs:
        line = writers.record_json(call, card)
        assert line is not None and line.decode() == _line(call, card)
    assert sum(taken) > len(pairs) // 2  # most lines by the kernel (not all: some metas hold 1e-7)
    monkeypatch.setattr(writer, "dumps", None)  # the kernel not built: orjson's path, the same lines
    for call, card in pairs[:200]:
        line = writers.record_json(call, card)
        assert line is not None and line.decode() == _line(call, card)


def test_record_the_writer_leaves(records: Any) -> None:
    rng = random.Random(5)
    call, card = _card_and_call(rng, 0)
    for meta in ({"n": 1 << 70}, {"s": "\ud800"}, {"k": _Str("x")}, {"f": 1e20}):
        call = Call("x", call.turns, meta)
        line = writers.record_json(call, card)
        if line is None:  # orjson cannot write it either: ``encode`` falls back, as before
            continue
        assert line.decode() == _line(call, card)
    card.findings = [_finding(rng, 0)]
    card.findings[0].evidence = "坏\udc00"
    assert writers.record_json(call, card) is None  # orjson refuses it too: ``encode`` falls back, as before


def test_it_leaks_nothing(records: Any) -> None:
    shape = records.Shape(("a", "b"))
    text, number, pieces = "中文" * 50, 12.5, [b"1", b"2"]
    value = (shape, [text, number, {"k": text}], pieces)
    before = (sys.getrefcount(shape), sys.getrefcount(text), sys.getrefcount(number), sys.getrefcount(pieces),
              sys.getrefcount(pieces[0]), sys.getrefcount(value))
    for _ in range(2000):
        records.dumps(value, pieces)
        records.dumps({"a": [text, "\ud800"]}, pieces)
        records.dumps([1 << 70, text], pieces)
    gc.collect()
    assert (sys.getrefcount(shape), sys.getrefcount(text), sys.getrefcount(number), sys.getrefcount(pieces),
            sys.getrefcount(pieces[0]), sys.getrefcount(value)) == before
    made = type(shape)
    refs = sys.getrefcount(made)
    keys = ("x", "y")
    key_refs = sys.getrefcount(keys)
    for _ in range(200):
        made(keys)
    assert sys.getrefcount(made) == refs and sys.getrefcount(keys) == key_refs
