"""Comparing what an order says with what was said in the call: names, times, addresses.
Each function returns a one-line description of the conflict showing both sides, or nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from hotline.model import Address, Call, WorkOrder
from hotline.workorder.extract import Fact, call_time

_HONORIFIC = re.compile(r"(先生|女士|阿姨|大爷|师傅|老师|某)$")


def name_conflict(order: WorkOrder, fact: Fact, call: Call) -> str | None:
    """Different surname, or a different full name when both are full names."""
    written = order.caller_name.strip()
    if not written:
        return None
    said = _HONORIFIC.sub("", fact.value)
    base = _HONORIFIC.sub("", written)
    if not said or not base:
        return None
    if base[0] != said[0] or (len(base) >= 2 and len(said) >= 2 and base != said):
        return f"工单姓名「{written}」≠ 通话中「{fact.said}」"
    return None


_ORDER_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d",
                       "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H时", "%Y年%m月%d日%H点", "%Y年%m月%d日")


def parse_order_time(value: str, call: Call | None = None) -> tuple[datetime, bool] | None:
    """An order's event time and whether it names an hour; free wording is read with jionlp."""
    text = value.strip()
    for fmt in _ORDER_TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt), "%H" in fmt
        except ValueError:
            continue
    return _parse_free_time(text, call)


def _parse_free_time(text: str, call: Call | None) -> tuple[datetime, bool] | None:
    from hotline.workorder.nlp import parse_time

    base = call_time(call) if call else None
    time_base = None if base is None else {"year": base.year, "month": base.month, "day": base.day, "hour": base.hour}
    times = parse_time(text, time_base).get("time")
    if not isinstance(times, list) or not times or not isinstance(times[0], str):
        return None
    try:
        start = datetime.fromisoformat(times[0])
    except ValueError:  # open ranges come back as "inf"/"-inf"
        return None
    whole_day = times[0].endswith("00:00:00") and str(times[-1]).endswith("23:59:59")
    return start, not whole_day


def time_conflict(order: WorkOrder, fact: Fact, call: Call) -> str | None:
    """The order's event time lies outside what the caller said (a different day, or hours apart)."""
    if not order.event_time.strip():
        return None
    parsed = parse_order_time(order.event_time, call)
    rng = fact.extra.get("range")
    if parsed is None or not rng:
        return None
    written, has_hour = parsed
    lo, hi = datetime.fromisoformat(rng[0]), datetime.fromisoformat(rng[1])  # validated by extraction
    if not has_hour:
        ok = lo.date() <= written.date() <= hi.date()
    else:
        whole_day = rng[0].endswith("00:00:00") and rng[1].endswith("23:59:59")
        ok = (lo.date() <= written.date() <= hi.date()) if whole_day else (
            lo - timedelta(hours=1) <= written <= hi + timedelta(hours=1))
    if ok:
        return None
    return f"工单事发时间「{order.event_time}」≠ 通话中「{fact.said}」（{fact.value}）"


_DISTRICT = re.compile(r"([\u4e00-\u9fff]{1,5}?(?:新区|区|县|旗))")
_ROAD = re.compile(r"^([\u4e00-\u9fff]{1,6}?(?:大道|路|街|巷|弄))")
_NUMBER = re.compile(r"(\d+)\s*(号楼|号院|号|栋|幢|单元|室)")


def _tokens(text: str) -> dict[str, set[str]]:
    """Road names and house numbers of an address's detail part."""
    text = re.sub(r"^.*?(街道|镇|乡)", "", text)
    nums: dict[str, set[str]] = {}
    for n, unit in _NUMBER.findall(text):
        nums.setdefault(unit, set()).add(n)
    return {"road": set(_ROAD.findall(text)), **{f"num:{u}": v for u, v in nums.items()}}


def address_conflicts(written: Address, fact: Fact) -> list[str]:
    """District, road and house numbers that differ between the order and the caller's words."""
    said_addr: Address = fact.extra["address"]
    if not (written.district or written.street) and written.detail:
        from hotline.workorder.extract import parse_address

        written = parse_address(written.detail)  # a whole address typed into one box
    problems = []
    if written.district and said_addr.district and written.district != said_addr.district:
        problems.append(f"工单区县「{written.district}」≠ 通话中「{said_addr.district}」（「{fact.said}」）")
    mine, theirs = _tokens(written.detail), _tokens(said_addr.detail)
    for key in mine.keys() & theirs.keys():
        if mine[key] and theirs[key] and not (mine[key] & theirs[key]):
            what = "道路" if key == "road" else "门牌"
            problems.append(f"工单地址{what}「{'、'.join(sorted(mine[key]))}{'' if key == 'road' else key[4:]}」"
                            f"≠ 通话中「{fact.said}」")
    return problems
