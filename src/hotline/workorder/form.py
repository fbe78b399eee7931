"""The 工单 form (web drill page, terminal trainer): its choices from the 工单 data, the system's suggestion
per field, and validation with a Chinese message per field. Nothing here is hard-coded: request types,
urgency levels, reasons, the category tree and the time limits all come from ``data/workorder``."""

from __future__ import annotations

import re
from typing import Any

from hotline.model import Call

FIELDS = ("caller_name", "phone", "address", "event_time", "request_type", "invalid_reason", "category",
          "urgency", "department", "deadline", "summary")
LABELS = {
    "caller_name": "市民姓名", "phone": "联系电话", "address": "地址", "event_time": "事发时间",
    "request_type": "诉求类型", "invalid_reason": "无效原因", "category": "事项分类", "urgency": "紧急程度",
    "department": "承办部门", "deadline": "办理时限", "summary": "诉求摘要",
}
INVALID = "无效"
MAX_LEN = {"caller_name": 40, "address": 200, "event_time": 100, "department": 100, "summary": 1000}
_DATE = re.compile(r"^\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?(\s*\d{1,2}[:：时点]\d{0,2}分?)?$")


def request_types() -> list[str]:
    from hotline.workorder.schema import load_request_types

    names = load_request_types().names()
    return [*names, INVALID] if INVALID not in names else names


def urgencies() -> list[str]:
    from hotline.workorder.schema import load_urgency

    return list(load_urgency().levels)


def invalid_reasons() -> list[str]:
    from hotline.workorder.schema import load_request_types

    return list(load_request_types().invalid_reasons)


def category_tree() -> list[dict[str, Any]]:
    """The taxonomy as nested ``{"name", "children"}``, as deep as the data goes (the cascading select)."""
    from hotline.workorder.schema import load_taxonomy

    def walk(nodes: list[Any]) -> list[dict[str, Any]]:
        return [{"name": n.name, "children": walk(n.child_nodes())} for n in nodes]

    return walk(load_taxonomy().categories)


def category_paths() -> list[str]:
    """Every category path, parents before children (``城乡建设 › 物业管理``): offered as one types a path."""
    out: list[str] = []

    def walk(nodes: list[dict[str, Any]], prefix: list[str]) -> None:
        for n in nodes:
            out.append(" › ".join([*prefix, n["name"]]))
            walk(n["children"], [*prefix, n["name"]])

    walk(category_tree(), [])
    return out


def deadlines() -> list[str]:
    """The time limits the routing table can give, shortest first (“2 小时内” … “15 个工作日内”)."""
    from hotline.workorder.expected import read_limit
    from hotline.workorder.routing import describe_limit
    from hotline.workorder.schema import load_routing

    found = {describe_limit(rule) for rule in load_routing().time_limits}

    def hours(text: str) -> float:
        limit = read_limit(text)
        return 0.0 if limit is None else limit[0] * (24 if limit[1] == "工作日" else 1)

    return sorted(found, key=hours)


def choices() -> dict[str, Any]:
    """Everything the form offers, for a template or a prompt."""
    tree = category_tree()
    return {"request_types": request_types(), "urgencies": urgencies(), "invalid_reasons": invalid_reasons(),
            "category_tree": tree, "category_depth": depth(tree), "deadlines": deadlines()}


def depth(tree: list[dict[str, Any]]) -> int:
    """How many levels the category tree has (the number of cascading selects)."""
    return 1 + max((depth(n["children"]) for n in tree if n["children"]), default=0) if tree else 0


def resolve_category(path: list[str]) -> tuple[list[str], str]:
    """A written category path as the taxonomy's names (a synonym at any level is accepted), or an error."""
    from hotline.workorder.schema import load_taxonomy
    from hotline.workorder.synonyms import load_synonyms

    table = load_synonyms()
    nodes = load_taxonomy().categories
    out: list[str] = []
    for depth, name in enumerate(path, 1):
        node = next((n for n in nodes if n.name == name), None) or next(
            (n for n in nodes if table.same("category", n.name, name)), None)
        if node is None:
            where = "一级分类" if depth == 1 else f"「{out[-1]}」下的{depth}级分类"
            return out, f"事项分类「{' › '.join(path)}」中的「{name}」不是{where}"
        out.append(node.name)
        nodes = node.child_nodes()
    return out, ""


def split_category(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[›>＞/／]", text or "") if p.strip()]


def validate_form(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The order as a dict ``work_order_from_dict`` takes, and an error message per bad field (empty: valid).

    Fields left empty are not errors here: the engine judges what a 工单 lacks (workorder.required_fields.v1)."""
    from hotline.workorder.expected import read_limit
    from hotline.workorder.numbers import normalize_phone

    order: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in FIELDS:
        raw = values.get(name, "")
        value = raw if isinstance(raw, list) else str(raw or "").strip()
        if isinstance(value, str) and len(value) > MAX_LEN.get(name, 100):
            errors[name] = f"{LABELS[name]}太长（最多 {MAX_LEN.get(name, 100)} 字）"
        order[name] = value
    types, levels, reasons = request_types(), urgencies(), invalid_reasons()
    if order["request_type"] and order["request_type"] not in types:
        errors["request_type"] = f"诉求类型只能选：{'、'.join(types)}（收到「{order['request_type']}」）"
    order["urgency"] = order["urgency"] or levels[0]
    if order["urgency"] not in levels:
        errors["urgency"] = f"紧急程度只能选：{'、'.join(levels)}（收到「{order['urgency']}」）"
    if order["request_type"] == INVALID and order["invalid_reason"] not in reasons:
        errors["invalid_reason"] = f"无效来电要选择无效原因：{'、'.join(reasons)}"
    elif order["request_type"] != INVALID and order["invalid_reason"]:
        errors["invalid_reason"] = "只有诉求类型为“无效”时才填写无效原因"
    path = order["category"] if isinstance(order["category"], list) else split_category(order["category"])
    order["category"], problem = resolve_category(path) if path else ([], "")
    if problem:
        errors["category"] = problem
    phone = normalize_phone(order["phone"]) if order["phone"] else ""
    if order["phone"] and not _phone_ok(phone):
        errors["phone"] = f"联系电话应为 11 位手机号或带区号的固定电话（收到「{order['phone']}」）"
    if order["deadline"] and read_limit(order["deadline"]) is None and not _DATE.match(order["deadline"]):
        errors["deadline"] = f"办理时限写成“5 个工作日内”“24 小时内”或具体日期（收到「{order['deadline']}」）"
    return order, errors


def _phone_ok(digits: str) -> bool:
    if len(digits) == 11 and digits.startswith("1"):
        return True
    return 7 <= len(digits) <= 8 or (digits.startswith("0") and 10 <= len(digits) <= 12)


def suggest(call: Call) -> dict[str, str]:
    """The system's suggestion for every field, from the extraction and classification of ``hotline.workorder``."""
    from hotline.workorder.order import extract_order

    order = extract_order(call)
    return {
        "caller_name": order.caller_name, "phone": order.phone, "address": order.address.full(),
        "event_time": order.event_time, "summary": order.summary, "request_type": order.request_type,
        "category": " › ".join(order.category), "urgency": order.urgency, "department": order.department,
        "invalid_reason": order.invalid_reason, "deadline": str(order.meta.get("time_limit", "")),
    }
