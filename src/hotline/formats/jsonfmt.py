"""JSON and JSONL transcripts: ``{"id", "turns": [{"speaker", "text", "start", "end"}], "meta"}``,
plus the common ASR layouts (``sentences``/``utterances`` with ``role``/``content``/``begin_time`` in ms)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hotline.errors import FormatError
from hotline.formats.speakers import clean_text, parse_speaker
from hotline.model import Call, Turn

_TURN_LISTS = ("turns", "sentences", "utterances", "segments", "dialogue")
_SPEAKER_KEYS = ("speaker", "role", "spk", "speaker_id", "channel_id", "channel")
_TEXT_KEYS = ("text", "content", "sentence", "transcript")
_START_KEYS = (("start", 1.0), ("begin", 1.0), ("start_time", 1.0), ("begin_time", 0.001))
_END_KEYS = (("end", 1.0), ("end_time", 0.001))


def _first(d: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for k in keys:
        if k in d:
            return d[k]
    return None


def _time(d: dict[str, Any], keys: tuple[tuple[str, float], ...], where: str, source: str) -> float | None:
    for key, scale in keys:
        if key in d and d[key] is not None:
            value = d[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise FormatError(f"{key} 应为数字（秒），实际为 {value!r}", source=source, location=where)
            if value < 0:
                raise FormatError(f"{key} 不能为负数：{value}", source=source, location=where)
            return float(value) * scale
    return None


def call_from_obj(obj: Any, source: str, where: str, default_id: str) -> Call:
    """Build a Call from one decoded JSON object; raise FormatError naming ``where`` on any problem."""
    if not isinstance(obj, dict):
        raise FormatError("每条通话应为 JSON 对象（{…}）", source=source, location=where)
    turns_raw = _first(obj, _TURN_LISTS)
    if not isinstance(turns_raw, list):
        raise FormatError("缺少 turns 列表（每个话轮含 speaker、text）", source=source, location=where)
    turns = [_turn(t, source, f"{where} turns[{i}]") for i, t in enumerate(turns_raw)]
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise FormatError("meta 应为 JSON 对象", source=source, location=where)
    call_id = obj.get("id", obj.get("call_id", default_id))
    return Call(id=str(call_id), turns=turns, meta=dict(meta))


def _turn(t: Any, source: str, where: str) -> Turn:
    if not isinstance(t, dict):
        raise FormatError("话轮应为 JSON 对象", source=source, location=where)
    label = _first(t, _SPEAKER_KEYS)
    if label is None:
        raise FormatError("缺少 speaker（说话人）", source=source, location=where)
    text = _first(t, _TEXT_KEYS)
    if not isinstance(text, str):
        raise FormatError("缺少 text（文本）或不是字符串", source=source, location=where)
    start = _time(t, _START_KEYS, where, source)
    end = _time(t, _END_KEYS, where, source)
    if start is not None and end is not None and end < start:
        raise FormatError(f"结束时间 {end} 早于开始时间 {start}", source=source, location=where)
    return Turn(parse_speaker(label, source, where), clean_text(text), start, end)


def read_json_text(text: str, source: str, stem: str) -> Iterator[Call | FormatError]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"JSON 语法错误：{exc.msg}", source=source,
                          location=f"第 {exc.lineno} 行第 {exc.colno} 列") from None
    items = obj.get("calls") if isinstance(obj, dict) and "calls" in obj else obj
    if isinstance(items, list):
        for i, item in enumerate(items):
            yield _safe(item, source, f"calls[{i}]", f"{stem}-{i + 1}")
    else:
        yield call_from_obj(items, source, "(顶层)", stem)


def read_jsonl_lines(lines: Iterator[str], source: str, stem: str) -> Iterator[Call | FormatError]:
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"第 {lineno} 行"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield FormatError(f"JSON 语法错误：{exc.msg}（第 {exc.colno} 列）", source=source, location=where)
            continue
        yield _safe(obj, source, where, f"{stem}-{lineno}")


def _safe(obj: Any, source: str, where: str, default_id: str) -> Call | FormatError:
    try:
        return call_from_obj(obj, source, where, default_id)
    except FormatError as exc:
        return exc
