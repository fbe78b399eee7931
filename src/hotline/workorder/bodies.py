"""Departments by kind (城管局 = 城市管理局 = 综合行政执法局; data: routing.yaml ``bodies``): whether a
department is plausible for a category and district, and which department the agent said the call
is passed to (转给云溪区综合行政执法局, 一键转接110)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.model import Call
from hotline.workorder.routing import find_route
from hotline.workorder.schema import RoutingTable, load_routing

_CJK = "\u4e00-\u9fff"
# a district named at the start of a body's name: 云溪区城市管理局, 高新区住房保障中心
_LEADING_DISTRICT = re.compile(f"^([{_CJK}]{{1,5}}?(?:新区|区|县|旗))(?=[{_CJK}])")
_NOT_DISTRICT = ("属地区", "社区", "小区", "辖区", "本区", "各区", "该区", "园区", "城区", "市区", "景区", "郊区")


def kinds(name: str, table: RoutingTable | None = None) -> set[str]:
    """The kinds of body a department name belongs to (empty when none is recognised)."""
    table = table or load_routing()
    return {b.kind for b in table.bodies if any(n in name for n in b.names)}


def same_kind(a: str, b: str, table: RoutingTable | None = None) -> bool:
    """Whether two department names are the same kind of body, whatever their level or wording."""
    ka, kb = kinds(a, table), kinds(b, table)
    if ka and kb:
        return bool(ka & kb)
    core_a, core_b = _core(a), _core(b)
    return bool(core_a and core_b) and (core_a in core_b or core_b in core_a)


def _core(name: str) -> str:
    return re.sub(r"^(市|省|区|县)", "", _LEADING_DISTRICT.sub("", name.replace(" ", "")))


def district_of(department: str) -> str:
    """The district a department's name begins with (云溪区城市管理局 → 云溪区), or ""."""
    m = _LEADING_DISTRICT.match(department.replace(" ", ""))
    if not m or m.group(1) in _NOT_DISTRICT or m.group(1).endswith(_NOT_DISTRICT):
        return ""
    return m.group(1)


def names_its_place(name: str, table: RoutingTable | None = None) -> bool:
    """市交通运输局, 云溪区民政局, 岚川燃气公司 say whose body it is; 环保局, 燃气公司抢修中心 do not."""
    table = table or load_routing()
    if name.startswith(("市", "省")) or district_of(name):
        return True
    first = min((name.find(n) for b in table.bodies for n in b.names if n in name), default=0)
    return first >= 2


def _city_level(name: str) -> bool:
    """市燃气集团 names the city's body; 市场监督管理局 (without a level) does not."""
    return name.startswith("市") and not name.startswith("市场")


@dataclass(frozen=True, slots=True)
class Plausibility:
    ok: bool
    reason: str = ""
    expected: tuple[str, ...] = ()


def plausible(department: str, category: list[str], district: str = "",
              table: RoutingTable | None = None) -> Plausibility:
    """Whether ``department`` can handle ``category`` in ``district``: the same kind of body as one the
    routing table names for it, at a level the table allows (a district office only where the route
    has ``{district}``), and in the order's district."""
    table = table or load_routing()
    route = find_route(category, district, table)
    if route is None or not department.strip():
        return Plausibility(True)
    names = route.candidates()
    expected = tuple(n.format(district=district) if district else n.replace("{district}", "区") for n in names)
    matching = [n for n in names if same_kind(department, n.replace("{district}", ""), table)]
    if not matching:
        return Plausibility(False, "该部门不承办这类事项", expected)
    named = district_of(department)
    if named and not any("{district}" in n or district_of(n) or not _city_level(n) for n in matching):
        return Plausibility(False, "这类事项由市级部门（或专营单位）承办，不分区县", expected)
    if named and district and named != district:
        return Plausibility(False, f"事发地在{district}，部门却是{named}的", expected)
    return Plausibility(True, "", expected)


_TRANSFER = re.compile("转办|转交|转接|转|派给|派到|派单给|交给|交由|移交|抄送|推送给|通知")
_FILLERS = ("交给", "办给", "办到", "接到", "给", "到", "交", "接", "至")  # longest first
_SUFFIX = "委员会|办事处|管理处|管理站|服务中心|大队|支队|分局|集团|公司|办公室|法院|中心|局|委|站|所|处"
_UNIT = f"[{_CJK}A-Za-z0-9·]{{1,16}}?(?:{_SUFFIX})"
_BODY = re.compile(f"{_UNIT}(?:(?![和及与或并]){_UNIT})?(?:[（(][^）)]{{1,14}}[）)])?")
_LINE = re.compile(r"(?:给您|帮您)?(110|119|120|122)(?!\d)")
_GENERIC = ("相关", "有关", "职能", "承办", "责任", "对应", "主管", "这个", "那个", "他们", "你们", "我们")


@dataclass(frozen=True, slots=True)
class NamedDepartment:
    value: str
    turn_index: int
    span: tuple[int, int]
    line: bool = False  # an emergency line (110/119/120/122) the call was put through to


def named_departments(call: Call, table: RoutingTable | None = None) -> list[NamedDepartment]:
    """Departments the agent says the matter is passed to, in the order said."""
    table = table or load_routing()
    out: list[NamedDepartment] = []
    for i in call.agent_turn_indexes():
        text = call.turns[i].text
        for m in _TRANSFER.finditer(text):
            starts = [m.end(), m.start() + 1] if len(m.group(0)) > 1 else [m.end()]  # 转交通运输局
            found = next((f for f in (_body_after(text, p, table) for p in starts) if f), None)
            if found and not any(o.turn_index == i and o.span == found[1] for o in out):
                out.append(NamedDepartment(found[0], i, found[1], found[0] in table.emergency_lines.values()))
    return out


def _body_after(text: str, pos: int, table: RoutingTable) -> tuple[str, tuple[int, int]] | None:
    offsets = [*(pos + len(f) for f in _FILLERS if text.startswith(f, pos)), pos]
    for off in offsets:
        line = _LINE.match(text, off)
        if line and line.group(1) in table.emergency_lines:
            return table.emergency_lines[line.group(1)], (line.start(1), line.end(1))
        body = _BODY.match(text, off)
        if body and not body.group(0).startswith(_GENERIC) and kinds(body.group(0), table):
            return body.group(0), body.span()
    return None
