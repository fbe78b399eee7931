"""Schemas of the scenario files and the persona defaults (YAML under ``data/scenarios``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hotline.content import Strict

Colour = Literal["红", "黄", "蓝", "绿"]
PdpType = Literal["孔雀", "老虎", "猫头鹰", "考拉"]
PDP_TO_COLOUR: dict[str, str] = {"孔雀": "红", "老虎": "黄", "猫头鹰": "蓝", "考拉": "绿"}
CallKind = Literal["normal", "silent", "abusive", "wrong_number", "transfer", "elderly"]
MoodKey = Literal["anger", "anxiety", "patience", "trust"]
Ending = Literal["hangup", "resolved", "supervisor"]
Effects = dict[MoodKey, float]
STANDARD_SLOTS = ("name", "phone", "address", "time", "event", "request")


class Persona(Strict):
    name: str
    gender: Literal["男", "女"] | None = None
    age: int = Field(ge=5, le=110)
    colour: Colour | None = None
    pdp: PdpType | None = None
    style: str = ""
    dialect: str = ""
    pace: Literal["normal", "slow"] = "normal"
    max_agent_chars: int | None = Field(None, ge=10)

    @model_validator(mode="after")
    def _colour(self) -> Persona:
        if self.pdp and self.colour and PDP_TO_COLOUR[self.pdp] != self.colour:
            raise ValueError(f"性格色彩 {self.colour} 与 PDP 类型 {self.pdp} 不一致")
        if not self.colour:
            if not self.pdp:
                raise ValueError("persona 需要 colour（红/黄/蓝/绿）或 pdp（孔雀/老虎/猫头鹰/考拉）")
            self.colour = PDP_TO_COLOUR[self.pdp]  # type: ignore[assignment]
        return self


class Mood(Strict):
    anger: float = Field(0.2, ge=0, le=1)
    anxiety: float = Field(0.3, ge=0, le=1)
    patience: float = Field(0.7, ge=0, le=1)
    trust: float = Field(0.4, ge=0, le=1)


class Slot(Strict):
    """One fact of the case; revealed only when the trainee asks for it."""

    label: str = ""
    value: str
    lines: list[str] = Field(min_length=1)
    asked_by: list[str] = []
    keywords: list[str] = []
    example: str = ""
    generic: bool = Field(False, description="asked by any question about the matter (事情经过): a question about"
                                             " another fact of the same turn is not also a question about this one")
    volunteered: bool = False
    hidden: bool = False
    min_trust: float = Field(0.0, ge=0, le=1)
    guarded: list[str] = []


class QuotedLine(Strict):
    """A line that repeats the trainee's words (什么叫不知道？): said only when the trainee's turn contains one
    of ``quotes``; ``{said}`` in the text becomes the words found."""

    text: str
    quotes: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _quotes_something(self) -> QuotedLine:
        if "{said}" not in self.text and not any(q in self.text for q in self.quotes):
            raise ValueError(f"台词「{self.text}」既没有 {{said}}，也不含 quotes 中的任何一项")
        return self

    def said_to(self, trainee_text: str) -> str | None:
        """The line for this trainee turn, or None when the turn does not contain what it repeats."""
        found = [q for q in self.quotes if q in trainee_text]
        if not found:
            return None
        return self.text.replace("{said}", max(found, key=len))


Line = str | QuotedLine


def usable_lines(lines: list[Line], trainee_text: str) -> list[str]:
    """The lines that fit what the trainee said: plain lines, and quoted lines whose words were said."""
    out = []
    for line in lines:
        text = line if isinstance(line, str) else line.said_to(trainee_text)
        if text is not None:
            out.append(text)
    return out


class Grade(Strict):
    lines: list[Line] = Field(min_length=1)
    effects: Effects = {}
    end: Ending | None = None


class Trigger(Strict):
    """A reaction to what the trainee did: graded by how often it happened (1st, 2nd, 3rd+ time)."""

    id: str
    acts: list[str] = []
    keywords: list[str] = []
    grades: list[Grade] = Field(min_length=1, max_length=3)

    @model_validator(mode="after")
    def _has_condition(self) -> Trigger:
        if not self.acts and not self.keywords:
            raise ValueError(f"触发器 {self.id} 需要 acts 或 keywords")
        return self


class Lines(Strict):
    """Pools of citizen lines by situation; a scenario's pools replace the defaults' pools."""

    opening: list[str] = []
    calm: list[str] = []
    anxious: list[str] = []
    angry: list[str] = []
    furious: list[str] = []
    vague: list[str] = []
    repeat: list[str] = []
    confirm: list[str] = []
    supervisor: list[str] = []
    hangup: list[str] = []
    silence: list[str] = []
    too_long: list[str] = []
    nothing_else: list[str] = []
    closing_ok: list[str] = []
    closing_bad: list[str] = []


class ExpectedOrder(Strict):
    """The 工单 a trainee should write: type, 事项分类 path, department, urgency (invalid calls: the reason)."""

    request_type: str
    category: list[str] = []
    department: str = ""
    department_aliases: list[str] = []
    urgency: Literal["一般", "紧急", "非常紧急"] = "一般"
    invalid_reason: str = ""

    @model_validator(mode="after")
    def _complete(self) -> ExpectedOrder:
        if self.request_type == "无效":
            if not self.invalid_reason:
                raise ValueError("无效来电需要 invalid_reason（无声/骚扰/误拨）")
        elif not self.category or not self.department:
            raise ValueError("有效来电的工单需要 category（事项分类路径）和 department（承办部门）")
        return self


class ScenarioGoals(Strict):
    """What the call must achieve; a goal left unset follows the kind of call (see data/scenarios/README.md).
    A drill that ends before a goal is met fails it in the debrief (not N/A)."""

    facts: list[str] | None = Field(None, description="slot keys the trainee must find out; default: every slot"
                                                      " that is not a hidden concern")
    answer: bool | None = Field(None, description="an answer or next step (default: every call but silent/abusive)")
    department: bool | None = Field(None, description="tell the caller the department (default: normal, elderly"
                                                      " and transfer calls whose 工单 names one)")
    time_limit: bool | None = Field(None, description="tell the caller the time limit (default: 投诉/举报/求助 on"
                                                      " normal and elderly calls)")
    protocol: bool | None = Field(None, description="follow the special-call protocol of the kind of call (default:"
                                                    " silent and abusive calls)")
    order: bool = Field(True, description="a 工单 matching expected_order")
    deadline: str | None = Field(None, description="the 工单's 办理时限 (default: from routing.yaml)")


class Scenario(Strict):
    id: str = ""
    title: str
    domain: str
    difficulty: int = Field(ge=1, le=5)
    summary: str
    kind: CallKind = "normal"
    persona: Persona
    mood: Mood
    slots: dict[str, Slot] = {}
    triggers: list[Trigger] = []
    effects: dict[str, Effects] = {}
    lines: Lines = Lines()
    expected_order: ExpectedOrder
    goals: ScenarioGoals = ScenarioGoals()
    norms: list[str] = Field(min_length=1)
    model_answer: list[str] = []

    @model_validator(mode="after")
    def _needs_slots(self) -> Scenario:
        if self.kind not in ("silent", "abusive", "wrong_number") and not self.slots:
            raise ValueError("普通来电场景至少需要一个事实槽位（slots）")
        unknown = [k for k in self.goals.facts or [] if k not in self.slots]
        if unknown:
            raise ValueError(f"goals.facts 中的 {', '.join(unknown)} 不是本场景的事实槽位（slots）")
        return self


class ColourProfile(Strict):
    label: str
    wants: str
    weights: dict[str, float] = {}


class Thresholds(Strict):
    angry: float = 0.55
    furious: float = 0.8
    anxious: float = 0.55
    supervisor_anger: float = 0.85
    satisfied_anger: float = 0.45
    satisfied_trust: float = 0.45
    max_turns: int = 40
    silent_prompts: int = 3


class StandardSlot(Strict):
    label: str
    asked_by: list[str] = []
    keywords: list[str] = []
    generic: bool = False
    example: str


class AnswerTemplates(Strict):
    """Wording used to build a reference (model) answer from a scenario's facts."""

    greeting: str
    empathy: str
    apology: str
    restate: str
    next_step: str
    anything_else: str
    goodbye: str


class PersonaDefaults(Strict):
    effects: dict[str, Effects]
    decaying: list[str] = []
    decay: float = Field(0.6, ge=0, le=1)
    progress_acts: list[str]
    colours: dict[Colour, ColourProfile]
    thresholds: Thresholds = Thresholds()
    standard_slots: dict[str, StandardSlot]
    triggers: list[Trigger] = []
    lines: Lines
    advice: dict[str, str] = {}
    act_labels: dict[str, str] = {}
    outcome_labels: dict[str, str] = {}
    kind_labels: dict[CallKind, str]
    answer: AnswerTemplates

    @model_validator(mode="after")
    def _complete(self) -> PersonaDefaults:
        empty = [k for k, v in self.lines.model_dump().items() if not v]
        if empty:
            raise ValueError(f"lines 中这些台词池不能为空：{', '.join(empty)}")
        missing = [c for c in ("红", "黄", "蓝", "绿") if c not in self.colours]
        if missing:
            raise ValueError(f"colours 缺少性格色彩：{', '.join(missing)}")
        return self
