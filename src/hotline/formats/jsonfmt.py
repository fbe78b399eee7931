"""JSON and JSONL transcripts: ``{"id", "turns": [{"speaker", "text", "start", "end"}], "meta"}``, a list
of those or ``{"calls": [...]}``, and the speech-to-text vendors' layouts in ``data/formats/readers.yaml``
(阿里云、腾讯云、讯飞、火山引擎、FunASR: speaker or channel fields, times in ms, nested sentence lists)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import orjson

from hotline.errors import FormatError
from hotline.formats.decode import LineDecoder
from hotline.formats.layouts import Layout, find_layout, first_at, missing, reader_settings, simple, values_at
from hotline.formats.records import RawTurn, clean_text, finish_call, silence
from hotline.model import Call

_JSON_MESSAGES = (
    ("Expecting ',' delimiter", "缺少逗号（,）"),
    ("Expecting ':' delimiter", "缺少冒号（:）"),
    ("Expecting property name enclosed in double quotes", "键名必须用英文双引号括起来"),
    ("Expecting value", "缺少值（或多了逗号）"),
    ("Extra data", "一条记录之后还有多余内容（JSONL 每行只能放一条）"),
    ("Unterminated string", "字符串缺少结尾的引号"),
    ("Invalid control character", "字符串中有换行或控制字符"),
    ("Invalid \\uXXXX escape", "\\u 转义格式不对"),
    ("Invalid \\escape", "反斜杠转义不对"),
)


def json_error(exc: json.JSONDecodeError) -> str:
    """A Chinese description of a JSON syntax error (never the parser's English)."""
    for english, chinese in _JSON_MESSAGES:
        if exc.msg.startswith(english):
            return f"JSON 语法错误：{chinese}"
    return "JSON 语法错误"


# orjson reads an integer past 64 bits (below -2**63 or above 2**64 - 1) as a float: a 20-digit call id
# would lose its digits. Such a float is at least this large; so is any float that may come from one.
_HUGE: Final = 9.2e18


def decode(text: str) -> Any:
    """What ``json.loads`` gives, fast: orjson for a record it reads exactly as the standard parser
    does, the standard parser for anything else (integers past 64 bits, found as the huge floats orjson
    made of them; NaN and other literals orjson refuses; every syntax error, so its message and place
    are the ones ``json_error`` knows)."""
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
    return json.loads(text) if _has_huge_float(obj) else obj


# a turn as ``_kernels.records.turns`` reads it: the label, text, start and end of its RawTurn
_Read = tuple[str, str, float | None, float | None]


class _Reader:
    """The C walks of a record (``_kernels.records``: ``huge``, ``turns``), looked for once; None when they are not
    built, stale or switched off (``HOTLINE_NATIVE=0``): the Python paths then, which give the same results
    (tests/formats/test_records_reader_s39.py holds the one to the other). One object, named Final (compiled: its
    fields are read without a lookup in the module's globals)."""

    def __init__(self) -> None:
        self.tried = False
        self.huge: Callable[[object, float], bool] | None = None
        self.turns: Callable[..., list[_Read | None]] | None = None

    def load(self) -> None:
        self.tried = True
        try:
            from hotline._kernels import records
        except ImportError:
            return
        self.huge = records.huge
        self.turns = records.turns


_READER: Final = _Reader()


def _has_huge_float(obj: Any) -> bool:
    """Whether a value orjson decoded holds a float of ``_HUGE`` or more either way (walked without recursion).
    orjson makes exact dicts, lists and floats (no subclass), so a test of the exact type finds each. A dict's
    values are read by ``_huge_value`` as they are (compiled: the dict's own iteration, not a list of them made and
    freed), and a dict in a list (a call's turns) there and then, not pushed on the stack and popped; a list's
    items by index. One loop, no call per value, in plain Python too. The C walk (``_Reader.huge``) when built: the
    same test of each value, a few instructions a value."""
    reader = _READER
    if not reader.tried:
        reader.load()
    huge = reader.huge
    if huge is not None:
        return huge(obj, _HUGE)
    if type(obj) is float:
        whole: float = obj
        return not -_HUGE < whole < _HUGE
    stack: list[Any] = [obj]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            if _huge_value(item, stack):
                return True
        elif type(item) is list:
            items: list[Any] = item
            for value in items:
                kind = type(value)
                if kind is float:
                    number: float = value
                    if not -_HUGE < number < _HUGE:
                        return True
                elif kind is dict:
                    if _huge_value(value, stack):
                        return True
                elif kind is list:
                    stack.append(value)
    return False


def _huge_value(mapping: dict[Any, Any], stack: list[Any]) -> bool:
    """Whether a value of ``mapping`` is a float of ``_HUGE`` or more either way; its dicts and lists are pushed on
    ``stack`` (``_has_huge_float``'s walk)."""
    for value in mapping.values():
        kind = type(value)
        if kind is float:
            number: float = value
            if not -_HUGE < number < _HUGE:
                return True
        elif kind is dict or kind is list:
            stack.append(value)
    return False


def encode(obj: Any, *, indent: bool = False) -> str:
    """JSON text with Chinese as it is (not escaped), one line unless ``indent`` (two spaces); the
    standard encoder for what orjson cannot write (integers past 64 bits)."""
    try:
        return orjson.dumps(obj, option=orjson.OPT_INDENT_2 if indent else 0).decode()
    except TypeError:
        return json.dumps(obj, ensure_ascii=False, indent=2 if indent else None)


def loads(text: str, source: str, where: str, *, lines: bool) -> Any:
    """``json.loads`` with every failure (syntax, nesting) as a FormatError naming the place."""
    try:
        return decode(text)
    except json.JSONDecodeError as exc:
        place = f"{where}第 {exc.colno} 列" if lines else f"第 {exc.lineno} 行第 {exc.colno} 列"
        raise FormatError(json_error(exc), source=source, location=place) from None
    except RecursionError:
        raise FormatError("JSON 嵌套层数过深（不是通话记录？）", source=source, location=where or None) from None


def _number(value: Any, key: str, source: str, where: str) -> float:
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", value):
        value = float(value)  # some vendors write times as strings of digits
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or value in (
            float("inf"), float("-inf")):
        raise FormatError(f"{key} 应为数字（时间），实际为 {_show(value)}", source=source, location=where)
    if value < 0:
        raise FormatError(f"{key} 不能为负数：{value}", source=source, location=where)
    return float(value)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"「{value}」"
    return text if len(text) <= 40 else text[:40] + "…"


def _times(t: dict[str, Any], layout: Layout, source: str, where: str) -> tuple[float | None, float | None]:
    for keys in layout.times:
        start = first_at(t, [keys.start])
        if missing(start) or start is None:
            continue
        end = first_at(t, [keys.end])
        s = _number(start, keys.start, source, where) * keys.scale
        e = None if missing(end) or end is None else _number(end, keys.end, source, where) * keys.scale
        if e is not None and e < s:
            raise FormatError(f"结束时间 {e:g} 早于开始时间 {s:g}", source=source, location=where)
        return s, e
    return None, None


def _text(t: dict[str, Any], layout: Layout) -> Any:
    for path in layout.text:
        if simple(path):
            if path in t:
                return t[path]
            continue
        found = list(values_at(t, path))
        if found:
            return found[0] if len(found) == 1 else "".join(str(x) for x in found if isinstance(x, str))
    return None


def _raw_turn(t: Any, layout: Layout, source: str, where: str) -> RawTurn:
    if not isinstance(t, dict):
        raise FormatError("话轮应为 JSON 对象（{…}）", source=source, location=where)
    label = first_at(t, layout.speaker)
    if missing(label) or label is None or isinstance(label, dict | list) or str(label).strip() == "":
        raise FormatError(f"缺少 speaker（说话人，可用键：{'、'.join(layout.speaker[:4])}）", source=source, location=where)
    text = _text(t, layout)
    if not isinstance(text, str):
        raise FormatError(f"缺少 text（文本）或不是字符串（可用键：{'、'.join(layout.text[:4])}）",
                          source=source, location=where)
    start, end = _times(t, layout, source, where)
    return RawTurn(str(label).strip(), clean_text(text), start, end, where)


# A layout whose keys are all plain (no paths), as tuples: the speaker keys, the text keys and the
# (start, end, scale) of each way of giving times, in the layout's order; and the keys of the call's id
# when they are plain too (else None: ``first_at`` walks the paths).
_Plan = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str, float], ...], tuple[str, ...] | None]
_plans: dict[int, tuple[Layout, _Plan | None]] = {}
_ABSENT: Final = object()  # a key not in a dict (its value may be None)


def _plan(layout: Layout) -> _Plan | None:
    kept = _plans.get(id(layout))
    if kept is None or kept[0] is not layout:
        keys = [*layout.speaker, *layout.text, *(k for t in layout.times for k in (t.start, t.end))]
        plan = None if not all(map(simple, keys)) else (
            tuple(layout.speaker), tuple(layout.text), tuple((t.start, t.end, t.scale) for t in layout.times),
            tuple(layout.id) if all(map(simple, layout.id)) else None)
        kept = _plans[id(layout)] = (layout, plan)
    return kept[1]


def _plain_turn(t: Any, plan: _Plan, at: str, index: int) -> RawTurn | None:
    """``_raw_turn`` of a turn as most are written (a string speaker and text, times that are plain
    non-negative numbers in order), without its general steps; None for any other turn, which
    ``_raw_turn`` then reads (and reports) the general way."""
    if type(t) is not dict:
        return None
    d: dict[str, Any] = t
    speakers, texts, times, _ = plan
    found: Any = _ABSENT  # the value of the first key present (one lookup a key, not a test and a read)
    for key in speakers:
        found = d.get(key, _ABSENT)
        if found is not _ABSENT:
            break
    if type(found) is not str:
        return None
    label: str = found
    if label[:1] in ("{", "["):  # a JSON string in a string: _raw_turn decodes it
        return None
    label = label.strip()
    found = _ABSENT
    for key in texts:
        found = d.get(key, _ABSENT)
        if found is not _ABSENT:
            break
    if not label or type(found) is not str:
        return None
    text: str = found
    start: float | None = None
    end: float | None = None
    for start_key, end_key, scale in times:
        s = d.get(start_key)
        if s is None:
            continue
        e = d.get(end_key)
        # a time _number takes as it is: an int (not a bool), or a float that is a number (x - x is 0); not negative
        first = _time(s)
        if first is None:
            return None
        start = first * scale
        if e is not None:
            last = _time(e)
            if last is None:
                return None
            end = last * scale
        if end is not None and end < start:
            return None
        break
    return RawTurn(label, clean_text(text), start, end, at, index)


def _time(value: Any) -> float | None:
    """A time as ``_number`` takes it without a word (an int, not a bool, or a float that is a number, x - x
    being 0; not negative), as a float; None for anything else."""
    if isinstance(value, float):
        number: float = value
        return number if number - number == 0.0 and number >= 0.0 else None
    if type(value) is int:
        whole: int = value
        return float(whole) if whole >= 0 else None
    return None


def call_from_obj(obj: Any, source: str, where: str, default_id: str, *, from_utf8: bool = False) -> Call:
    """Build a Call from one decoded JSON object; raise FormatError naming ``where`` on any problem.
    ``from_utf8``: ``obj`` is what orjson read from bytes (``_quick``), so none of its strings holds a lone
    surrogate (orjson reads only UTF-8 and refuses an escaped lone surrogate): when the turns were taken
    from it as they are (no JSON decoded inside a string), the call's texts, labels and meta need no search
    for one."""
    if not isinstance(obj, dict):
        raise FormatError("每条通话应为 JSON 对象（{…}）", source=source, location=where)
    found = _layout_of(obj)
    direct = found is not None and found[2]
    if found is None:
        raise FormatError("缺少 turns 列表（每个话轮含 speaker、text；也支持常见语音识别结果格式）",
                          source=source, location=where)
    layout, turns_raw, _ = found
    limit = reader_settings().limits.max_turns
    if len(turns_raw) > limit:
        raise FormatError(f"话轮太多（{len(turns_raw)} 个，上限 {limit}）", source=source, location=where)
    plan = _plan(layout)
    at = f"{where} turns[".lstrip()
    raw: list[RawTurn] = []
    plain = plan is not None  # every turn read as it is written (no JSON decoded inside one of its strings)
    reader = _READER
    if not reader.tried:
        reader.load()
    made: list[_Read | None] | None = None
    if plan is not None and reader.turns is not None and type(turns_raw) is list:
        # the C ``_plain_turn`` of every turn at once, its RawTurn's values (None where it leaves a turn to the loop
        # below, which reads it as before); it raises nothing of its own, so a bad turn is still reported first, by
        # the loop
        marks, longest = silence()
        made = reader.turns(turns_raw, plan[0], plan[1], plan[2], marks, longest)
    for i, t in enumerate(turns_raw):
        got = None if made is None else made[i]
        if got is not None:
            turn = RawTurn(got[0], got[1], got[2], got[3], at, i)
        else:
            read = None if plan is None else _plain_turn(t, plan, at, i)
            if read is None:
                plain = False
                read = _raw_turn(t, layout, source, f"{at}{i}]")
            turn = read
        raw.append(turn)
    meta = obj.get("meta")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FormatError("meta 应为 JSON 对象", source=source, location=where)
    call_id = _call_id(obj, layout, None if plan is None else plan[3], default_id)
    return finish_call(call_id, raw, dict(meta), source, where, no_surrogates=from_utf8 and direct and plain)


def _call_id(obj: dict[str, Any], layout: Layout, keys: tuple[str, ...] | None, default_id: str) -> str:
    """The call's id: ``first_at(obj, layout.id)`` as text, or ``default_id`` when there is none or it is empty,
    null, an object or a list. With the id's ``keys`` all plain (most layouts), the first present is read here
    (compiled: a lookup a key, not two calls of ``layouts``' Python functions for every record); ``first_at`` for
    a string that holds JSON (it decodes it) and for paths."""
    value: Any = _ABSENT
    if keys is not None:
        for key in keys:
            value = obj.get(key, _ABSENT)
            if value is not _ABSENT:
                break
    if keys is None or (type(value) is str and value[:1] in ("{", "[")):
        value = first_at(obj, layout.id)
        if missing(value):
            value = _ABSENT
    if value is _ABSENT or value is None or isinstance(value, (dict, list)):
        return default_id
    if type(value) is str:
        text: str = value
        return text if text else default_id
    return default_id if value == "" else str(value)


def _layout_of(obj: dict[str, Any]) -> tuple[Layout, list[Any], bool] | None:
    """``find_layout(obj)`` and whether its list is a value of ``obj`` as it is (not decoded from a string);
    first, as most records are written, the first layout's first place for the sentences when it is a plain
    key that holds a list (what ``find_layout`` would look at first, and take)."""
    first = reader_settings().layouts[0]
    path = first.turns[0]
    value = obj.get(path)
    if type(value) is list and simple(path):
        return first, value, True
    found = find_layout(obj)
    return None if found is None else (found[0], found[1], False)


def read_json_text(text: str, source: str, stem: str) -> Iterator[Call | FormatError]:
    obj = loads(text, source, "", lines=False)
    items = obj.get("calls") if isinstance(obj, dict) and "calls" in obj else obj
    if isinstance(items, list):
        if not items:
            raise FormatError("没有任何通话（列表为空）", source=source)
        for i, item in enumerate(items):
            yield _safe(item, source, f"calls[{i}]", f"{stem}-{i + 1}")
    else:
        yield _safe(items, source, "", stem)


def read_jsonl_lines(lines: Iterable[tuple[int, str | bytes | FormatError]], source: str, stem: str,
                     decoder: LineDecoder | None = None) -> Iterator[Call | FormatError]:
    """Calls from numbered lines; a bad line is reported by its number and the next one is read. A line
    may come as its bytes (``decode.record_lines``): read straight from them when that is sure to give
    what its text gives (``_quick``), else decoded by ``decoder`` and read as text."""
    for lineno, line in lines:
        if type(line) is bytes:
            obj = _quick(line)
            if obj is not _SLOW:
                yield _safe(obj, source, f"第 {lineno} 行", f"{stem}-{lineno}", from_utf8=True)
                continue
            assert decoder is not None, "lines as bytes come with their decoder"
            line = decoder.line(line, source, lineno)
        if isinstance(line, FormatError):
            yield line
            continue
        assert isinstance(line, str)
        if not line or line.isspace():
            continue
        where = f"第 {lineno} 行"
        try:
            obj = loads(line, source, where, lines=True)
        except FormatError as exc:
            yield exc
            continue
        yield _safe(obj, source, where, f"{stem}-{lineno}")


_SLOW = object()


def _quick(line: bytes) -> Any:
    """``decode`` of a line of UTF-8 straight from its bytes (orjson checks they are UTF-8 — a BOM it
    refuses), or ``_SLOW`` when the line must be decoded and read as text: not JSON orjson reads, or
    holding a number orjson reads otherwise than the standard parser (``decode``'s huge floats, found by
    the same walk of the result). Most lines are neither, and skip the copy to text."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return _SLOW
    return _SLOW if _has_huge_float(obj) else obj


def _safe(obj: Any, source: str, where: str, default_id: str, *, from_utf8: bool = False) -> Call | FormatError:
    try:
        return call_from_obj(obj, source, where, default_id, from_utf8=from_utf8)
    except FormatError as exc:
        return exc
    except RecursionError:
        return FormatError("记录嵌套层数过深", source=source, location=where or None)
