"""A reference (model) answer for a scenario, built from its facts and the answer templates."""

from __future__ import annotations

from hotline.simulate.schema import PersonaDefaults, Scenario, Slot

SLOT_ORDER = ("event", "address", "time", "name", "phone", "request")
RESTATE_FORMS = {"event": "{v}", "address": "地点在{v}", "time": "时间是{v}", "name": "您是{v}",
                 "phone": "电话{v}", "request": "您的诉求是{v}"}
APOLOGY_RULE = "empathy.apology.v1"


def model_answer(scenario: Scenario, defaults: PersonaDefaults) -> list[str]:
    """Trainee lines that handle the call by the book: greet, calm, ask every fact, restate, next step, close."""
    if scenario.model_answer:
        return list(scenario.model_answer)
    t = defaults.answer
    lines = [t.greeting]
    upset = scenario.mood.anger >= 0.4 or scenario.mood.anxiety >= 0.5
    calm = (t.apology if APOLOGY_RULE in scenario.norms else "") + (t.empathy if upset else "")
    asks = [s.example for _, s in _ordered(scenario) if not s.volunteered and not s.hidden and s.example]
    if asks and calm:
        asks[0] = f"{calm}{asks[0]}"
    elif calm:
        lines.append(calm)
    lines += asks
    lines.append(t.restate.replace("{facts}", restated_facts(scenario)))
    lines.append(t.next_step.replace("{department}", scenario.expected_order.department))
    lines.append(t.anything_else)  # a hidden concern comes out here once the caller trusts the agent
    lines.append(t.goodbye)
    return lines


def _ordered(scenario: Scenario) -> list[tuple[str, Slot]]:
    keys = [k for k in SLOT_ORDER if k in scenario.slots]
    keys += [k for k in scenario.slots if k not in keys]
    return [(k, scenario.slots[k]) for k in keys]


def restated_facts(scenario: Scenario) -> str:
    """The facts as an agent would restate them: values in plain words, not form labels (“地址是…”)."""
    parts = []
    for key, slot in _ordered(scenario):
        if not slot.hidden:
            parts.append(RESTATE_FORMS.get(key, slot.label + "{v}").replace("{v}", slot.value))
    return "，".join(parts)


def model_order(scenario: Scenario) -> dict[str, object]:
    """The 工单 a model answer writes: the standard order with the caller's facts and a plain summary."""
    from hotline.simulate.goals import standard_order

    o = standard_order(scenario)
    slots = scenario.slots
    told = [slots[k].value for k in ("event", "request") if k in slots]
    summary = "；".join(told) or scenario.summary
    return {"caller_name": o.caller_name, "phone": o.phone, "address": o.address, "event_time": o.event_time,
            "request_type": o.request_type, "category": list(o.category), "department": o.department,
            "urgency": o.urgency, "deadline": o.deadline, "invalid_reason": o.invalid_reason, "summary": summary}
