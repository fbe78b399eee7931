"""A drill: the trainee talks to a simulated citizen; the call is then scored by the inspection engine.

No terminal I/O here: the terminal trainer and the web app both drive this API."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Any

from hotline.model import Call, Speaker, Turn, WorkOrder
from hotline.simulate.citizen import Citizen, CitizenState, Step
from hotline.simulate.debrief import Debrief, build_debrief
from hotline.simulate.engines import reading_engine, scoring_engine
from hotline.simulate.errors import DrillStateError, SimulateError
from hotline.simulate.goals import scenario_goals
from hotline.simulate.hints import Hints
from hotline.simulate.library import ScenarioLibrary, default_library
from hotline.simulate.reading import Engine, TurnReading, read_turn
from hotline.simulate.record import DrillRecord, TraceEntry
from hotline.simulate.responder import OfflineResponder, ReplyContext, Responder
from hotline.simulate.schema import Scenario

STATE_VERSION = 1


@dataclass(slots=True)
class Reply:
    """What ``say`` returns to a front end."""

    text: str
    ended: bool
    outcome: str | None
    mood: dict[str, float]
    revealed: list[str]
    hints: list[dict[str, Any]]
    supervisor: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class DrillSession:
    def __init__(
        self,
        scenario: Scenario,
        library: ScenarioLibrary,
        *,
        seed: int,
        hints: bool = False,
        engine: Engine | None = None,
        responder: Responder | None = None,
        reader: Engine | None = None,
    ):
        self.scenario = scenario
        self.library = library
        self.seed = seed
        self.hints = hints
        self.engine = engine or scoring_engine()
        self.reader = reader or (engine if engine is not None else reading_engine())
        self.responder = responder or OfflineResponder()
        self.citizen = Citizen(scenario, library.defaults)
        self.state = CitizenState.initial(scenario)
        self.turns: list[Turn] = []
        self.trace: list[TraceEntry] = []
        self.order: WorkOrder | None = None
        self.seen_findings: list[str] = []
        self.ended_by: str | None = None
        self.heard: Heard | None = None

    @classmethod
    def start(
        cls,
        scenario: str | Scenario,
        *,
        seed: int | None = None,
        hints: bool = False,
        library: ScenarioLibrary | None = None,
        engine: Engine | None = None,
        responder: Responder | None = None,
        reader: Engine | None = None,
    ) -> DrillSession:
        """Open a drill; the trainee speaks first (the greeting). A seed makes the run reproducible."""
        library = library or default_library()
        sc = library.get(scenario) if isinstance(scenario, str) else scenario
        seed = secrets.randbelow(10**9) if seed is None else seed
        return cls(sc, library, seed=seed, hints=hints, engine=engine, responder=responder, reader=reader)

    @property
    def ended(self) -> bool:
        return self.state.ended

    @property
    def outcome(self) -> str | None:
        return self.state.outcome

    def say(self, text: str) -> Reply:
        """The trainee's turn; an empty text is a long silence. Returns the citizen's answer."""
        self.hear(text)
        return self.answer()

    def hear(self, text: str) -> list[dict[str, Any]]:
        """The first half of a turn: the trainee's words join the call and the live hints about them are
        computed, before the citizen answers (``answer``). Returns those hints."""
        if self.ended:
            raise DrillStateError("通话已经结束，不能再发言；请提交工单或查看讲评")
        if self.heard is not None:
            raise DrillStateError("市民还没有回答上一句，请稍候")
        reading = read_turn(text, self.scenario, self.reader)
        agent_index = None
        if not reading.silence:
            agent_index = len(self.turns)
            self.turns.append(Turn(Speaker.AGENT, reading.text))
        hints = self._hints() if self.hints and agent_index is not None else []
        self.heard = Heard(reading, agent_index, hints)
        return hints

    def answer(self) -> Reply:
        """The second half: the citizen reacts to the words heard and answers."""
        heard = self.heard
        if heard is None:
            raise DrillStateError("坐席还没有说话")
        before = self.state.mood()
        step = self.citizen.react(self.state, heard.reading)
        ctx = ReplyContext(self.scenario, self.library.defaults, self.state, step, heard.reading.text, self.seed)
        text = self.responder.reply(ctx)
        if text:
            self.turns.append(Turn(Speaker.CITIZEN, text))
        self.trace.append(self._entry(heard.index, heard.reading, step, before, text, heard.hints))
        self.heard = None
        return Reply(text, self.ended, self.outcome, self.state.mood(), list(step.revealed), heard.hints,
                     step.supervisor)

    def silence(self) -> Reply:
        return self.say("")

    def end(self) -> None:
        """The trainee ends the call (if the citizen has not already); words not yet answered are answered first."""
        if self.heard is not None:
            self.answer()
        if not self.ended:
            self.state.ended = True
            self.state.outcome = "agent_ended"

    def submit_order(self, order: WorkOrder | dict[str, Any]) -> WorkOrder:
        if isinstance(order, dict):
            order = work_order_from_dict(order)
        self.order = order
        return order

    def debrief(self) -> Debrief:
        """The scored debrief; the call must have ended."""
        if not self.ended:
            raise DrillStateError("通话还没有结束，请先结束通话再查看讲评")
        return build_debrief(self.record(), self.engine, self.library.defaults)

    def record(self) -> DrillRecord:
        """What the drill leaves behind, for the debrief."""
        return DrillRecord(self.scenario, self.seed, self.outcome, self.call(), list(self.trace),
                           list(self.state.revealed), self.state.mood(), self.order)

    def call(self) -> Call:
        """The drill transcript as a Call, ready for the inspection engine; it carries the scenario's goals."""
        meta = {"source": "drill", "scenario": self.scenario.id, "seed": self.seed, "outcome": self.outcome,
                "goals": scenario_goals(self.scenario).model_dump()}
        return Call(id=f"drill-{self.scenario.id}-{self.seed}", turns=list(self.turns), meta=meta)

    def _hints(self) -> list[dict[str, Any]]:
        """Hints about the trainee's latest turn, each shown once (``simulate.hints``)."""
        card = self.engine.inspect(self.call(), partial=True)
        return Hints(self.engine, self.seen_findings).new(card, len(self.turns) - 1)

    def _entry(
        self, index: int | None, reading: TurnReading, step: Step, before: dict[str, float], answer: str,
        hints: list[dict[str, Any]],
    ) -> TraceEntry:
        causes = [{"name": c.name, "delta": c.delta} for c in step.causes]
        return TraceEntry(index, reading.text, sorted(reading.acts), list(reading.asked), causes,
                          list(step.revealed), before, self.state.mood(), answer, step.end, hints)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state (the scenario is referenced by id)."""
        return {
            "version": STATE_VERSION,
            "scenario": self.scenario.id,
            "seed": self.seed,
            "hints": self.hints,
            "state": self.state.to_dict(),
            "turns": [{"speaker": t.speaker.value, "text": t.text} for t in self.turns],
            "trace": [asdict(e) for e in self.trace],
            "order": self.order.to_dict() if self.order else None,
            "seen_findings": list(self.seen_findings),
            "heard": None if self.heard is None else self.heard.to_dict(),
        }

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        *,
        library: ScenarioLibrary | None = None,
        engine: Engine | None = None,
        responder: Responder | None = None,
    ) -> DrillSession:
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise SimulateError("演练记录格式不对或版本不符，无法恢复")
        try:
            s = cls.start(data["scenario"], seed=int(data["seed"]), hints=bool(data["hints"]),
                          library=library, engine=engine, responder=responder)
            s.state = CitizenState.from_dict(data["state"])
            s.turns = [Turn(Speaker(t["speaker"]), t["text"]) for t in data["turns"]]
            s.trace = [TraceEntry(**e) for e in data["trace"]]
            s.order = work_order_from_dict(data["order"]) if data.get("order") else None
            s.seen_findings = list(data.get("seen_findings", []))
            s.heard = Heard.from_dict(data["heard"]) if data.get("heard") else None
        except (KeyError, TypeError, ValueError) as exc:
            raise SimulateError(f"演练记录缺少或写错了字段：{exc}") from None
        return s


@dataclass(slots=True)
class Heard:
    """A trainee turn the citizen has not answered yet."""

    reading: TurnReading
    index: int | None
    hints: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        r = self.reading
        return {"text": r.text, "acts": sorted(r.acts), "asked": list(r.asked), "silence": r.silence,
                "index": self.index, "hints": self.hints}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Heard:
        reading = TurnReading(data["text"], set(data["acts"]), list(data["asked"]), bool(data["silence"]))
        return cls(reading, data["index"], list(data["hints"]))


def work_order_from_dict(data: dict[str, Any]) -> WorkOrder:
    """A WorkOrder from a plain dict (web form / JSON); unknown keys are an error."""
    from hotline.model import Address

    fields = set(WorkOrder.__dataclass_fields__)
    unknown = sorted(set(data) - fields)
    if unknown:
        raise SimulateError(f"工单里有不认识的字段：{', '.join(unknown)}")
    values = dict(data)
    addr = values.get("address")
    if isinstance(addr, dict):
        values["address"] = Address(**addr)
    elif isinstance(addr, str):
        values["address"] = Address(detail=addr)
    cat = values.get("category")
    if isinstance(cat, str):
        values["category"] = [c.strip() for c in cat.replace("›", ">").replace("/", ">").split(">") if c.strip()]
    return WorkOrder(**values)
