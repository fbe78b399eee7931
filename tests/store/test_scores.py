"""复核 and 申诉 change the score in force; the engine's score and the history stay."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.content import data_path
from hotline.formats import read_call
from hotline.inspect import default_engine
from hotline.inspect.scoring import critical_cap, rescore
from hotline.model import Finding, RuleOutcome, Scorecard, Severity
from hotline.store.accounts import create_user
from hotline.store.imports import store_call
from hotline.store.models import Role, ScoreChange, Verdict
from hotline.store.queries import CallFilter, list_calls
from hotline.store.reviews import appeal_finding, decide_appeal, review_finding


def _card(rules: list[tuple[str, str, float, bool]], outcomes: list[tuple[str, str, float]]) -> Scorecard:
    findings = [Finding(r, d, Severity.MAJOR, 0, None, "", "", "", p, v) for r, d, p, v in rules]
    outs = [RuleOutcome(r, d, "failed" if pts < 0 else "passed", pts) for r, d, pts in outcomes]
    maxes = {"礼貌": 20.0, "禁语": 40.0}
    from hotline.inspect.scoring import _tally

    return _tally("c", "t", maxes, outs, findings)


# (findings (rule, dimension, points, veto), outcomes (rule, dimension, points), dropped, total, vetoed, dims)
RESCORE = [
    # two findings of a rule capped at one deduction: dropping one keeps the cap, dropping both passes the rule
    ([("a", "礼貌", 5, False), ("a", "礼貌", 5, False)], [("a", "礼貌", -5)], [0], 91.7, False, {"礼貌": 15.0, "禁语": 40.0}),
    ([("a", "礼貌", 5, False), ("a", "礼貌", 5, False)], [("a", "礼貌", -5)], [0, 1], 100.0, False, {"礼貌": 20.0, "禁语": 40.0}),
    # a rule deducting per finding (cap 10): one of three dropped deducts twice
    ([("b", "礼貌", 4, False)] * 3, [("b", "礼貌", -10)], [2], 86.7, False, {"礼貌": 12.0, "禁语": 40.0}),
    # the veto goes with its finding; another rule's deduction stays
    ([("v", "禁语", 20, True), ("a", "礼貌", 5, False)], [("v", "禁语", -20), ("a", "礼貌", -5)], [0], 91.7, False,
     {"礼貌": 15.0, "禁语": 40.0}),
    ([("v", "禁语", 20, True), ("a", "礼貌", 5, False)], [("v", "禁语", -20), ("a", "礼貌", -5)], [1], 0.0, True,
     {"礼貌": 20.0, "禁语": 20.0}),
    # nothing dropped: the engine's score
    ([("a", "礼貌", 5, False)], [("a", "礼貌", -5), ("z", "禁语", 0)], [], 91.7, False, {"礼貌": 15.0, "禁语": 40.0}),
]


@pytest.mark.parametrize(("findings", "outcomes", "dropped", "total", "vetoed", "dims"), RESCORE)
def test_rescore_table(findings, outcomes, dropped, total, vetoed, dims):
    card = _card(findings, [*outcomes, ("z", "禁语", 0)] if all(o[0] != "z" for o in outcomes) else outcomes)
    out = rescore(card, dropped)
    assert (out.total, out.vetoed, out.dimensions) == (total, vetoed, dims)


def test_rescore_with_nothing_dropped_is_the_engine_score_on_every_sample():
    eng = default_engine()
    for path in sorted(data_path("samples", "calls").iterdir()):
        card = eng.inspect(read_call(path))
        again = rescore(card, [], critical_cap(eng.rulebook))
        assert (again.total, again.vetoed, again.dimensions) == (card.total, card.vetoed, card.dimensions), path.name


def test_a_critical_finding_caps_the_total_only_while_it_stands():
    from hotline.inspect.scoring import _tally

    findings = [Finding("c", "禁语", Severity.CRITICAL, 0, None, "", "", "", 1.0, False)]
    card = _tally("c", "t", {"禁语": 40.0}, [RuleOutcome("c", "禁语", "failed", -1.0)], findings, 79.0)
    assert card.total == 79.0
    assert rescore(card, [0], 79.0).total == 100.0
    assert rescore(card, [], 79.0).total == 79.0


@pytest.fixture
def vetoed_call(factory):
    db = factory()
    insp = create_user(db, "insp", "Long-enough-1", Role.INSPECTOR)
    agent = create_user(db, "agent", "Long-enough-1", Role.TRAINEE, agent_code="1001")
    admin = create_user(db, "admin", "Long-enough-1", Role.ADMIN)
    call = read_call(data_path("samples", "calls", "16_saorao_retort.txt"))
    call.meta["agent_id"] = "1001"
    row = store_call(db, call, default_engine().inspect(call), batch_id=None)
    db.commit()
    yield db, row, insp, agent, admin
    db.close()


def test_overturning_the_veto_changes_the_score_everywhere_and_keeps_the_engine_score(vetoed_call):
    db, row, insp, _, _ = vetoed_call
    card = row.scorecard
    assert card.vetoed and card.total == 0.0
    vetoes = [f for f in card.findings if f.veto]
    for veto in vetoes:
        review_finding(db, veto.id, insp, Verdict.OVERTURNED, "市民先骂人，坐席是在制止")
    db.commit()
    assert not card.vetoed and card.total > 0
    assert card.engine_total == 0.0 and card.engine_vetoed and card.rescored
    [listed] = list_calls(db, insp, CallFilter())
    assert listed.card.total == card.total and not listed.card.vetoed
    changes = db.scalars(select(ScoreChange).order_by(ScoreChange.id)).all()
    assert len(changes) == len(vetoes)
    assert (changes[0].total_before, changes[0].vetoed_before) == (0.0, True) and changes[-1].vetoed_after is False
    assert changes[-1].user_id == insp.id and changes[-1].note == "市民先骂人，坐席是在制止" and changes[-1].cause == "review"
    review_finding(db, vetoes[0].id, insp, Verdict.CONFIRMED, "复议后确认")  # changing one's mind restores the veto
    assert card.vetoed and card.total == 0.0
    assert len(db.scalars(select(ScoreChange)).all()) == len(vetoes) + 1


def test_an_upheld_appeal_raises_the_score_a_rejected_one_does_not(vetoed_call):
    db, row, insp, agent, admin = vetoed_call
    card = row.scorecard
    plain = [f for f in card.findings if not f.veto and f.severity != "critical" and f.points]
    for f in plain[:2]:
        review_finding(db, f.id, insp, Verdict.CONFIRMED)
    for f in card.findings:  # vetoes and critical findings (which cap the total) overturned first
        if f.veto or f.severity == "critical":
            review_finding(db, f.id, insp, Verdict.OVERTURNED)
    before = card.total
    first = appeal_finding(db, plain[0].id, agent, "复述")
    second = appeal_finding(db, plain[1].id, agent, "复述")
    decide_appeal(db, first.id, admin, upheld=False, note="维持")
    assert card.total == before
    decide_appeal(db, second.id, admin, upheld=True, note="确为复述")
    assert card.total > before
    changes = db.scalars(select(ScoreChange).order_by(ScoreChange.id)).all()
    assert [c.cause for c in changes][-2:] == ["appeal", "appeal"]
    assert changes[-1].verdict == "upheld" and changes[-1].total_after == card.total
