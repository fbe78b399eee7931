"""A reference (model) answer for a scenario, built from its facts and the answer templates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotline.simulate.schema import PersonaDefaults, Scenario, Slot

if TYPE_CHECKING:
    from hotline.simulate.debrief import Debrief
    from hotline.simulate.library import ScenarioLibrary
    from hotline.simulate.reading import Engine

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
    # an upset caller who has just stated their demand is answered with empathy again before the restatement
    again = "我理解您的心情，" if upset and "request" in scenario.slots else ""
    lines.append(again + t.restate.replace("{facts}", restated_facts(scenario)))
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


# Scripts that must never pass, to hold the scoring to what the call achieved: a trainee who greets and says
# goodbye, one who hangs up after the first answer, and a rude one. Each ends by ending the call.
DO_NOTHING = ("您好，12345政务服务便民热线，108号为您服务，请问有什么可以帮您？", "好的，感谢您的来电，再见！")
HANG_UP_EARLY = ("您好，12345政务服务便民热线，108号为您服务，请问有什么可以帮您？",)
RUDE = ("喂，说吧", "你快点讲，我很忙", "这事不归我们管，你自己去找", "你问我我问谁", "你爱找谁找谁", "你有完没完")


def scripts(scenario: Scenario, defaults: PersonaDefaults) -> dict[str, tuple[list[str], dict[str, object] | None]]:
    """The four trainee scripts of the drill score table, with the 工单 each writes (None: none)."""
    return {
        "do_nothing": (list(DO_NOTHING), None),
        "hang_up_early": (list(HANG_UP_EARLY), None),
        "rude": (list(RUDE), None),
        "model_answer": (model_answer(scenario, defaults), model_order(scenario)),
    }


def play_script(scenario_id: str, script: str, *, library: ScenarioLibrary, engine: Engine, reader: Engine,
                seed: int = 7) -> Debrief:
    """Play one of the four scripts through a drill (until the script or the call ends), end the call, hand in its
    工单 and return the debrief: the drill score table (tests, ``scripts/drill_scores.py``)."""
    from hotline.simulate.session import DrillSession

    lines, order = scripts(library.get(scenario_id), library.defaults)[script]
    s = DrillSession.start(scenario_id, seed=seed, library=library, engine=engine, reader=reader)
    for line in lines:
        if s.ended:
            break
        s.say(line)
    s.end()
    if order is not None:
        s.submit_order(order)
    return s.debrief()
