"""The compiled plan: shared slots, turn masks, and the skip on absent keys and acts that must never change
an answer. Each test names the guard it pins; the recorded outputs (``test_recorded``) pin the whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import call, status

from hotline.inspect import Engine, default_engine
from hotline.inspect import operators as ops
from hotline.inspect import verdicts as vd
from hotline.inspect.compiled import _roots
from hotline.inspect.context import CallContext
from hotline.inspect.plan import shape
from hotline.inspect.results import allows, mask_of
from hotline.model import Call, Speaker, Turn
from hotline.norms import load_default, load_rulebook
from hotline.norms.schema import Matcher, RuleSpec, iter_nodes

GREET = "坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"


def engine_with(*rules: dict[str, Any]) -> Engine:
    rb = load_default()
    extra = [RuleSpec.model_validate({"title": "测试", "dimension": "服务规范", "points": 3, "message": "测试",
                                      **r}) for r in rules]
    return Engine(rb.model_copy(update={"rules": [*rb.rules, *extra]}))


def test_masks_hold_turns_and_never_a_whole_call_hit() -> None:
    assert mask_of([0, 2, 5]) == 0b100101
    assert mask_of([-1, 3]) == 0b1000  # the whole call (turn -1) is no member of a subset
    assert allows(None, 7) and allows(0b100, 2) and not allows(0b100, 1) and not allows(0b100, -1)


def test_identical_subtrees_share_one_slot() -> None:
    plan = default_engine(semantic=False).compiled.plan
    rule = default_engine(semantic=False).rule("closing.thanks_goodbye.v1")
    assert rule.match is not None and rule.match.all is not None
    # the rule's match and its 致谢 element are two copies of the same tree: one slot
    assert plan.slot_of[id(rule.match.all[0])] == plan.slot_of[id(rule.elements["致谢"])]
    assert len(plan.slots) < len(plan.slot_of)


def test_a_detector_reference_is_the_slot_of_the_detector() -> None:
    engine = default_engine(semantic=False)
    plan = engine.compiled.plan
    rule = engine.rule("closing.anything_else.v1")
    assert rule.match is not None and rule.match.within is not None
    reference = rule.match.within.of
    assert plan.slot_of[id(reference)] == plan.slot_of[id(engine.rulebook.detectors["anything_else"])]


def test_slots_whose_keys_are_absent_are_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    walked: list[str] = []
    monkeypatch.setitem(ops._OPS, "phrases", _noting(walked, ops._OPS["phrases"]))
    engine = engine_with({"id": "test.abuse.v1", "kind": "forbid", "match": {"phrases": {"lexicon": "forbidden"}}})
    match = engine.rule("test.abuse.v1").match
    assert match is not None
    polite = call(GREET, "市民：路灯坏了。", "坐席：好的，我们记录下来。")
    rude = call(GREET, "市民：路灯坏了。", "坐席：你烦不烦啊，这事不归我们管。")
    assert status(engine.inspect(polite), "test.abuse.v1") == "passed"
    assert ops.evaluate(match, CallContext(polite, engine.compiled)) == []
    assert "forbidden" not in walked  # no key of the lexicon in the call: answered [] without a walk
    assert ops.evaluate(match, CallContext(rude, engine.compiled))
    assert "forbidden" in walked
    # the verdict pass skips it the same way
    quiet = CallContext(polite, engine.compiled)
    assert vd.verdict(match, quiet) == 0 and quiet.walked == 0
    loud = CallContext(rude, engine.compiled)
    assert vd.verdict(match, loud) and loud.walked == 1


def _noting(walked: list[str], phrases: Any) -> Any:
    def counting(node: Any, ctx: Any, allowed: Any) -> Any:
        walked.append(node.phrases.lexicon_names()[0] if node.phrases.lexicon_names() else "inline")
        return phrases(node, ctx, allowed)

    return counting


NONE = {"phrases": {"phrases": ["查无此事的短语"]}}  # absent from every call here
SILENCE = {"silence": {"min_seconds": 5}}  # cannot apply without times


@pytest.mark.parametrize(("match", "untimed"), [
    ({"all": [NONE, SILENCE]}, "na"),  # all: any part N/A makes the whole N/A
    ({"sequence": [SILENCE, NONE]}, "na"),  # sequence: N/A when a part before the absent one is N/A
    ({"sequence": [NONE, SILENCE]}, "passed"),  # …and [] when the absent part comes first
])
def test_a_skip_never_turns_not_applicable_into_passed(match: dict[str, Any], untimed: str) -> None:
    """An absent phrase alone would answer []; beside a timing operator on a call without times it must not
    hide that the rule cannot apply."""
    engine = engine_with({"id": "test.mixed.v1", "kind": "forbid", "match": match})
    assert status(engine.inspect(call(GREET, "市民：路灯坏了。")), "test.mixed.v1") == untimed
    timed = Call("t", [Turn(Speaker.AGENT, "您好。", 0.0, 1.0), Turn(Speaker.CITIZEN, "路灯坏了。", 1.5, 3.0)])
    assert status(engine.inspect(timed), "test.mixed.v1") == "passed"


def test_a_timed_scope_is_not_skipped_into_passed() -> None:
    """A ``within`` of the first seconds needs times: on a transcript without them it is N/A, not passed."""
    match = {"within": {"first_seconds": 10, "of": NONE}}
    engine = engine_with({"id": "test.timed.v1", "kind": "forbid", "match": match})
    assert status(engine.inspect(call(GREET, "市民：路灯坏了。")), "test.timed.v1") == "na"


def test_count_without_a_minimum_is_never_skipped() -> None:
    """``count`` with no minimum hits the whole call even when what it counts is absent."""
    match = {"count": {"of": NONE, "max": 0}}
    engine = engine_with({"id": "test.count.v1", "kind": "award", "match": match})
    assert status(engine.inspect(call(GREET, "市民：路灯坏了。")), "test.count.v1") == "awarded"


def test_an_act_slot_is_skipped_only_when_the_act_is_absent() -> None:
    engine = engine_with({"id": "test.dismiss.v1", "kind": "forbid", "match": {"act": {"name": "agent.dismiss"}}})
    rude = call(GREET, "市民：路灯坏了好几天了。", "坐席：这事你去找街道办吧。")
    polite = call(GREET, "市民：路灯坏了好几天了。", "坐席：好的，我马上给您登记，转交城管部门处理。")
    assert status(engine.inspect(rude), "test.dismiss.v1") == "failed"
    assert status(engine.inspect(polite), "test.dismiss.v1") == "passed"


def _probe_engine(monkeypatch: pytest.MonkeyPatch, probe: Any) -> Engine:
    """An engine with one Python rule that runs ``probe(call)`` while each call is judged. A Python rule is
    called through the rulebook's ``impl``: it runs inside the judging whether the engine is compiled or not."""
    import sys
    import types

    from hotline.inspect.python_rules import resolve

    module = types.ModuleType("hotline_test_probe")
    module.probe = lambda c: probe(c) or []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hotline_test_probe", module)
    resolve.cache_clear()
    return engine_with({"id": "test.probe.v1", "kind": "python", "impl": "hotline_test_probe:probe"})


@pytest.mark.parametrize("how", ["inspect", "inspect_batch"])
def test_the_cycle_collector_waits_while_calls_are_judged(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    seen: list[bool] = []
    engine = _probe_engine(monkeypatch, lambda c: seen.append(gc.isenabled()))
    c = call(GREET, "市民：路灯坏了。")
    assert gc.isenabled()
    engine.inspect(c) if how == "inspect" else engine.inspect_batch([c, c])
    assert seen and not any(seen)  # paused while judging…
    assert gc.isenabled()  # …and on again after
    gc.disable()
    try:
        engine.inspect(c) if how == "inspect" else engine.inspect_batch([c])
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()


@pytest.mark.parametrize("how", ["inspect", "inspect_batch"])
def test_the_contexts_are_gone_before_the_collector_is_on_again(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first collection after the pause walks every object made during it that is still alive: the
    calls' contexts must already be freed (by reference counts) when the collector is turned back on."""
    import gc

    from hotline.inspect.context import CallContext

    def contexts() -> int:
        return sum(isinstance(o, CallContext) for o in gc.get_objects())

    during: list[int] = []
    alive_at_enable: list[int] = []
    enable = gc.enable

    def noting_enable() -> None:
        alive_at_enable.append(contexts())
        enable()

    engine = _probe_engine(monkeypatch, lambda c: during.append(contexts()))
    c = call(GREET, "市民：路灯坏了。")
    before = contexts()
    monkeypatch.setattr(gc, "enable", noting_enable)
    engine.inspect(c) if how == "inspect" else engine.inspect_batch([c, c])
    assert during and max(during) > before  # the contexts were alive (and seen) while judging…
    assert alive_at_enable == [before]  # …and gone before the collector came back


def _walks_of_the_answer(monkeypatch: pytest.MonkeyPatch, *, partial: bool) -> int:
    """How often the tree walk runs the ``turn`` test an unanswered rule expects as its answer, on a call whose
    rule fails (two of the three windows hold no usable 登记)."""
    walked: list[int] = []
    turn = ops._OPS["turn"]

    def counting(node: Any, ctx: Any, allowed: Any) -> Any:
        walked.append(id(node))
        return turn(node, ctx, allowed)

    monkeypatch.setitem(ops._OPS, "turn", counting)
    expect = {"turn": {"has": [{"phrases": {"phrases": ["登记"]}}], "lacks": [{"regex": {"pattern": "没用"}}]}}
    engine = engine_with({"id": "test.window.v1", "kind": "forbid", "utterance": True,
                          "match": {"unanswered": {"trigger": {"phrases": {"phrases": ["你去找"]}},
                                                   "expect": expect, "within": 1}}})
    sc = engine.inspect(call(GREET, "市民：路灯坏了。", "坐席：你去找物业。", "市民：物业不管。", "坐席：你去找街道。",
                             "市民：街道也不管。", "坐席：你去找社区，登记了也没用。", "市民：好吧。", "坐席：我给您登记。"),
                        partial=partial)
    assert status(sc, "test.window.v1") == "failed"  # two windows hold no usable 登记 (the last one is answered)
    assert [f.turn_index for f in sc.findings if f.rule_id == "test.window.v1"] == [2, 4]
    node = engine.rule("test.window.v1").match.unanswered.expect  # type: ignore[union-attr]
    return walked.count(id(node))


def test_a_turn_test_of_turn_by_turn_parts_is_walked_once_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``turn`` test whose ``has`` and ``lacks`` hit turn by turn is filterable: every trigger's window reads the
    whole call's answer, filtered, instead of walking the test again under its own mask (a live call: the tree
    walk judges it)."""
    assert _walks_of_the_answer(monkeypatch, partial=True) == 1


def test_a_finished_calls_findings_read_whether_a_window_is_answered_from_the_verdicts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On a finished call the verdict pass has found which windows are answered: the walk that builds the failed
    rule's hits reads that (``operators.turns_hit``) instead of building the answer's hits again."""
    assert _walks_of_the_answer(monkeypatch, partial=False) == 0


def test_nodes_share_a_shape_exactly_when_their_dumps_are_equal() -> None:
    """``plan.shape`` (read field by field) groups a rulebook's nodes as their JSON dumps do: the default and the
    example city's."""
    example = Path(__file__).resolve().parents[2] / "examples" / "city-rulebook.yaml"
    for rb in (load_default(), load_rulebook(example)):
        by_dump: dict[str, set[int]] = {}
        by_shape: dict[object, set[int]] = {}
        known: dict[int, object] = {}  # as build_plan reads them: each subtree once
        for root in _roots(rb):
            for node in iter_nodes(root):
                assert shape(node, known) == shape(node)
                dump = json.dumps(node.model_dump(mode="json", exclude_none=True), sort_keys=True, ensure_ascii=False)
                by_dump.setdefault(dump, set()).add(id(node))
                by_shape.setdefault(shape(node), set()).add(id(node))
        assert sorted(map(sorted, by_dump.values())) == sorted(map(sorted, by_shape.values()))
        assert len(by_shape) < sum(map(len, by_shape.values()))  # some nodes do share a shape


def test_a_shape_tells_scalars_apart_as_json_does() -> None:
    def turn_node(value: object) -> Matcher:
        return Matcher.model_construct(turn=None, silent_call=value)

    shapes = [shape(turn_node(v)) for v in (True, 1, 1.0, "1")]
    assert len(set(shapes)) == 4
    assert shape(Matcher(silent_call=True)) == shape(Matcher(silent_call=True))
