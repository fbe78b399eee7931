"""A drill: the trainee talks to a simulated citizen; the call is then scored by the inspection engine.

No terminal I/O here: the terminal trainer and the web app both drive this API."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from hotline.model import Call, Speaker, Turn, WorkOrder
from hotline.simulate.citizen import Citizen, CitizenState, Step
from hotline.simulate.engines import reading_engine, scoring_engine
from hotline.simulate.errors import DrillStateError, SimulateError
from hotline.simulate.library import ScenarioLibrary, default_library
from hotline.simulate.reading import Engine, TurnReading, read_turn
from hotline.simulate.responder import OfflineResponder, ReplyContext, Responder
from hotline.simulate.schema import Scenario

STATE_VERSION = 1


@dataclass(slots=True)
class TraceEntry:
    """One trainee turn: what was detected, how the mood moved, what the citizen answered."""

    turn_index: int | None
    text: str
    acts: list[str]
    asked: list[str]
    causes: list[dict[str, Any]]
    revealed: list[str]
    mood_before: dict[str, float]
    mood_after: dict[str, float]
    reply: str
    end: str | None = None
    hints: list[dict[str, Any]] = field(default_factory=list)


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
        if self.ended:
            raise DrillStateError("通话已经结束，不能再发言；请提交工单或查看讲评")
        reading = read_turn(text, self.scenario, self.reader)
        before = self.state.mood()
        step = self.citizen.react(self.state, reading)
        agent_index = None
        if not reading.silence:
            agent_index = len(self.turns)
            self.turns.append(Turn(Speaker.AGENT, reading.text))
        ctx = ReplyContext(self.scenario, self.library.defaults, self.state, step, reading.text, self.seed)
        answer = self.responder.reply(ctx)
        hints = self._hints() if self.hints and agent_index is not None else []
        if answer:
            self.turns.append(Turn(Speaker.CITIZEN, answer))
        self.trace.append(self._entry(agent_index, reading, step, before, answer, hints))
        return Reply(answer, self.ended, self.outcome, self.state.mood(), list(step.revealed), hints, step.supervisor)

    def silence(self) -> Reply:
        return self.say("")

    def end(self) -> None:
        """The trainee ends the call (if the citizen has not already)."""
        if not self.ended:
            self.state.ended = True
            self.state.outcome = "agent_ended"

    def submit_order(self, order: WorkOrder | dict[str, Any]) -> WorkOrder:
        if isinstance(order, dict):
            order = work_order_from_dict(order)
        self.order = order
        return order

    def debrief(self) -> Any:
        """The scored debrief; the call must have ended."""
        if not self.ended:
            raise DrillStateError("通话还没有结束，请先结束通话再查看讲评")
        from hotline.simulate.debrief import build_debrief

        return build_debrief(self)

    def call(self) -> Call:
        """The drill transcript as a Call, ready for the inspection engine."""
        meta = {"source": "drill", "scenario": self.scenario.id, "seed": self.seed, "outcome": self.outcome}
        return Call(id=f"drill-{self.scenario.id}-{self.seed}", turns=list(self.turns), meta=meta)

    def _hints(self) -> list[dict[str, Any]]:
        """Findings about single turns that are new since the last turn. The call is still in
        progress, so the engine leaves end-of-call rules and still-open reaction windows alone."""
        card = self.engine.inspect(self.call(), partial=True)
        out = []
        for f in card.findings:
            key = f"{f.rule_id}@{f.turn_index}@{f.span}"
            if f.turn_index is None or key in self.seen_findings:
                continue
            self.seen_findings.append(key)
            out.append(f.to_dict())
        return out

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
        except (KeyError, TypeError, ValueError) as exc:
            raise SimulateError(f"演练记录缺少或写错了字段：{exc}") from None
        return s


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
