"""A proposed work order for a call: extracted fields, request type, category, urgency, department
and deadline, with the evidence for each (turn and span)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hotline.model import Call, Speaker, WorkOrder
from hotline.workorder import routing
from hotline.workorder.bodies import named_departments, names_its_place, plausible, same_kind
from hotline.workorder.classify import classify_category
from hotline.workorder.extract import Fact, call_time, find_addresses, find_names, find_numbers, find_times
from hotline.workorder.features import Segment
from hotline.workorder.narrative import Sentence, event_and_request
from hotline.workorder.prediction import Prediction
from hotline.workorder.request_type import INVALID, classify_call
from hotline.workorder.summary import compose_summary, invalid_summary
from hotline.workorder.urgency import UrgencyHit, assess_call

if TYPE_CHECKING:
    from hotline.workorder.train import CategoryModel


@dataclass
class Extraction:
    order: WorkOrder
    facts: dict[str, list[Fact]]
    request_type: Prediction
    category: Prediction | None
    urgency_hits: list[UrgencyHit] = field(default_factory=list)
    event: list[Sentence] = field(default_factory=list)
    request: list[Sentence] = field(default_factory=list)

    def chosen(self, name: str) -> Fact | None:
        """The fact the order's ``name`` field was filled from."""
        return pick(name, self.facts.get(name, []))

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": self.order.to_dict(),
            "request_type": self.request_type.to_dict(),
            "category": self.category.to_dict() if self.category else None,
            "urgency_cues": [{"label": h.label, "level": h.level, "turn_index": h.turn_index, "said": h.said}
                             for h in self.urgency_hits],
            "facts": {k: [{"value": f.value, "turn_index": f.turn_index, "span": list(f.span), "said": f.said,
                           "speaker": f.speaker.value} for f in v] for k, v in self.facts.items()},
            "request": [s.text for s in self.request],
        }


def pick(name: str, facts: list[Fact]) -> Fact | None:
    """Which of several mentions is the field's value (the caller's own latest words win)."""
    if not facts:
        return None
    citizen = [f for f in facts if f.speaker is Speaker.CITIZEN]
    pool = citizen or facts
    if name == "caller_name":
        full = [f for f in citizen if len(f.value) >= 2]
        agent = [f for f in facts if f.speaker is Speaker.AGENT]
        return (full or agent or pool)[-1]
    if name == "address":
        return max(pool, key=lambda f: (f.extra.get("score", 0), f.turn_index))
    if name == "event_time":
        return pool[0]
    return pool[-1]


def extract(call: Call, *, model: CategoryModel | None = None, semantic: bool = False) -> Extraction:
    """Everything the product can say about a call's work order."""
    facts: dict[str, list[Fact]] = {**find_numbers(call), "caller_name": find_names(call),
                                    "address": find_addresses(call), "event_time": find_times(call)}
    urgency, urgency_hits = assess_call(call)
    rtype = classify_call(call, semantic=semantic, urgency=urgency)
    event, request = event_and_request(call)
    ext = Extraction(WorkOrder(), facts, rtype, None, event=event, request=request)
    _fill_fields(ext)
    if rtype.label == INVALID:
        ext.order.request_type, ext.order.invalid_reason = INVALID, rtype.path[-1]
        ext.order.summary = invalid_summary(ext.order.invalid_reason)
        return ext
    ext.category = classify_category(category_segments(call, event, request), model=model, semantic=semantic)
    ext.order.category = ext.category.path or [ext.category.label]
    ext.order.request_type = rtype.label
    if rtype.label in NO_EVENT_TIME:
        ext.order.event_time = ""  # a question has no time of event; dates said are the caller's own facts
    ext.order.urgency, ext.urgency_hits = urgency, urgency_hits
    _route(ext, call)
    words = [str(e["keyword"]) for e in ext.category.evidence] + [h.said for h in urgency_hits]
    o = ext.order
    o.summary = compose_summary(o.caller_name, o.request_type, o.event_time, o.address.full(), event, request, words)
    return ext


NO_EVENT_TIME = ("咨询",)
ECHO_WEIGHT = 0.3  # the caller repeating the agent's answer (身份证、户口本……) says little about the matter
REQUEST_WEIGHT = 1.5  # what the caller asks for (建议在…增加…) names the matter better than background


def category_segments(call: Call, event: list[Sentence], request: list[Sentence]) -> list[Segment]:
    """What the citizen said about the matter, one segment per clause in call order; requests count
    more, clauses that only echo the agent's previous turn count little. (The classifier also weighs
    the first clause that names the matter most.)"""
    if not event and not request:
        return [Segment(call.turns[i].text, 1.0, i) for i in call.citizen_turn_indexes()]
    asks = {id(s) for s in request}
    ordered = sorted(event + request, key=lambda s: (s.turn_index, s.start))
    return [Segment(s.text, _clause_weight(call, s, id(s) in asks), s.turn_index) for s in ordered]


def _clause_weight(call: Call, clause: Sentence, is_request: bool) -> float:
    if _echoes_agent(call, clause):
        return ECHO_WEIGHT
    return REQUEST_WEIGHT if is_request else 1.0


def _echoes_agent(call: Call, clause: Sentence) -> bool:
    prev = next((call.turns[i].text for i in range(clause.turn_index - 1, -1, -1)
                 if call.turns[i].speaker is Speaker.AGENT), "")
    words = [w for w in re.split(r"[，、。！？…\s]+", clause.text) if len(w) >= 2]
    return bool(words) and all(w in prev for w in words)


def _fill_fields(ext: Extraction) -> None:
    order = ext.order
    for name in ("caller_name", "phone", "id_number", "event_time"):
        fact = ext.chosen(name)
        if fact is not None:
            setattr(order, name, fact.value)
    addr = ext.chosen("address")
    if addr is not None:
        order.address = addr.extra["address"]


def _route(ext: Extraction, call: Call) -> None:
    """The department the agent passed the call to when it fits the category, else the routing table's.
    An emergency line (119 for a gas leak) counts only when it is the table's kind of body (110 for a fight)."""
    order = ext.order
    district = order.address.district
    table = routing.department_for(order.category, district)
    said = [d for d in named_departments(call) if names_its_place(d.value)
            and plausible(d.value, order.category, district).ok and (not d.line or same_kind(d.value, table))]
    said.sort(key=lambda d: not same_kind(d.value, table))  # the table's kind of body first
    order.department = said[0].value if said else table
    rule = routing.time_limit(order.request_type, order.urgency, order.category)
    start = call_time(call) or datetime.now().replace(second=0, microsecond=0)
    order.deadline = routing.deadline(start, rule).strftime("%Y-%m-%d %H:%M")
    order.meta["time_limit"] = routing.describe_limit(rule)


def extract_order(call: Call, **kwargs: Any) -> WorkOrder:
    """The proposed work order only."""
    return extract(call, **kwargs).order
