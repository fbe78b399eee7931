"""A written 工单 against the expected one (a drill's standard answer): field by field, with synonyms
(``synonyms.yaml``), near-equal addresses and times, and deadlines read as “N 个工作日内 / N 小时内”.

One comparison serves the engine's goal rule (``goal.order.v1``) and the debrief's table."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.model import WorkOrder
from hotline.norms.goals import StandardOrder
from hotline.workorder.numbers import normalize_phone
from hotline.workorder.synonyms import clean, load_synonyms

FIELD_LABELS = {
    "caller_name": "来电人姓名", "phone": "联系电话", "address": "地址", "event_time": "事发时间",
    "request_type": "诉求类型", "category": "事项分类", "department": "承办部门", "urgency": "紧急程度",
    "deadline": "办理时限", "invalid_reason": "无效原因",
}
ORDER = ("caller_name", "phone", "address", "event_time", "request_type", "category", "department", "urgency",
         "deadline", "invalid_reason")
ADDRESS_SIMILARITY = 0.6
TIME_SIMILARITY = 0.3
_HONORIFIC = re.compile(r"(先生|女士|小姐|阿姨|大爷|大妈|师傅|老师|同学|某)$")
_CN_DIGITS = {"零": "0", "〇": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6",
              "七": "7", "八": "8", "九": "9", "幺": "1"}
_LIMIT = re.compile(r"([0-9]+(?:\.[0-9]+)?|[一二两三四五六七八九十半]+)\s*个?\s*(工作日|小时|天|日)")
_UNITS = re.compile(r"(号楼|幢|栋)")


@dataclass(slots=True)
class FieldCheck:
    field: str
    label: str
    expected: str
    submitted: str
    ok: bool
    note: str = ""


def compare_order(order: WorkOrder, expected: StandardOrder) -> list[FieldCheck]:
    """One check per field the expected order fills (type and urgency always)."""
    out = []
    for name in ORDER:
        want = _expected(expected, name)
        if not want and name not in ("request_type", "urgency"):
            continue
        got = _submitted(order, name)
        ok, note = _CHECKS[name](got, want, expected)
        if not ok and not note:
            note = "未填写" if not got else "与标准答案不一致"
        out.append(FieldCheck(name, FIELD_LABELS[name], want, got, ok, note))
    return out


def _expected(expected: StandardOrder, name: str) -> str:
    value = getattr(expected, name)
    return " › ".join(value) if isinstance(value, list) else str(value)


def _submitted(order: WorkOrder, name: str) -> str:
    if name == "address":
        return order.address.full()
    value = getattr(order, name)
    return " › ".join(value) if isinstance(value, list) else str(value or "")


def _path(text: str) -> list[str]:
    return [p for p in (clean(x) for x in re.split(r"[›>＞/／]", text)) if p]


def _same_text(kind: str):  # noqa: ANN202 - a check function
    def check(got: str, want: str, _: StandardOrder) -> tuple[bool, str]:
        return load_synonyms().same(kind, got, want), ""  # type: ignore[arg-type]

    return check


def _urgency(got: str, want: str, _: StandardOrder) -> tuple[bool, str]:
    return clean(got) == clean(want), ""


def _category(got: str, want: str, _: StandardOrder) -> tuple[bool, str]:
    table = load_synonyms()
    g, w = _path(got), _path(want)
    same = [table.same("category", a, b) for a, b in zip(g, w, strict=False)]
    if len(g) >= len(w) and all(same):
        return True, ""
    if g and same and same[0]:
        return False, "一级分类正确，细分类不对"
    return False, ""


def _department(got: str, want: str, expected: StandardOrder) -> tuple[bool, str]:
    names = [expected.department, *expected.department_aliases]
    return any(same_department(got, name) for name in names), ""


def same_department(a: str, b: str) -> bool:
    """Two department names for one body: the same name or a synonym, and the same place when both name one."""
    table = load_synonyms()
    (pa, na), (pb, nb) = table.split_place(a), table.split_place(b)
    if not na or not table.same("department", na, nb):
        return False
    generic = {"", "区", "县"}
    return pa == pb or pa in generic or pb in generic


def department_variants(names: list[str]) -> list[str]:
    """Ways an agent may name these departments in speech: the names, their synonyms, and their stems of
    three characters or more (人社局 / 人社部门 / 人力资源和社会保障局 …)."""
    table = load_synonyms()
    out: list[str] = []
    for name in names:
        _, core = table.split_place(name)
        words = [clean(name), *table.group_of("department", core)]
        out += words + [s for s in (table.stem(w) for w in words) if len(s) >= 3]
    return list(dict.fromkeys(w for w in out if w))


def _name(got: str, want: str, _: StandardOrder) -> tuple[bool, str]:
    g, w = _HONORIFIC.sub("", clean(got)), _HONORIFIC.sub("", clean(want))
    if not g:
        return False, ""
    if g[0] != w[0]:
        return False, ""
    return (True, "") if len(g) == 1 or g == w else (False, "姓对了，名字与市民所说不一致")


def _phone(got: str, want: str, _: StandardOrder) -> tuple[bool, str]:
    return bool(got) and normalize_phone(got) == normalize_phone(want), ""


def _address(got: str, want: str, _: StandardOrder) -> tuple[bool, str]:
    return near_equal(address_key(got), address_key(want), ADDRESS_SIMILARITY), ""


def _event_time(got: str, want: str, _: StandardOrder) -> tuple[bool, str]:
    return near_equal(digits(clean(got)), digits(clean(want)), TIME_SIMILARITY), ""


def _deadline(got: str, want: str, _: StandardOrder) -> tuple[bool, str]:
    g, w = read_limit(got), read_limit(want)
    if got and g is None:
        return False, "请写成“N 个工作日内”或“N 小时内”"
    return g is not None and g == w, ""


_CHECKS = {
    "caller_name": _name, "phone": _phone, "address": _address, "event_time": _event_time,
    "request_type": _same_text("request_type"), "category": _category, "department": _department,
    "urgency": _urgency, "deadline": _deadline, "invalid_reason": _same_text("invalid_reason"),
}


def digits(text: str) -> str:
    """Chinese numerals as digits, character by character (三号楼 → 3号楼, 十 stays)."""
    return "".join(_CN_DIGITS.get(ch, ch) for ch in text)


def address_key(text: str) -> str:
    """An address for comparison: no spaces, punctuation or quotes, digits for numerals, 号楼/幢 as 栋."""
    return _UNITS.sub("栋", digits(clean(text)))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def near_equal(a: str, b: str, threshold: float) -> bool:
    """One contains the other, or their character pairs overlap (Dice coefficient) at least ``threshold``."""
    if not a or not b:
        return False
    if (a in b or b in a) and min(len(a), len(b)) >= 4:
        return True
    x, y = _bigrams(a), _bigrams(b)
    return bool(x and y) and 2 * len(x & y) / (len(x) + len(y)) >= threshold


def read_limit(text: str) -> tuple[float, str] | None:
    """A deadline as (amount, unit): “5个工作日内” → (5, 工作日), “24小时内” → (24, 小时), “1天” → (24, 小时)."""
    m = _LIMIT.search(clean(text))
    if m is None:
        return None
    amount = _number(m.group(1))
    if amount is None:
        return None
    unit = m.group(2)
    if unit in ("天", "日"):
        return amount * 24, "小时"
    return amount, unit


def _number(text: str) -> float | None:
    if re.fullmatch(r"[0-9.]+", text):
        return float(text)
    if text == "半":
        return 0.5
    value = digits(text)
    if "十" in value:
        tens, _, ones = value.partition("十")
        return float((int(tens) if tens.isdigit() else 1) * 10 + (int(ones) if ones.isdigit() else 0))
    return float(value) if value.isdigit() else None
