"""Checks of the scenario library against the engine: names that must exist, questions that must work,
and a reference answer that must reach the end of the call. Used by ``hotline scenarios --check`` and tests."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.simulate.library import ScenarioLibrary
from hotline.simulate.reading import Engine, asked_slots
from hotline.simulate.schema import Scenario

MODEL_SCORE = 90
PSEUDO_ACTS = {"turn", "no_progress", "repeat_question", "too_long", "silence"}
GOOD_ENDINGS = {"normal": {"resolved"}, "elderly": {"resolved"}, "transfer": {"resolved"},
                "wrong_number": {"resolved"}, "silent": {"resolved"}, "abusive": {"hangup", "resolved"}}


@dataclass(slots=True)
class Problem:
    scenario: str
    message: str

    def __str__(self) -> str:
        return f"{self.scenario}：{self.message}"


def check_names(sc: Scenario, rule_ids: set[str], detectors: set[str]) -> list[str]:
    """Rule ids in ``norms`` and detector names in triggers, slots and effects must exist in the rulebook."""
    out = [f"norms 中的规则 {r} 不在规则库中" for r in sc.norms if r not in rule_ids]
    acts = {a for t in sc.triggers for a in t.acts} | {a for s in sc.slots.values() for a in s.asked_by}
    out += [f"检测器 {a} 不在规则库中" for a in sorted(acts - detectors)]
    out += [f"effects 中的 {a} 既不是检测器也不是伪行为" for a in sorted(set(sc.effects) - detectors - PSEUDO_ACTS)]
    return out


def check_questions(sc: Scenario, reader: Engine) -> list[str]:
    """Every slot's example question must be recognised as asking that slot."""
    out = []
    for key, slot in sc.slots.items():
        if not slot.example:
            out.append(f"槽位 {key} 没有示范问法（example）")
            continue
        acts = set(reader.acts(slot.example))
        if key not in asked_slots(slot.example, acts, sc):
            out.append(f"槽位 {key} 的示范问法「{slot.example}」问不出这一项（补充 keywords 或 asked_by）")
    return out


def check_reachable(sc: Scenario, library: ScenarioLibrary, engine: Engine, scoring: Engine | None = None) -> list[str]:
    """Play the reference answer: the call must end the way the scenario intends, with every fact asked for; with
    a ``scoring`` engine it must also meet every goal and score at least ``MODEL_SCORE`` with the standard 工单."""
    from hotline.simulate.model_answer import model_answer, model_order
    from hotline.simulate.session import DrillSession

    s = DrillSession.start(sc, seed=7, library=library, engine=engine)
    for line in model_answer(sc, library.defaults):
        if s.ended:
            return [f"参考示范还没说完通话就结束了（{s.outcome}）"]
        s.say(line)
    out = []
    if s.outcome not in GOOD_ENDINGS[sc.kind]:
        out.append(f"参考示范的结局是 {s.outcome}，应为 {'/'.join(sorted(GOOD_ENDINGS[sc.kind]))}")
    missed = [k for k in sc.slots if k not in s.state.revealed]
    if missed and sc.kind != "transfer":
        out.append(f"参考示范没有问到：{', '.join(missed)}")
    if scoring is not None and not out:
        s.engine = scoring
        s.submit_order(model_order(sc))
        d = s.debrief()
        if d.scorecard.total is not None and d.scorecard.total < MODEL_SCORE:
            why = "；".join(f.message for f in d.scorecard.findings[:3])
            out.append(f"参考示范（连同标准工单）只得 {d.scorecard.total:g} 分，应不低于 {MODEL_SCORE}：{why}")
        out += [f"参考示范没有达成目标：{g.label}" for g in d.goals if not g.ok]
    return out


def check_library(library: ScenarioLibrary, engine: Engine, reader: Engine | None = None) -> list[Problem]:
    reader = reader or engine
    rule_ids = set(engine.rule_ids())
    detectors = set(engine.detector_names())
    out = [Problem("（加载）", str(e)) for e in library.errors]
    for sc in sorted(library.scenarios.values(), key=lambda s: s.id):
        msgs = check_names(sc, rule_ids, detectors) + check_questions(sc, reader)
        msgs += check_reachable(sc, library, reader, engine)
        out += [Problem(sc.id, m) for m in msgs]
    return out
