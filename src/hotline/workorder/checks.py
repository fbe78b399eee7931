"""Checking a written 工单 against its call. The rulebook declares these as Python rules
(``workorder.*.v1``); the engine calls them with ``(call, order)`` and turns each ``Evidence``
into a Finding of the 工单 dimension. An empty list means the order passed."""

from __future__ import annotations

from collections import OrderedDict

from hotline.inspect.python_rules import Evidence
from hotline.model import Call, Finding, WorkOrder
from hotline.workorder.bodies import named_departments, plausible, same_kind
from hotline.workorder.compare import address_conflicts, name_conflict, time_conflict
from hotline.workorder.numbers import normalize_id, normalize_phone
from hotline.workorder.order import Extraction, extract
from hotline.workorder.request_type import INVALID
from hotline.workorder.schema import load_checks, load_request_types, load_summary_lexicon, load_urgency

FIELD_LABELS = {
    "caller_name": "来电人姓名", "phone": "联系电话", "id_number": "身份证号", "address": "地址",
    "event_time": "事发时间", "summary": "工单摘要", "request_type": "诉求类型", "invalid_reason": "无效原因",
    "category": "事项分类", "urgency": "紧急程度", "department": "承办部门", "deadline": "办理时限",
}
_cache: OrderedDict[tuple[object, ...], Extraction] = OrderedDict()


def _extraction(call: Call) -> Extraction:
    """Extraction of ``call``, shared by the five checks of one inspection."""
    key = (call.id, tuple((t.speaker, t.text) for t in call.turns), str(call.meta.get("date", "")))
    if key not in _cache:
        _cache[key] = extract(call)
        while len(_cache) > 64:
            _cache.popitem(last=False)
    return _cache[key]


def _filled(order: WorkOrder, name: str) -> bool:
    if name == "address":
        a = order.address
        return bool(a.district or a.street or a.detail)
    value = getattr(order, name)
    return bool(value) if isinstance(value, list) else bool(str(value).strip())


def required_fields(call: Call, order: WorkOrder) -> list[Evidence]:
    """Fields the order must carry for its request type (checks.yaml); says where the caller gave them."""
    ext = _extraction(call)
    out = []
    for name in load_checks().required_for(order.request_type or "default"):
        if name not in FIELD_LABELS or _filled(order, name):
            continue
        label, fact = FIELD_LABELS[name], ext.chosen(name)
        said = f"；通话中市民已说明「{fact.said}」" if fact else ""
        out.append(Evidence(fact.turn_index if fact else None, fact.span if fact else None,
                            f"工单「{label}」为空{said}", f"工单缺少必填要素：{label}"))
    reasons = load_request_types().invalid_reasons
    if order.request_type == INVALID and order.invalid_reason and order.invalid_reason not in reasons:
        out.append(Evidence(None, None, f"无效原因「{order.invalid_reason}」",
                            f"无效原因应为 {'/'.join(reasons)} 之一"))
    return out


def contradictions(call: Call, order: WorkOrder) -> list[Evidence]:
    """Phone, ID number, name, address and time in the order that differ from what was said."""
    ext = _extraction(call)
    out: list[Evidence] = []
    for name, norm in (("phone", normalize_phone), ("id_number", normalize_id)):
        fact = ext.chosen(name)
        written = norm(getattr(order, name))
        if fact and written and written != fact.value:
            label = FIELD_LABELS[name]
            out.append(Evidence(fact.turn_index, fact.span, f"工单{label} {written} ≠ 通话中 {fact.value}（「{fact.said}」）",
                                f"工单{label}与通话不一致"))
    checks = ((name_conflict, "caller_name"), (time_conflict, "event_time"))
    for conflict, name in checks:
        fact = ext.chosen(name)
        problem = conflict(order, fact, call) if fact else None
        if fact and problem:
            out.append(Evidence(fact.turn_index, fact.span, problem, f"工单{FIELD_LABELS[name]}与通话不一致"))
    addr = ext.chosen("address")
    if addr is not None:
        for problem in address_conflicts(order.address, addr):
            out.append(Evidence(addr.turn_index, addr.span, problem, "工单地址与通话不一致"))
    return out


def downgrade(call: Call, order: WorkOrder) -> list[Evidence]:
    """A complaint or report (or any request) recorded as a lighter type, e.g. 投诉 → 咨询."""
    ext = _extraction(call)
    pred, types = ext.request_type, load_request_types()
    if not order.request_type or pred.label == INVALID or pred.confidence < load_checks().downgrade_min_confidence:
        return []
    if types.rank(pred.label) <= types.rank(order.request_type):
        return []
    said_hits = [h for h in pred.evidence if isinstance(h.get("turn_index"), int) and h.get("span")]
    cue = max(said_hits, key=lambda h: float(h["weight"]), default=None)
    turn = cue["turn_index"] if cue else None
    span = tuple(cue["span"]) if cue else None
    said = _quote(call.turns[turn].text, span) if isinstance(turn, int) and span else ""
    why = "、".join(dict.fromkeys(str(h["cue"]) for h in pred.evidence[:3]))
    evidence = f"工单诉求类型「{order.request_type}」；通话中市民：「{said}」（{pred.label}：{why}）"
    return [Evidence(turn if isinstance(turn, int) else None, span,  # type: ignore[arg-type]
                     evidence, f"{pred.label}被登记为{order.request_type}（诉求类型降级）")]


def summary_quality(call: Call, order: WorkOrder) -> list[Evidence]:
    """Opinion or emotion words the caller never said, or a summary that drops the caller's request."""
    if not order.summary.strip():
        return []
    lex = load_summary_lexicon()
    citizen = "".join(call.turns[i].text for i in call.citizen_turn_indexes())
    out = [Evidence(None, None, f"摘要：「{_around(order.summary, w)}」", f"工单摘要含情绪描写或主观评价「{w}」")
           for w in lex.always if w in order.summary]
    out += [Evidence(None, None, f"摘要：「{_around(order.summary, w)}」；市民未说过「{w}」",
                     f"工单摘要加入了坐席的评价「{w}」") for w in lex.unless_said if w in order.summary and w not in citizen]
    missing = _dropped_request(order.summary, _extraction(call), lex.request_markers)
    if missing is not None:
        out.append(missing)
    return out


def _quote(text: str, span: tuple[int, ...], width: int = 12) -> str:
    a, b = span[0], span[1]
    return ("…" if a > width else "") + text[max(0, a - width) : b + width] + ("…" if b + width < len(text) else "")


def _around(text: str, word: str, width: int = 10) -> str:
    pos = text.find(word)
    return text[max(0, pos - width) : pos + len(word) + width]


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def _dropped_request(summary: str, ext: Extraction, markers: list[str]) -> Evidence | None:
    asks = [s for s in ext.request if len(s.text) >= 8]  # 那就麻烦你们了 is politeness, not a request
    if not asks or any(m in summary for m in markers):
        return None
    best = max(asks, key=lambda s: len(_bigrams(s.text) & _bigrams(summary)) / max(1, len(_bigrams(s.text))))
    overlap = len(_bigrams(best.text) & _bigrams(summary)) / max(1, len(_bigrams(best.text)))
    if overlap >= load_checks().request_overlap_min:
        return None
    return Evidence(best.turn_index, (best.start, best.end), f"市民诉求「{best.text}」；摘要：「{summary[:40]}」",
                    "工单摘要漏掉了市民的诉求")


def routing(call: Call, order: WorkOrder) -> list[Evidence]:
    """The department must be a body that handles the order's category, at a level the routing table
    allows, in the order's district (district and city bodies both where the table says so). When the
    agent named the department in the call, the finding points there."""
    if not order.category or not order.department.strip():
        return []
    district = order.address.district
    if not district and order.address.detail:  # an address typed into one box: split it first
        from hotline.workorder.extract import parse_address

        district = parse_address(order.address.full(), call).district
    verdict = plausible(order.department, order.category, district)
    if verdict.ok:
        return []
    said = next((d for d in named_departments(call) if same_kind(d.value, order.department)), None)
    path = "›".join(order.category)
    expected = "或".join(dict.fromkeys(verdict.expected))
    where = f"；通话中坐席说转「{said.value}」" if said else ""
    return [Evidence(said.turn_index if said else None, said.span if said else None,
                     f"工单承办部门「{order.department}」，事项分类「{path}」（{verdict.reason}）{where}",
                     f"承办部门与事项分类不符，应为{expected}")]


def urgency(call: Call, order: WorkOrder) -> list[Evidence]:
    """Urgency recorded lower than what the caller described (燃气味、有人晕倒 → 非常紧急)."""
    levels = load_urgency().levels
    ext = _extraction(call)
    if order.request_type == INVALID or order.urgency not in levels or not ext.urgency_hits:
        return []
    top = max(ext.urgency_hits, key=lambda h: levels.index(h.level))
    if levels.index(order.urgency) >= levels.index(top.level):
        return []
    said = call.turns[top.turn_index].text if top.turn_index is not None else ""
    return [Evidence(top.turn_index, top.span, f"工单紧急程度「{order.urgency}」；通话中市民：「{_quote(said, top.span)}」"
                     f"（{top.label}）", f"紧急程度低于通话所述，应为{top.level}")]


def category(call: Call, order: WorkOrder) -> list[Evidence]:
    """The first-level category contradicts the order's own summary (and what the caller said)."""
    if order.request_type == INVALID or not order.category or len(order.summary.strip()) < 6:
        return []
    from hotline.workorder.classify import default_classifier

    clf = default_classifier(semantic=False)
    if clf.taxonomy.find(order.category[:1]) is None:
        return [Evidence(None, None, f"工单事项分类「{'›'.join(order.category)}」",
                         f"事项分类「{order.category[0]}」不在分类目录中")]
    probs = clf.probabilities(order.summary)
    best = max(probs, key=lambda k: probs[k])
    settings = load_checks()
    if best == order.category[0] or probs[best] < settings.category_min_confidence \
            or probs.get(order.category[0], 0.0) > settings.category_max_written:
        return []
    pred = clf.predict(order.summary, depth=1)
    words = "、".join(str(e["keyword"]) for e in pred.evidence[:3])
    ext = _extraction(call)
    heard = ext.category.label if ext.category else ""
    cue = next((e for e in (ext.category.evidence if ext.category and heard == best else [])
                if e.get("turn_index") is not None), None)
    turn = cue["turn_index"] if cue else None
    span = _find(call, turn, str(cue["keyword"])) if cue else None
    also = f"；通话中市民也说到「{cue['keyword']}」" if cue else ""
    return [Evidence(turn, span, f"工单事项分类「{order.category[0]}」；摘要提到「{words}」{also}",
                     f"事项分类与摘要不符，更像「{best}」")]


def _find(call: Call, turn: int | None, word: str) -> tuple[int, int] | None:
    if turn is None:
        return None
    pos = call.turns[turn].text.find(word)
    return (pos, pos + len(word)) if pos >= 0 else None


def check_order(order: WorkOrder, call: Call) -> list[Finding]:
    """The 工单 findings of inspecting ``call`` together with ``order``."""
    from hotline.inspect import default_engine

    card = default_engine().inspect(call, work_order=order)
    return [f for f in card.findings if f.dimension == "工单" or f.rule_id.startswith("workorder.")]
