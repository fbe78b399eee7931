"""A scenario's goals as the engine reads them (``hotline.norms.goals.CallGoals``): the facts to collect,
an answer, the department and time limit to tell, and the standard 工单 with the caller's facts in it."""

from __future__ import annotations

from hotline.norms.goals import CallGoals, FactGoal, StandardOrder
from hotline.simulate.schema import Scenario

ANSWERED_KINDS = ("normal", "elderly", "transfer", "wrong_number")
DEPARTMENT_KINDS = ("normal", "elderly", "transfer")
TIME_LIMIT_TYPES = ("投诉", "举报", "求助")
ORDER_FIELDS = {"caller_name": "name", "phone": "phone", "address": "address", "event_time": "time"}


def scenario_goals(sc: Scenario) -> CallGoals:
    g = sc.goals
    o = sc.expected_order
    keys = g.facts if g.facts is not None else [k for k, s in sc.slots.items() if not s.hidden]
    facts = [FactGoal(key=k, label=sc.slots[k].label, value=sc.slots[k].value, said=list(sc.slots[k].lines))
             for k in keys]
    answer = g.answer if g.answer is not None else sc.kind in ANSWERED_KINDS
    department = g.department if g.department is not None else bool(o.department) and sc.kind in DEPARTMENT_KINDS
    time_limit = g.time_limit if g.time_limit is not None else (
        sc.kind in ("normal", "elderly") and o.request_type in TIME_LIMIT_TYPES)
    special = sc.kind if sc.kind in ("silent", "abusive") else None
    protocol = special if (g.protocol if g.protocol is not None else True) else None
    return CallGoals(facts=facts, answer=answer, department=[o.department, *o.department_aliases] if department else [],
                     time_limit=time_limit, order=standard_order(sc) if g.order else None, protocol=protocol)


def standard_order(sc: Scenario) -> StandardOrder:
    """The scenario's expected 工单 with the fields its request type requires (``checks.yaml``): the caller's
    facts from the slots and the deadline from the routing table unless the scenario gives one."""
    from hotline.workorder.schema import load_checks

    o = sc.expected_order
    required = set(load_checks().required_for(o.request_type or "default"))
    values = {field: sc.slots[slot].value for field, slot in ORDER_FIELDS.items()
              if field in required and slot in sc.slots}
    deadline = sc.goals.deadline if sc.goals.deadline is not None else default_deadline(sc)
    return StandardOrder(
        request_type=o.request_type, category=list(o.category) if "category" in required else [],
        department=o.department if "department" in required else "",
        department_aliases=list(o.department_aliases) if "department" in required else [],
        urgency=o.urgency, invalid_reason=o.invalid_reason,
        deadline=deadline if "deadline" in required else "", **values,
    )


def default_deadline(sc: Scenario) -> str:
    """The handling time limit the routing table gives for the expected order (empty for an invalid call)."""
    from hotline.workorder.routing import describe_limit, time_limit

    o = sc.expected_order
    if o.request_type == "无效":
        return ""
    return describe_limit(time_limit(o.request_type, o.urgency, list(o.category)))
