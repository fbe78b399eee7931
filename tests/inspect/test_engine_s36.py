"""Session 36: the rule loop sums the points of the rules that applied by dimension number (``Engine._run``), in a
list, not a dictionary by name; the scorecard's dimensions (values and order) against scoring the outcomes plainly
(``scoring.applied``)."""

from __future__ import annotations

from hotline.content import data_path
from hotline.formats import read_calls
from hotline.inspect import Engine, default_engine
from hotline.inspect.scoring import score
from hotline.model import Call, Scorecard, Speaker, Turn

SAMPLES: list[Call] = list(read_calls(data_path("samples", "calls")))


def _plain(engine: Engine, card: Scorecard) -> Scorecard:
    return score(card.call_id, engine.rulebook, card.outcomes, card.findings, has_text=card.scope != "timing")


def _same(engine: Engine, card: Scorecard) -> None:
    plain = _plain(engine, card)
    assert list(card.dimensions.items()) == list(plain.dimensions.items())  # the order too
    assert card.total == plain.total


def test_dimensions_are_those_of_the_outcomes_scored_plainly() -> None:
    """Finished and live calls (every prefix, end-of-call rules N/A on a live one), an empty call and one with
    only empty turns, digits, newlines and emoji (fails when a dimension's points are summed under another's)."""
    engine = default_engine(semantic=False)
    odd = Call(id="odd", turns=[Turn(Speaker.AGENT, ""), Turn(Speaker.CITIZEN, "12345\n😀 我家停水了"),
                                Turn(Speaker.AGENT, "您好，请问还有什么可以帮您？")])
    for call in [*SAMPLES, odd, Call(id="empty", turns=[])]:
        for n in range(len(call.turns) + 1):
            part = Call(id=call.id, turns=call.turns[:n], meta=call.meta)
            for partial in (False, True):
                _same(engine, engine.inspect(part, partial=partial))


def test_dimensions_keep_the_order_the_rules_that_applied_name_them() -> None:
    """A dimension whose first rule does not apply (an end-of-call rule on a live call) comes after one named by a
    rule that applied before its next rule (fails when the dimensions are given in the rulebook's order)."""
    base = default_engine(semantic=False).rulebook
    by_id = {r.id: r for r in base.rules}
    rules = [by_id["closing.anything_else.v1"], by_id["forbidden.phrase.v1"], by_id["polite.informal_you.v1"]]
    engine = Engine(base.model_copy(update={"rules": rules}))
    call = SAMPLES[0]
    live = engine.inspect(call, partial=True)
    assert [o.status for o in live.outcomes][0] == "na"
    assert list(live.dimensions) == [rules[1].dimension, rules[0].dimension] != [rules[0].dimension] * 2
    _same(engine, live)
    _same(engine, engine.inspect(call))
