"""What a call must achieve (its goals): the facts to collect, an answer or next step, the department and
time limit to tell, the 工单 to write. A drill's call carries its scenario's goals in ``call.meta["goals"]``;
rules that name a goal (``goal:``) are then judged rather than N/A, and the goal rules (``goal.*``) check it."""

# No ``from __future__ import annotations``: pydantic reads these annotations as objects, not text to compile.
from typing import Any, Literal

from pydantic import Field

from hotline.content import Strict


class FactGoal(Strict):
    """A fact of the case; collected once the citizen has said it (one of ``said``, or words close to ``value``)."""

    key: str
    label: str
    value: str
    said: list[str] = []


class StandardOrder(Strict):
    """The 工单 a trainee should write: type, 事项分类 path, department (or an alias), urgency, an invalid call's
    reason; the caller's name, phone, address and event time and the deadline when known."""

    request_type: str
    category: list[str] = []
    department: str = ""
    department_aliases: list[str] = []
    urgency: str = "一般"
    invalid_reason: str = ""
    caller_name: str = ""
    phone: str = ""
    address: str = ""
    event_time: str = ""
    deadline: str = Field("", description="办理时限 as “N 个工作日内” or “N 小时内”")


class CallGoals(Strict):
    facts: list[FactGoal] = []
    answer: bool = Field(False, description="the caller gets an answer or a next step")
    department: list[str] = Field([], description="the agent tells the caller this department (or an alias)")
    time_limit: bool = Field(False, description="the agent tells the caller the time limit of handling")
    order: StandardOrder | None = Field(None, description="the 工单 that should be written")
    protocol: Literal["silent", "abusive"] | None = Field(
        None, description="the special-call protocol to follow (goal silent_protocol or abuse_protocol)")

    def names(self) -> set[str]:
        """The goals this call carries (the names rules refer to with ``goal:``)."""
        named = {"facts": bool(self.facts), "answer": self.answer, "department": bool(self.department),
                 "time_limit": self.time_limit, "order": self.order is not None,
                 "silent_protocol": self.protocol == "silent", "abuse_protocol": self.protocol == "abusive"}
        return {k for k, v in named.items() if v}


def read_goals(meta: dict[str, Any]) -> CallGoals | None:
    """The goals a call's metadata carries (None: none); a malformed block is an error naming what is wrong."""
    raw = meta.get("goals")
    if raw is None:
        return None
    if isinstance(raw, CallGoals):
        return raw
    from hotline.content import validate
    from hotline.errors import RulebookError

    return validate(CallGoals, raw, "call.meta.goals", RulebookError)
