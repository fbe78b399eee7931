"""The verdict pass (``verdicts``): every slot of the plan answers, as a turn mask, exactly the turns of the hits
the tree walk (``operators.evaluate``) finds, over the whole call and over subsets of its turns; its early stops
never hide that a rule cannot apply. The recorded outputs (``test_recorded``) pin the whole engine."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import call, status
from test_plan import GREET, NONE, SILENCE, engine_with

from hotline.content import data_path
from hotline.formats import read_calls
from hotline.inspect import Engine, default_engine
from hotline.inspect import verdicts as vd
from hotline.inspect.context import CALL_HIT, CallContext, Hit, prepare_acts
from hotline.inspect.operators import evaluate
from hotline.model import Call, Speaker, Turn


def test_a_verdict_holds_the_turns_of_the_hits() -> None:
    assert vd.hit_mask(None) is None
    assert vd.hit_mask([]) == 0
    assert vd.hit_mask([CALL_HIT]) == vd.CALL_BIT == 1
    assert vd.hit_mask([Hit(0, 1, 2), Hit(2, 0, 1), Hit(2, 3, 4)]) == 0b1010
    assert vd.turns_mask(0b1011) == 0b101  # a whole-call hit is no turn


def _contexts(calls: list[Call], engine: Engine | None = None) -> list[CallContext]:
    engine = engine or default_engine(semantic=False)
    contexts = [CallContext(c, engine.compiled) for c in calls]
    prepare_acts(contexts)
    return contexts


def _subsets(c: Call) -> list[int | None]:
    n = len(c.turns)
    agent = sum(1 << i for i, t in enumerate(c.turns) if t.speaker is Speaker.AGENT)
    return [None, agent, (1 << min(n, 3)) - 1, ((1 << n) - 1) & ~agent, 0]


SAMPLES = list(read_calls(data_path("samples", "calls")))
TIMED = Call("timed", [Turn(Speaker.AGENT, "您好，12345热线，请问有什么可以帮您？", 0.0, 3.0),
                       Turn(Speaker.CITIZEN, "我家楼下的路灯坏了一个星期了。", 9.0, 12.0),
                       Turn(Speaker.AGENT, "好的。", 25.0, 25.5),
                       Turn(Speaker.CITIZEN, "", 26.0, 30.0)])


# parts the default rulebook holds few of, judged over subsets of turns: a scope that is a speaker only, around a
# part that hits turn by turn and one that does not
EXTRA = [{"id": f"test.extra{i}.v1", "kind": "award", "match": m} for i, m in enumerate([
    {"within": {"speaker": "citizen", "of": {"phrases": {"phrases": ["路灯", "小区", "物业", "噪音"], "speaker": "any"}}}},
    {"within": {"speaker": "any", "of": {"phrases": {"phrases": ["您好", "请问"], "mode": "none"}}}},
    {"phrases": {"phrases": ["谢谢", "好的"], "mode": "none", "speaker": "citizen"}},
    {"within": {"speaker": "agent", "of": {"act": {"name": "agent.dismiss"}}}},
])]


def test_every_slot_answers_the_turns_of_its_hits_on_every_sample() -> None:
    """Two contexts per call, so that neither pass reads what the other found."""
    calls = [*SAMPLES, TIMED]
    engine = engine_with(*EXTRA)
    plan = engine.compiled.plan
    differ: list[str] = []
    for c, walk, quick in zip(calls, _contexts(calls, engine), _contexts(calls, engine), strict=True):
        for allowed in _subsets(c):
            for slot in plan.slots:
                if slot.op == "similar":
                    continue  # the embedding layer is off here
                want = vd.hit_mask(evaluate(slot.node, walk, allowed))
                got = vd.verdict(slot.node, quick, allowed)
                if got != want:
                    differ.append(f"{c.id} slot {slot.index} ({slot.op}) allowed={allowed}: {got} ≠ {want}")
    assert not differ, "\n".join(differ[:20])


def test_every_operator_gives_its_hits_in_turn_order() -> None:
    """What the verdict of ``sequence`` relies on: a part's first hit from a turn on is its lowest turn from there."""
    calls = [*SAMPLES, TIMED]
    plan = default_engine(semantic=False).compiled.plan
    unsorted: list[str] = []
    for c, ctx in zip(calls, _contexts(calls), strict=True):
        for allowed in _subsets(c):
            for slot in plan.slots:
                turns = [h.turn_index for h in evaluate(slot.node, ctx, allowed) or []]
                if turns != sorted(turns):
                    unsorted.append(f"{c.id} slot {slot.index} ({slot.op}) allowed={allowed}: {turns}")
    assert not unsorted, "\n".join(unsorted[:20])


@pytest.mark.parametrize(("match", "untimed"), [
    ({"all": [NONE, SILENCE]}, "na"),  # an empty part does not end ``all`` when a later part may be N/A
    ({"all": [NONE, {"phrases": {"phrases": ["路灯"]}}]}, "passed"),
    ({"turn": {"has": [NONE, SILENCE]}}, "na"),  # …nor a turn test
    ({"turn": {"has": [{"phrases": {"phrases": ["路灯"]}}, NONE, SILENCE]}}, "na"),
])
def test_an_early_stop_never_turns_not_applicable_into_passed(match: dict[str, Any], untimed: str) -> None:
    engine = engine_with({"id": "test.early.v1", "kind": "forbid", "match": match})
    assert status(engine.inspect(call(GREET, "市民：路灯坏了。")), "test.early.v1") == untimed


def test_a_failing_rule_gets_its_evidence_from_the_tree_walk() -> None:
    """The verdict decides; the finding still names the words (and the turn) the tree walk found."""
    engine = engine_with({"id": "test.words.v1", "kind": "forbid", "match": {"phrases": {"phrases": ["路灯"]}}})
    sc = engine.inspect(call(GREET, "市民：路灯坏了。", "坐席：路灯的事我记下了。"))
    found = [f for f in sc.findings if f.rule_id == "test.words.v1"]
    assert [(f.turn_index, f.evidence) for f in found] == [(2, "路灯")]  # an agent's words, not the caller's


def test_a_live_call_is_judged_by_the_tree_walk() -> None:
    """A call in progress records the reactions it still waits for (``pending``): those come from the tree walk."""
    engine = default_engine(semantic=False)
    live = call(GREET, "市民：我都打了三次电话了，你们到底管不管！")
    sc = engine.inspect(live, partial=True)
    assert sc.pending, "an angry caller's words wait for the agent's reply"


def test_a_failing_rule_walks_only_the_parts_that_hit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tree walk that gathers a failing rule's evidence reads the verdicts: a part that hit nothing is []."""
    from hotline.inspect import operators as ops

    walked: list[str] = []
    regex = ops._OPS["regex"]

    def noting(node: Any, ctx: Any, allowed: Any) -> Any:
        walked.append(node.regex.pattern)
        return regex(node, ctx, allowed)

    monkeypatch.setitem(ops._OPS, "regex", noting)
    match = {"any": [{"regex": {"pattern": "路灯"}}, {"regex": {"pattern": "没有这种说法"}}]}
    engine = engine_with({"id": "test.parts.v1", "kind": "forbid", "match": match})
    sc = engine.inspect(call(GREET, "市民：路灯坏了。", "坐席：路灯的事我记下了。"))
    assert status(sc, "test.parts.v1") == "failed"
    assert walked == ["路灯"]  # the part that hit is walked for its evidence; the other is not


def test_acts_firing_found_for_a_batch_equal_those_found_for_each_call_alone() -> None:
    """``prepare_acts`` finds the clauses above an act's floor for the whole batch at once and hands each call its
    rows; each call must get exactly what judging it alone finds (rows counted from its own first clause)."""
    engine = default_engine(semantic=False)
    calls = [*SAMPLES, TIMED, Call("empty", [])]
    batch = _contexts(calls, engine)
    fired = 0
    for c, ctx in zip(calls, batch, strict=True):
        alone = CallContext(c, engine.compiled)
        assert ctx.firing() == alone.firing(), c.id
        fired += sum(map(len, alone.firing().values()))
    assert fired > len(SAMPLES)  # the samples make acts fire (an empty answer everywhere would prove nothing)


def test_a_restatement_hears_only_what_the_citizen_said_before_it_in_any_order() -> None:
    """``operators.restated`` gathers the citizen's earlier pairs once as it goes up the turns; turns given in any
    order are each judged on the citizen's turns before them alone (fails when the gathered pairs are kept for an
    earlier turn)."""
    from hotline.inspect.operators import restated
    from hotline.norms.schema import RestateOp

    engine = default_engine()
    c = call("市民：路灯坏了。", "坐席：您是说路灯坏了，物业不管，对吗？", "市民：物业不管。", "坐席：您是说物业不管，对吗？")
    ctx = CallContext(c, engine.compiled)
    op = RestateOp.model_validate({"confirm": {"phrases": {"phrases": ["对吗"]}}, "min_shared": 1, "min_pieces": 1})
    alone = [row for t in (1, 3) for row in restated(op, ctx, [t], set(), set())]
    assert alone == [(1, 3, 1), (3, 3, 1)]  # turn 1 heard 路灯坏了 only (物业不管 is said after it)
    assert restated(op, ctx, [1, 3], set(), set()) == alone
    assert restated(op, ctx, [3, 1], set(), set()) == alone[::-1]


def test_a_match_inside_a_longer_one_of_its_turn_is_not_judged_on_its_own() -> None:
    """``_phrases`` skips ``longest`` only when no two matches share a turn: here 很差 lies inside the negated
    你态度很差 of the same turn, so it is dropped and the turn is not hit (fails when it is judged on its own: nothing
    negates it)."""
    rb = default_engine().rulebook
    node = {"phrases": {"phrases": ["你态度很差", "很差"], "speaker": "any"}}
    engine = engine_with({"id": "test.inside.v1", "kind": "forbid", "utterance": True, "match": node})
    compiled = engine.compiled
    assert rb.guards.negation_prefixes and "不是" in rb.guards.negation_prefixes
    c = call("坐席：这并不是你态度很差", "市民：很差")
    ctx = CallContext(c, compiled)
    match = engine.rule("test.inside.v1").match
    assert match is not None
    assert vd.verdict(match, ctx) == 0b100  # the citizen's 很差 alone
    assert vd.hit_mask(evaluate(match, CallContext(c, compiled))) == 0b100
