"""The fast JSON codec (orjson) reads and writes what the standard library does: every record below
decodes to the same values (types and key order included) and every value encodes to text that
reads back the same, with Chinese as it is."""

from __future__ import annotations

import json
import math

import pytest

from hotline.errors import FormatError
from hotline.formats import jsonfmt
from hotline.formats.jsonfmt import decode, encode, read_jsonl_lines
from hotline.formats.layouts import reader_settings
from hotline.formats.roles import RawTurn


def same(a: object, b: object) -> bool:
    """Equal values of equal types, dict keys in the same order (NaN equal to NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    return a == b


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "c1", "turns": [{"speaker": "坐席", "text": "您好", "start": 0.5, "end": 1.25}]}',
        '{"id": 12345678901234567890123, "meta": {"n": -9999999999999999999}}',  # orjson would make floats
        '{"id": 18446744073709551616}',
        '{"turns": [{"start": 0.5}, {"x": [1, [2, -9223372036854775809]]}]}',  # deep in lists and dicts
        '[{"u": 18446744073709551615, "i": -9223372036854775808, "f": 1e19, "g": -9.3e18}]',
        "18446744073709551616",
        "-99999999999999999999.5",
        '{"x": NaN, "y": Infinity}',  # not JSON, but the standard reader took it before
        '{"x": 1e400}',
        '{"t": "\\ud800"}',  # a lone surrogate
        '{"a": 1, "b": 2, "a": 3}',
        '{"x": -0.0, "y": 1E5, "z": 123.456e-7, "w": 0.1}',
        '{"t": "\\u4e2d\\n\\t\\"", "e": [], "o": {}}',
    ],
)
def test_decode_reads_what_the_standard_reader_reads(text: str) -> None:
    assert same(decode(text), json.loads(text))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": 1 "turns": []}', "第 1 行第 10 列: JSON 语法错误：缺少逗号"),
        ("{'id': 1}", "第 1 行第 2 列: JSON 语法错误：键名必须用英文双引号"),
        ('{"id": 1, "turns": [],}', "第 1 行第 23 列: JSON 语法错误：键名必须用英文双引号"),
        ('{"id": 1}\ufeff', "第 1 行第 10 列: JSON 语法错误：一条记录之后还有多余内容"),
    ],
)
def test_a_bad_line_is_named_as_before(line: str, message: str) -> None:
    (result,) = read_jsonl_lines([(1, line)], "calls.jsonl", "calls")
    assert isinstance(result, FormatError)
    assert message in str(result)


@pytest.mark.parametrize(
    "value",
    [
        {"call_id": "c1", "total": 88.9, "evidence": "你去投诉啊", "span": [0, 5], "x": None, "ok": True},
        {"meta": {"id": 123456789012345678901234567890}},  # past 64 bits: orjson cannot write it
        [{"a": [], "b": {}, "c": [1.5, -0.0, 0.001]}],
        {"t": "引号\"与\\反斜杠\n换行\u2028"},
    ],
)
@pytest.mark.parametrize("indent", [False, True])
def test_encode_reads_back_the_same_with_chinese_as_it_is(value: object, indent: bool) -> None:
    text = encode(value, indent=indent)
    assert same(json.loads(text), value)
    assert "\\u" not in text.replace("\\u2028", "")
    assert ("\n" in text) is (indent and bool(value))
    if indent:
        # the --format json file is unchanged (but for floats in exponent form: orjson writes 1e-7, not 1e-07)
        assert text == json.dumps(value, ensure_ascii=False, indent=2)


PLAIN = {"speaker": "坐席", "text": "您好", "start": 1.5, "end": 2}
TURNS = [
    PLAIN, {"speaker": " 市民 ", "text": " （无声） "}, {"speaker": "agent", "text": "x", "start": 0, "end": None},
    {"speaker": "agent", "text": "x", "start": -0.0}, {"role": "坐席", "content": "x", "begin_time": 1200, "end_time": 1500},
    {"speaker": "agent", "text": "x", "start": None, "begin": 3, "end": 4}, {"speaker": "a", "text": "x", "start_ms": 5},
    # read the general way (or reported): every turn below
    {"speaker": 1, "text": "x"}, {"speaker": "{\"a\": 1}", "text": "x"}, {"speaker": "[1]", "text": "x"},
    {"speaker": "  ", "text": "x"}, {"speaker": None, "text": "x"}, {"text": "x"}, {"speaker": "a", "text": 5},
    {"speaker": "a", "text": None, "content": "x"}, {"speaker": "a", "text": "x", "start": "12"},
    {"speaker": "a", "text": "x", "start": True}, {"speaker": "a", "text": "x", "start": float("nan")},
    {"speaker": "a", "text": "x", "start": 1, "end": float("inf")}, {"speaker": "a", "text": "x", "start": -1},
    {"speaker": "a", "text": "x", "start": 3, "end": 2}, {"speaker": "a", "text": "x", "start": 1, "end": "2"},
    ["not", "a", "dict"],
    # the first key present decides, even when it holds None and a later one holds a string
    {"speaker": None, "role": "agent", "text": "x"}, {"role": None, "spk": "agent", "text": "x"},
    {"speaker": "agent", "text": None, "content": "x"}, {"speaker": "agent", "content": None, "sentence": "x"},
]


@pytest.mark.parametrize("turn", TURNS)
def test_a_turn_read_the_quick_way_is_what_the_general_way_reads(turn: object) -> None:
    layout = reader_settings().layouts[0]
    plan = jsonfmt._plan(layout)
    assert plan is not None
    quick = jsonfmt._plain_turn(turn, plan, "第 1 行 turns[", 0)
    try:
        general: object = jsonfmt._raw_turn(turn, layout, "calls.jsonl", "第 1 行 turns[0]")
    except FormatError as exc:
        general = exc
    if quick is None:  # a turn left to the general way
        assert TURNS.index(turn) >= 7
        return
    assert isinstance(general, RawTurn) and TURNS.index(turn) < 7
    assert [quick.label, quick.text, quick.start, quick.end, quick.where] == \
           [general.label, general.text, general.start, general.end, general.where]
    assert [type(quick.start), type(quick.end)] == [type(general.start), type(general.end)]  # type: ignore[attr-defined]


def test_a_layout_with_paths_is_read_the_general_way() -> None:
    by_name = {layout.name: layout for layout in reader_settings().layouts}
    assert jsonfmt._plan(by_name["通用格式"]) is not None
    assert jsonfmt._plan(by_name["阿里云录音文件识别"]) is not None  # paths only where its sentences are
    assert any(jsonfmt._plan(layout) is None for layout in by_name.values())


BYTE_LINES = [
    '{"id": "c1", "turns": [{"speaker": "坐席", "text": "您好", "start": 0.5, "end": 1.25}, {"speaker": "市民", "text": "停水了"}]}',
    '{"id": 12345678901234567890123, "turns": [{"speaker": "坐席", "text": "您好"}]}',  # past 64 bits: a float to orjson
    '{"id": "c3", "turns": [{"speaker": "坐席", "text": "您好", "start": 1E19, "end": 2e19}], "meta": {"g": -9.3e18}}',
    '{"id": "c4", "turns": [{"speaker": "坐席", "text": "您好"}], "meta": {"n": -99999999999999999999.5}}',
    '{"id": "c5", "turns": [{"speaker": "坐席", "text": "您好", "start": NaN}]}',
    '{"id": "c6", "turns": [{"speaker": "坐席", "text": "\\ud800"}]}',
    '{"id": 1 "turns": []}', "", "   ", "\u3000", "\ufeff" + '{"id": "bom", "turns": [{"speaker": "坐席", "text": "您好"}]}',
    '{"id": "c8", "turns": [{"speaker": "坐席", "text": "卡号6222021234567890123"}]}',  # 19 digits in a string
    '{"id": "c9", "turns": [{"speaker": "坐席", "text": "身份证110101199003071234", "start": 1000, "end": 2500.5}]}',
]


def _read(items: list[tuple[int, str | bytes | FormatError]], decoder: object = None) -> list[str]:
    return [repr(x) if isinstance(x, FormatError) else repr((x.id, x.turns, x.meta))
            for x in read_jsonl_lines(items, "calls.jsonl", "calls", decoder)]  # type: ignore[arg-type]


def test_lines_read_from_their_bytes_give_what_their_text_gives() -> None:
    from hotline.formats.decode import LineDecoder

    lines = [*BYTE_LINES, "GBK"]
    raw = [line.encode() for line in BYTE_LINES] + ['{"id": "gbk", "turns": [{"speaker": "坐席", "text": "您好"}]}'.encode("gb18030")]
    as_text = _read([(n, LineDecoder(None).line(r, "calls.jsonl", n)) for n, r in enumerate(raw, start=1)])
    assert _read(list(enumerate(raw, start=1)), LineDecoder(None)) == as_text
    assert len(as_text) == len(lines) - 3  # the blank lines are skipped either way
    # the lines whose numbers need the standard parser, and those orjson cannot read, are not read the quick way
    slow = [n for n, r in enumerate(raw, start=1) if jsonfmt._quick(r) is jsonfmt._SLOW]
    assert slow == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14] and len(raw) == 14


def test_orjson_gives_no_lone_surrogate() -> None:
    """What a line read from its bytes skips (``call_from_obj(from_utf8=True)``) rests on this: orjson reads only
    UTF-8 (a surrogate's bytes are not) and refuses an escaped lone surrogate; an escaped pair is one character."""
    import orjson

    for raw in (b'"\\ud800"', b'"x\\udc00"', b'{"a": "\\ud83d"}', '"\ud800"'.encode("utf-8", "surrogatepass")):
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(raw)
    assert orjson.loads(b'"\\ud83d\\ude00"') == "\U0001f600"


NESTED_SURROGATES = [
    # the sentence list as a JSON string, decoded on the way (find_layout): its text holds a lone surrogate
    {"id": "s1", "turns": json.dumps([{"speaker": "坐席", "text": "\\ud800"}]).replace("\\\\u", "\\u")},
    # a vendor's layout whose text path walks into a JSON string (each turn read the general way)
    {"id": "s2", "lattice": [{"json_1best": '{"st": {"rl": "坐席", "rt": [{"ws": [{"cw": [{"w": "\\udc00好"}]}]}]}}'}]},
]


@pytest.mark.parametrize("record", NESTED_SURROGATES)
def test_a_lone_surrogate_decoded_inside_a_string_is_still_found(record: dict[str, object]) -> None:
    line = json.dumps(record, ensure_ascii=False).encode()
    assert jsonfmt._quick(line) is not jsonfmt._SLOW  # orjson reads the line: the surrogate is an escape inside a string
    [got] = list(read_jsonl_lines([(1, line)], "calls.jsonl", "calls"))
    assert isinstance(got, FormatError) and "代理项" in got.message
