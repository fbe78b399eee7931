"""The goal rules: what a call achieved against its goals (``hotline.norms.goals``). The rulebook declares
them as Python rules with ``needs: goals``; the engine calls them with ``(call, goals, work_order)`` and
None means the call has no such goal (N/A). A goal that was not met is a finding, never N/A."""

from __future__ import annotations

from hotline.inspect.python_rules import Evidence
from hotline.model import Call, Speaker, WorkOrder
from hotline.norms.goals import CallGoals, FactGoal

FACT_SIMILARITY = 0.6


def facts(call: Call, goals: CallGoals, order: WorkOrder | None = None) -> list[Evidence] | None:
    """Each fact of the case the citizen never told (the agent did not ask for it before the call ended)."""
    if not goals.facts:
        return None
    heard = [_clean(t.text) for t in call.turns if t.speaker is Speaker.CITIZEN]
    return [Evidence(None, None, f"未问到：{f.label}", f"通话结束时还没有问到：{f.label}")
            for f in goals.facts if not collected(f, heard)]


def collected(fact: FactGoal, heard: list[str]) -> bool:
    """The citizen said the fact: one of its wordings, or words close to its value, in one turn."""
    from hotline.workorder.expected import near_equal

    wordings = [w for w in (_clean(x) for x in fact.said) if w]
    value = _clean(fact.value)
    for text in heard:
        if any(w in text for w in wordings) or (value and value in text):
            return True
        if value and near_equal(_overlap_window(text, value), value, FACT_SIMILARITY):
            return True
    return False


def _overlap_window(text: str, value: str) -> str:
    """The stretch of ``text`` about as long as ``value`` that shares most character pairs with it."""
    if len(text) <= len(value):
        return text
    pairs = {value[i : i + 2] for i in range(len(value) - 1)}
    best, best_n = text[: len(value)], -1
    for start in range(0, len(text) - len(value) + 1):
        piece = text[start : start + len(value)]
        n = sum(piece[i : i + 2] in pairs for i in range(len(piece) - 1))
        if n > best_n:
            best, best_n = piece, n
    return best


def department(call: Call, goals: CallGoals, order: WorkOrder | None = None) -> list[Evidence] | None:
    """The agent never named the department that will handle the matter (nor a synonym of it)."""
    if not goals.department:
        return None
    from hotline.workorder.expected import department_variants

    variants = department_variants(goals.department)
    agent = [i for i, t in enumerate(call.turns) if t.speaker is Speaker.AGENT]
    if any(v in _clean(call.turns[i].text) for i in agent for v in variants):
        return []
    last = agent[-1] if agent else None
    return [Evidence(last, None, "通话中没有说明承办部门", "没有告诉市民由哪个部门承办")]


def order(call: Call, goals: CallGoals, work_order: WorkOrder | None = None) -> list[Evidence] | None:
    """The 工单 against the standard one, field by field; no 工单 at all fails every field."""
    if goals.order is None:
        return None
    from hotline.workorder.expected import compare_order

    written = work_order if work_order is not None else WorkOrder(urgency="")
    head = "没有提交工单：" if work_order is None else "工单"
    return [Evidence(None, None, f"工单「{c.label}」：{c.submitted or '未填写'}", f"{head}「{c.label}」{c.note}")
            for c in compare_order(written, goals.order) if not c.ok]


def _clean(text: str) -> str:
    from hotline.workorder.synonyms import clean

    return clean(text)
