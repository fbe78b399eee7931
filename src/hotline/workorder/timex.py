"""Event times said in a call, resolved against the call's own date (never the machine's), never
read from numbers that belong to a phone, an ID or an address. A relative time (昨天, 上周五) needs
the call's date: without one it is kept as said (昨天下午四点多), unresolved. A bare part of the day
(晚上), a habit (每天晚上) or a deadline (3个工作日内) is not an event time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from hotline.model import Call
from hotline.workorder.address import find_addresses
from hotline.workorder.facts import Fact, call_time
from hotline.workorder.schema import ExtractionCues, load_extraction


def find_times(call: Call, cues: ExtractionCues | None = None) -> list[Fact]:
    """Times of the event said by the citizen, resolved against the call's date (jionlp)."""
    cues = cues or load_extraction()
    base = call_time(call)
    masks = _mask_spans(call, cues)
    facts: list[Fact] = []
    confirming = [i for i in call.agent_turn_indexes() if any(w in call.turns[i].text for w in cues.agent_confirm)]
    for group in (call.citizen_turn_indexes(), confirming):  # not the agent's greeting (8号为您服务)
        for i in group:
            facts += _times_in_turn(call, i, masks.get(i, []), base, cues)
        if facts:
            break
    return facts


def _mask_spans(call: Call, cues: ExtractionCues) -> dict[int, list[tuple[int, int]]]:
    """Spans holding phone/ID digits and addresses, which must not be read as dates (18号, 三八)."""
    masks: dict[int, list[tuple[int, int]]] = {}
    facts = [f for fs in _numbers(call).values() for f in fs] + find_addresses(call, cues)
    for f in facts:
        masks.setdefault(f.turn_index, []).append(f.span)
    return masks


def _times_in_turn(
    call: Call, i: int, masks: list[tuple[int, int]], base: datetime | None, cues: ExtractionCues
) -> list[Fact]:
    from hotline.workorder.nlp import extract_time

    text = call.turns[i].text.translate(_FULL_WIDTH)  # same length: spans stay valid
    for a, b in masks:
        text = text[:a] + "，" * (b - a) + text[b:]
    facts: list[Fact] = []
    word = next((w for w in cues.time_now if w in text), None)
    if word and base is not None:
        pos = text.find(word)
        value = base.strftime("%Y-%m-%d %H:%M")
        facts.append(Fact("event_time", value, i, (pos, pos + len(word)), word, call.turns[i].speaker))
    for hit in extract_time(text, _time_base(base)):
        fact = _time_fact(i, hit, call, base, cues)
        if fact is not None and not _in_a_request(text, fact.span, cues):
            facts.append(fact)
    return facts


def _in_a_request(text: str, span: tuple[int, int], cues: ExtractionCues) -> bool:
    """希望今天就派人来: a time the caller asks for, not the time of the event."""
    start = max(text.rfind(p, 0, span[0]) for p in "，,。！？；") + 1
    ends = [e for e in (text.find(p, span[1]) for p in "，,。！？；") if e >= 0]
    return any(m in text[start : min(ends, default=len(text))] for m in cues.request_markers)


_FULL_WIDTH = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)} | {"：": ":", "／": "/", "－": "-"})
# a time must name its day: 晚上 alone (or 每天晚上) is not a moment of the event
_DAY = re.compile(r"今|昨|前天|前晚|上周|上礼拜|上星期|本周|这周|周[一二三四五六日天]|星期|礼拜|[号日月年]|\d+[/-]\d+|刚")
_ABSOLUTE = re.compile(r"(\d{4}|[一二三四五六七八九〇零]{4})\s*年|[\d一二三四五六七八九十]+\s*月\s*[\d一二三四五六七八九十]+\s*[日号]|\d{4}[/-]\d{1,2}[/-]\d{1,2}")
_HABITUAL = ("每天", "天天", "每晚", "每次", "经常", "每个月", "每周", "一到")
_FUTURE = ("明天", "后天", "明年", "下周", "下礼拜", "下星期", "下个月", "下月", "明早", "明晚", "周末")


def _time_base(base: datetime | None) -> Any:
    if base is None:
        return None
    return {"year": base.year, "month": base.month, "day": base.day, "hour": base.hour, "minute": base.minute}


def _time_fact(i: int, hit: dict[str, Any], call: Call, base: datetime | None, cues: ExtractionCues) -> Fact | None:
    said = str(hit.get("text", ""))
    detail = hit.get("detail") or {}
    if hit.get("type") not in ("time_point", "time_span") or any(w in said for w in cues.time_ignore):
        return None
    if not _DAY.search(said) or any(w in said for w in _HABITUAL):
        return None
    off = hit.get("offset") or [0, len(said)]
    times = detail.get("time")
    if not isinstance(times, list) or len(times) != 2 or not all(isinstance(t, str) for t in times):
        return None
    try:
        start = datetime.fromisoformat(times[0])
        end = datetime.fromisoformat(times[1])
    except ValueError:  # open ranges come back as "inf"/"-inf"
        return None
    if base is None and not _ABSOLUTE.search(said):
        # 昨天 without the call's date: resolving it against today would be a guess; keep the words
        if any(w in said for w in _FUTURE) or end - start > timedelta(days=62):
            return None
        return Fact("event_time", said, i, (int(off[0]), int(off[1])), said, call.turns[i].speaker)
    if base is not None and not (base - timedelta(days=366) <= start < base.replace(minute=0, second=0, microsecond=0)):
        return None
    if end - start > timedelta(days=62):
        return None  # 今年、这几年: too vague to be an event time
    whole_day = times[0].endswith("00:00:00") and times[1].endswith("23:59:59")
    value = start.strftime("%Y-%m-%d") if whole_day else start.strftime("%Y-%m-%d %H:%M")
    fact = Fact("event_time", value, i, (int(off[0]), int(off[1])), said, call.turns[i].speaker)
    fact.extra = {"range": (times[0], times[1])}
    return fact


def _numbers(call: Call) -> dict[str, list[Fact]]:
    from hotline.workorder.extract import find_numbers

    return find_numbers(call)
