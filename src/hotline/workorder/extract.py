"""Extracting work-order fields from a call: who, which phone and ID, where and when.

Every fact keeps the turn and character span where it was said, so checks can quote both sides."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hotline.model import Address, Call, Speaker
from hotline.workorder.numbers import classify_run, digit_runs
from hotline.workorder.schema import ExtractionCues, load_extraction


@dataclass(slots=True)
class Fact:
    """One value said in the call: ``call.turns[turn_index].text[span[0]:span[1]]`` is ``said``."""

    name: str
    value: str
    turn_index: int
    span: tuple[int, int]
    said: str
    speaker: Speaker = Speaker.CITIZEN
    extra: dict[str, Any] = field(default_factory=dict)


_CJK = "\u4e00-\u9fff"
_STOP = set("的了啊呀吧呢是在住家电话，。！？、,. ")


def call_time(call: Call) -> datetime | None:
    """When the call took place, from ``call.meta`` (date/time/start_time/started_at)."""
    for key in ("started_at", "start_time", "datetime", "time", "date"):
        raw = call.meta.get(key)
        if isinstance(raw, datetime):
            return raw
        if isinstance(raw, str) and raw.strip():
            try:
                return datetime.fromisoformat(raw.strip().replace("/", "-").replace("T", " ")[:19])
            except ValueError:
                continue
    return None


def _turn_order(call: Call) -> list[int]:
    """Citizen turns first (what they said), then agent turns (confirmations)."""
    return call.citizen_turn_indexes() + call.agent_turn_indexes()


def find_numbers(call: Call) -> dict[str, list[Fact]]:
    """Phone numbers and ID numbers said in the call (spoken digits normalised)."""
    out: dict[str, list[Fact]] = {"phone": [], "id_number": []}
    for i in _turn_order(call):
        turn = call.turns[i]
        for run in digit_runs(turn.text):
            kind = classify_run(run)
            if kind is None:
                continue
            name = "id_number" if kind == "id" else "phone"
            said = turn.text[run.start : run.end]
            out[name].append(Fact(name, run.digits, i, (run.start, run.end), said, turn.speaker))
    return out


def find_names(call: Call, cues: ExtractionCues | None = None) -> list[Fact]:
    """The caller's name: self-introductions first, then how the agent addressed them (王先生)."""
    cues = cues or load_extraction()
    facts = _self_intro_names(call, cues)
    facts += _honorific_names(call, cues)
    return facts


def _surname_of(text: str, surnames: list[str]) -> str:
    for s in sorted(surnames, key=len, reverse=True):
        if text.startswith(s):
            return s
    return ""


def _self_intro_names(call: Call, cues: ExtractionCues) -> list[Fact]:
    facts: list[Fact] = []
    intros = sorted(cues.name_intro, key=len, reverse=True)
    sur_intros = sorted(cues.surname_intro, key=len, reverse=True)
    for i in call.citizen_turn_indexes():
        text = call.turns[i].text
        for m in re.finditer("|".join(map(re.escape, intros + sur_intros)), text):
            rest = text[m.end() :]
            surname = _surname_of(rest, cues.surnames)
            if not surname:
                continue
            if m.group(0) in sur_intros:
                value = surname
            else:
                value = _cut_name(rest, surname)
                if len(value) == len(surname):
                    continue
            start = m.end()
            facts.append(Fact("caller_name", value, i, (start, start + len(value)), value))
    return facts


def _cut_name(rest: str, surname: str) -> str:
    name = surname
    for ch in rest[len(surname) : len(surname) + 2]:
        if ch in _STOP or not re.match(f"[{_CJK}]", ch):
            break
        name += ch
    return name


def _honorific_names(call: Call, cues: ExtractionCues) -> list[Fact]:
    facts: list[Fact] = []
    pattern = re.compile(
        "(" + "|".join(sorted(map(re.escape, cues.surnames), key=len, reverse=True)) + ")"
        "(" + "|".join(map(re.escape, cues.honorifics)) + ")"
    )
    for i in call.agent_turn_indexes():
        text = call.turns[i].text
        for m in pattern.finditer(text):
            if m.start() > 0 and re.match(f"[{_CJK}]", text[m.start() - 1]) and text[m.start() - 1] not in "的好是，":
                continue
            facts.append(Fact("caller_name", m.group(0), i, m.span(), m.group(0), Speaker.AGENT))
    return facts


def _address_regex(cues: ExtractionCues) -> re.Pattern[str]:
    markers = "|".join(sorted(map(re.escape, cues.address_markers), key=len, reverse=True))
    unit = f"[{_CJK}A-Za-z0-9]{{0,8}}?(?:{markers})"
    return re.compile(f"(?:{unit})(?:[、 ]?{unit})*(?:[A-Za-z0-9]+(?:号|室|栋|幢|单元|楼))?")


def find_addresses(call: Call, cues: ExtractionCues | None = None) -> list[Fact]:
    """Address-like phrases, preferring those introduced by 住在/地址是/在…; parsed with jionlp."""
    cues = cues or load_extraction()
    rx = _address_regex(cues)
    intros = sorted(cues.address_intro, key=len, reverse=True)
    facts: list[Fact] = []
    for i in _turn_order(call):
        text = call.turns[i].text
        found: list[Fact] = []
        for m in re.finditer("|".join(map(re.escape, intros)), text):
            hit = rx.match(text, m.end())
            if hit and _looks_like_address(hit.group(0), cues):
                found.append(_address_fact(i, hit, call, cues, intro=True))
        for hit in rx.finditer(text) if call.turns[i].speaker is Speaker.CITIZEN else ():
            overlaps = any(f.span[0] < hit.end() and hit.start() < f.span[1] for f in found)
            if not overlaps and _marker_count(hit.group(0), cues) >= 2 and _looks_like_address(hit.group(0), cues):
                found.append(_address_fact(i, hit, call, cues, intro=False))
        facts += found
    return _dedupe_addresses(facts)


def _marker_count(text: str, cues: ExtractionCues) -> int:
    return sum(1 for m in cues.address_markers if m in text)


_DATE_LIKE = re.compile(r"[\d一二三四五六七八九十]+月[\d一二三四五六七八九十]+[号日]")
# Words that never sit inside an address: a phrase holding one is talk, not a place.
_NOT_ADDRESS = ("我", "你", "他", "她", "的", "还是", "如果", "可以", "反映", "转交", "转到", "公众号", "去", "找", "到",
                "从", "这", "那", "哪", "想", "是")


def _looks_like_address(text: str, cues: ExtractionCues) -> bool:
    if _DATE_LIKE.search(text) or any(w in text for w in _NOT_ADDRESS):
        return False
    first = min((text.find(m) for m in cues.address_markers if m in text), default=-1)
    return len(text) >= 3 and first >= 2


def _address_fact(i: int, hit: re.Match[str], call: Call, cues: ExtractionCues, intro: bool) -> Fact:
    said, start = hit.group(0), hit.start()
    if said.startswith("在"):
        said, start = said[1:], start + 1
    address = parse_address(said, call, cues)
    fact = Fact("address", address.full(), i, (start, hit.end()), said, call.turns[i].speaker)
    fact.extra = {"address": address, "intro": intro, "score": _marker_count(said, cues) + (2 if intro else 0)}
    return fact


def _dedupe_addresses(facts: list[Fact]) -> list[Fact]:
    out: list[Fact] = []
    for f in sorted(facts, key=lambda f: (f.turn_index, f.span[0], -(f.span[1] - f.span[0]))):
        if any(o.turn_index == f.turn_index and o.span[0] <= f.span[0] and f.span[1] <= o.span[1] for o in out):
            continue
        out.append(f)
    return out


def parse_address(text: str, call: Call | None = None, cues: ExtractionCues | None = None) -> Address:
    """Split an address into province/city/district/street/detail; admin levels jionlp infers are
    kept only when the text names them or names a district below them."""
    from hotline.workorder.nlp import parse_location

    cues = cues or load_extraction()
    clean = re.sub(r"[，、 ]", "", text)
    parsed = parse_location(clean)
    county = parsed.get("county") or ""
    county_said = bool(county) and county in clean and county[-1] in "区县旗市"
    addr = Address()
    addr.district = county if county_said else ""
    for level in ("province", "city"):
        value = parsed.get(level) or ""
        if value and (_stem(value) in clean or county_said):
            setattr(addr, level, value)
    if addr.province and addr.province == addr.city:  # 直辖市: 北京市北京市 → 北京市
        addr.province = ""
    town = parsed.get("town") or ""
    addr.street = town if town and town in clean else ""
    addr.detail = _detail_after(clean, [addr.province, addr.city, addr.district, addr.street])
    _fill_home(addr, call, cues)
    return addr


def _stem(name: str) -> str:
    stem = re.sub(r"(省|市|自治区|特别行政区|壮族|回族|维吾尔|自治州|地区|盟|区|县|自治县|旗)$", "", name)
    return stem if len(stem) >= 2 else name


def _detail_after(text: str, parts: list[str]) -> str:
    cut = 0
    for part in parts:
        for cand in (part, _stem(part)) if part else ():
            pos = text.find(cand, cut)
            if pos >= 0:
                cut = pos + len(cand)
                if text[cut : cut + 1] in ("省", "市", "区", "县") and cand != part:
                    cut += 1
                break
    return text[cut:]


def _fill_home(addr: Address, call: Call | None, cues: ExtractionCues) -> None:
    """Complete province/city from the call's metadata or the configured home city when not said."""
    meta = call.meta if call else {}
    if not addr.province:
        addr.province = str(meta.get("province") or cues.home.province or "")
    if not addr.city:
        addr.city = str(meta.get("city") or cues.home.city or "")


def find_times(call: Call, cues: ExtractionCues | None = None) -> list[Fact]:
    """Times of the event said by the citizen, resolved against the call's date (jionlp)."""
    cues = cues or load_extraction()
    base = call_time(call)
    masks = _mask_spans(call, cues)
    facts: list[Fact] = []
    for group in (call.citizen_turn_indexes(), call.agent_turn_indexes()):
        for i in group:
            facts += _times_in_turn(call, i, masks.get(i, []), base, cues)
        if facts:
            break
    return facts


def _mask_spans(call: Call, cues: ExtractionCues) -> dict[int, list[tuple[int, int]]]:
    """Spans holding phone/ID digits and addresses, which must not be read as dates (18号, 三八)."""
    masks: dict[int, list[tuple[int, int]]] = {}
    facts = [f for fs in find_numbers(call).values() for f in fs] + find_addresses(call, cues)
    for f in facts:
        masks.setdefault(f.turn_index, []).append(f.span)
    return masks


def _times_in_turn(
    call: Call, i: int, masks: list[tuple[int, int]], base: datetime | None, cues: ExtractionCues
) -> list[Fact]:
    from hotline.workorder.nlp import extract_time

    text = call.turns[i].text
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
        if fact is not None:
            facts.append(fact)
    return facts


def _time_base(base: datetime | None) -> Any:
    if base is None:
        return None
    return {"year": base.year, "month": base.month, "day": base.day, "hour": base.hour, "minute": base.minute}


def _time_fact(i: int, hit: dict[str, Any], call: Call, base: datetime | None, cues: ExtractionCues) -> Fact | None:
    said = str(hit.get("text", ""))
    detail = hit.get("detail") or {}
    if hit.get("type") not in ("time_point", "time_span") or any(w in said for w in cues.time_ignore):
        return None
    times = detail.get("time")
    if not isinstance(times, list) or len(times) != 2 or not all(isinstance(t, str) for t in times):
        return None
    try:
        start = datetime.fromisoformat(times[0])
        datetime.fromisoformat(times[1])
    except ValueError:  # open ranges come back as "inf"/"-inf"
        return None
    if base is not None and not (base - timedelta(days=366) <= start < base.replace(minute=0, second=0, microsecond=0)):
        return None
    if datetime.fromisoformat(times[1]) - start > timedelta(days=62):
        return None  # 今年、这几年: too vague to be an event time
    whole_day = times[0].endswith("00:00:00") and times[1].endswith("23:59:59")
    value = start.strftime("%Y-%m-%d") if whole_day else start.strftime("%Y-%m-%d %H:%M")
    off = hit.get("offset") or [0, len(said)]
    fact = Fact("event_time", value, i, (int(off[0]), int(off[1])), said, call.turns[i].speaker)
    fact.extra = {"range": (times[0], times[1])}
    return fact
