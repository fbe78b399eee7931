"""The scorecard arithmetic on its own: deductions capped per rule, awards, N/A rules and dimensions
left out and the total rescaled, a critical finding keeping a call under the pass mark, 一票否决."""

import pytest

from hotline.inspect.scoring import score
from hotline.model import Finding, RuleOutcome, Severity
from hotline.norms import load_default
from hotline.norms.schema import DimensionSpec, ScoringForm


def rulebook(pass_mark: float = 80, critical_fails: bool = True):  # noqa: ANN201
    form = ScoringForm(name="测试", pass_mark=pass_mark, critical_fails=critical_fails, dimensions=[
        DimensionSpec(name="甲", points=50), DimensionSpec(name="乙", points=30), DimensionSpec(name="丙", points=20)])
    return load_default().model_copy(update={"scoring": form})


def finding(dim: str, severity: Severity = Severity.MAJOR, veto: bool = False) -> Finding:
    return Finding("x.y.v1", dim, severity, 0, None, "", "", veto=veto)


def test_na_dimensions_are_left_out_and_the_total_rescaled() -> None:
    outcomes = [RuleOutcome("a.a.v1", "甲", "failed", -10.0), RuleOutcome("b.b.v1", "乙", "passed", 0.0),
                RuleOutcome("c.c.v1", "丙", "na", 0.0)]
    card = score("c", rulebook(), outcomes, [finding("甲")])
    assert card.dimensions == {"甲": 40.0, "乙": 30.0}
    assert "丙" not in card.dimensions
    assert card.total == pytest.approx(100 * 70 / 80, abs=0.05)  # 87.5, not 70/100 nor 90/100


def test_a_dimension_never_goes_below_zero_or_above_its_points() -> None:
    outcomes = [RuleOutcome("a.a.v1", "甲", "failed", -80.0), RuleOutcome("b.b.v1", "乙", "awarded", 5.0)]
    card = score("c", rulebook(), outcomes, [])
    assert card.dimensions == {"甲": 0.0, "乙": 30.0}


def test_a_call_where_nothing_applies_is_not_scored_as_zero() -> None:
    card = score("c", rulebook(), [RuleOutcome("a.a.v1", "甲", "na", 0.0)], [])
    assert card.dimensions == {} and card.total == 100.0


def test_a_critical_finding_keeps_the_call_under_the_pass_mark() -> None:
    outcomes = [RuleOutcome("a.a.v1", "甲", "failed", -5.0), RuleOutcome("b.b.v1", "乙", "passed", 0.0)]
    mild = score("c", rulebook(), outcomes, [finding("甲", Severity.MAJOR)])
    assert mild.total == pytest.approx(93.8, abs=0.05)
    critical = score("c", rulebook(), outcomes, [finding("甲", Severity.CRITICAL)])
    assert critical.total == 79.0
    assert score("c", rulebook(pass_mark=90), outcomes, [finding("甲", Severity.CRITICAL)]).total == 89.0
    off = score("c", rulebook(critical_fails=False), outcomes, [finding("甲", Severity.CRITICAL)])
    assert off.total == mild.total


def test_veto_zeroes_the_call_whatever_the_dimensions() -> None:
    outcomes = [RuleOutcome("a.a.v1", "甲", "failed", -1.0), RuleOutcome("b.b.v1", "乙", "passed", 0.0)]
    card = score("c", rulebook(), outcomes, [finding("甲", Severity.CRITICAL, veto=True)])
    assert card.vetoed and card.total == 0.0
    assert card.dimensions == {"甲": 49.0, "乙": 30.0}  # the dimensions still show where points went


def test_engine_caps_repeated_deductions_of_one_rule() -> None:
    from helpers import call, status

    from hotline.inspect import default_engine

    c = call("坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？", "市民：我想问个事。",
             "坐席：你说吧，你那边是哪里？你住哪儿？你电话多少？你叫啥？你几号来的？")
    card = default_engine(semantic=False).inspect(c)
    assert status(card, "polite.informal_you.v1") == "failed"
    outcome = next(o for o in card.outcomes if o.rule_id == "polite.informal_you.v1")
    rule = default_engine().rule("polite.informal_you.v1")
    assert len([f for f in card.findings if f.rule_id == rule.id]) >= 5
    assert outcome.points == -rule.max_deduction


def test_outcomes_the_same_for_every_call_are_shared_and_cannot_change() -> None:
    """A passed (or N/A, or awarded) rule's outcome is one object for every call; frozen, so no card can alter
    another's."""
    import dataclasses

    from helpers import call

    from hotline.inspect import default_engine

    engine = default_engine(semantic=False)
    a = engine.inspect(call("坐席：您好，12345热线，请问有什么可以帮您？", "市民：路灯坏了。"))
    b = engine.inspect(call("坐席：您好，12345热线，请问有什么可以帮您？", "市民：井盖丢了。"))
    same = [(x, y) for x, y in zip(a.outcomes, b.outcomes, strict=True) if x.status == y.status != "failed"]
    assert same and all(x is y for x, y in same)
    with pytest.raises(dataclasses.FrozenInstanceError):
        same[0][0].status = "failed"  # type: ignore[misc]


def test_the_engine_sums_the_dimensions_while_judging_as_scoring_sums_the_outcomes() -> None:
    """The engine adds up each dimension's points as it judges the rules (``applicable``); the scorecard must be
    the one ``score`` makes from the outcomes alone: deductions, awards and N/A alike, dimensions in the same order.
    An award and a deduction in one dimension show both (an award alone is capped at the dimension's points)."""
    from helpers import call
    from test_plan import engine_with

    from hotline.content import data_path
    from hotline.formats import read_calls

    engine = engine_with({"id": "test.award.v1", "kind": "award", "points": 2,
                          "match": {"phrases": {"phrases": ["您好"], "speaker": "agent"}}},
                         {"id": "test.forbid.v1", "kind": "forbid", "points": 5,
                          "match": {"phrases": {"phrases": ["不归我管"], "speaker": "agent"}}})
    both = call("坐席：您好，12345热线。", "市民：楼道灯坏了。", "坐席：这个不归我管。")
    calls = [both, *read_calls(data_path("samples", "calls"))]
    for c in calls:
        card = engine.inspect(c)
        again = score(c.id, engine.rulebook, card.outcomes, card.findings)
        assert list(card.dimensions.items()) == list(again.dimensions.items()), c.id
        assert (card.total, card.vetoed) == (again.total, again.vetoed), c.id
    statuses = {o.rule_id: o.status for o in engine.inspect(both).outcomes}
    assert (statuses["test.award.v1"], statuses["test.forbid.v1"]) == ("awarded", "failed")


def test_calls_that_lose_the_same_points_on_a_rule_share_its_failed_outcome() -> None:
    """A failed outcome is made once per rule and deduction (``Engine._failed``) and shared, as passed ones are:
    the same object for two calls that lose the same points, another for other points; the cards read as made
    afresh (fails when every failed outcome is made anew)."""
    from helpers import call

    from hotline.inspect import default_engine

    engine = default_engine(semantic=False)
    rude = call("坐席：你烦不烦啊", "市民：我想问一下路灯的事")
    cards = [engine.inspect(rude), engine.inspect(rude)]
    failed = [[o for o in card.outcomes if o.status == "failed"] for card in cards]
    assert failed[0] and len(failed[0]) == len(failed[1])
    for a, b in zip(*failed, strict=True):
        assert a is b
        assert a == RuleOutcome(a.rule_id, a.dimension, "failed", a.points) and a.points < 0
    rule = failed[0][0]
    other = engine._failed(engine._loop[[r.id for r in engine._loop].index(rule.rule_id)], rule.points * 2)
    assert other is not rule and other.points == rule.points * 2
