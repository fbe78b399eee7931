"""A forbidding rule's hits become findings one per turn (``engine._one_per_turn``): most lists are answered by one
look at each hit (``_spread``, helper s39); every list gives what the plain definition (``_sorted_out``) gives."""

from __future__ import annotations

import random

from hotline.inspect import engine as eng
from hotline.inspect.context import Hit


def _act(turn: int, start: int, end: int, p: float) -> Hit:
    return Hit(turn, start, end, "", f"act|agent.dismiss|{p:.2f}|0.50")


def _random_hits(rnd: random.Random) -> list[Hit]:
    hits = []
    for _ in range(rnd.randint(2, 6)):
        kind = rnd.random()
        turn = rnd.choice([-1, 0, 0, 1, 2, 3, 7, 64, 70])
        start = rnd.randint(0, 12)
        end = start + rnd.choice([0, 1, 2, 3, 5, 8])
        if kind < 0.35:
            hits.append(_act(max(turn, 0), start, end, rnd.choice([0.51, 0.6, 0.6, 0.93, 1.0])))
        elif kind < 0.45:
            hits.append(Hit(turn, 0, 0, rnd.choice(["冷场 3.0 秒", "语速 400 字/分钟，过快"])))
        else:
            hits.append(Hit(turn, start, end))
    if rnd.random() < 0.2:
        hits.append(rnd.choice(hits))  # a hit twice
    return hits


EDGES = [
    [Hit(0, 0, 2), Hit(1, 3, 5)],  # two turns: both kept
    [Hit(0, 0, 2), Hit(0, 1, 4)],  # overlapping in one turn: the later dropped
    [Hit(0, 0, 2), Hit(0, 2, 4)],  # touching, not overlapping
    [Hit(0, 3, 3), Hit(0, 1, 5)],  # an empty span is never dropped
    [Hit(-1, 0, 0), Hit(-1, 0, 0, "冷场 3.0 秒")],  # whole-call hits
    [Hit(0, 0, 2), _act(0, 0, 6, 0.9)],  # an act hit in a turn a phrase holds: dropped
    [Hit(0, 0, 2), _act(1, 0, 6, 0.9)],  # an act hit alone in its turn: kept
    [_act(1, 0, 6, 0.7), _act(1, 7, 9, 0.9), _act(1, 10, 12, 0.9)],  # the likeliest, the first of a tie
    [Hit(2, 0, 2), _act(2, 0, 6, 0.9), Hit(0, 4, 6)],  # order of the list kept
    [Hit(70, 0, 2), Hit(70, 1, 3), Hit(3, 0, 1)],  # a turn past 63
    [Hit(0, 5, 9), Hit(0, 5, 9)],  # the same span twice
]


def test_one_per_turn_is_its_plain_definition() -> None:
    rnd = random.Random(39)
    spread = 0
    for hits in [*EDGES, *(_random_hits(rnd) for _ in range(20000))]:
        want = eng._sorted_out(list(hits))
        assert eng._one_per_turn(list(hits)) == want, hits
        spread += eng._spread(hits) is not None
    assert spread > 2000  # the quick answer is taken, not only the plain one


def test_the_quick_answer_is_taken_where_nothing_is_dropped_or_added() -> None:
    assert eng._spread([Hit(0, 0, 2), Hit(1, 3, 5)]) == [Hit(0, 0, 2), Hit(1, 3, 5)]
    assert eng._spread([Hit(0, 0, 2), _act(0, 0, 6, 0.9), Hit(-1, 0, 0, "x")]) == [Hit(0, 0, 2), Hit(-1, 0, 0, "x")]
    assert eng._spread([Hit(0, 0, 2), Hit(0, 1, 4)]) is None  # two spans in one turn
    assert eng._spread([Hit(0, 0, 2), _act(1, 0, 6, 0.9)]) is None  # an act hit alone in its turn
    hits = [Hit(0, 0, 2), Hit(1, 3, 5)]
    assert eng._one_per_turn(hits) is hits  # (nothing made)


def test_what_a_rule_is_asked_on_every_call_is_read_once_as_its_spec_says() -> None:
    from hotline.inspect import default_engine

    engine = default_engine(semantic=False)
    for rule in engine._loop:
        assert rule.goal == rule.spec.goal
    assert any(rule.goal is not None for rule in engine._loop)
    assert engine._pass_mark == engine.rulebook.scoring.pass_mark


def test_the_points_summed_while_judging_are_those_of_the_outcomes_that_applied() -> None:
    """``Engine._run`` sums each dimension's points as it judges (a passed rule's 0.0 not added, its dimension noted):
    the card is the one scored from its outcomes afresh (``scoring.applied``), dimensions in the same order."""
    from hotline.content import data_path
    from hotline.formats import read_calls
    from hotline.inspect import default_engine
    from hotline.inspect.context import CallContext

    engine = default_engine(semantic=False)
    calls = list(read_calls(data_path("samples", "calls")))
    assert calls
    statuses: set[str] = set()
    for call in calls:
        card = engine._run(CallContext(call, engine.compiled), engine._loop)
        again = engine._form.score(call.id, card.outcomes, card.findings, has_text=True)
        assert list(card.dimensions.items()) == list(again.dimensions.items()), call.id
        assert card.total == again.total, call.id
        statuses |= {o.status for o in card.outcomes}
    assert {"passed", "failed", "na"} <= statuses
    assert eng._NO_FINDINGS == []  # (shared by every rule that did not fail: never changed)
