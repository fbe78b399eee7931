"""复核, 申诉 and rule precision, and the result-list filters with the trainee's scope."""

from __future__ import annotations

from datetime import date

import pytest
from store_factories import make_call, make_card

from hotline.store.accounts import create_user
from hotline.store.imports import store_call
from hotline.store.models import Role, Verdict
from hotline.store.queries import CallFilter, count_calls, list_calls, overview
from hotline.store.reviews import (
    ReviewError,
    appeal_finding,
    decide_appeal,
    may_appeal,
    review_finding,
    rule_precision,
)


@pytest.fixture
def world(factory):
    """A lead, an inspector reporting to them, two agents, an admin, and three scored calls."""
    db = factory()
    lead = create_user(db, "lead", "long-enough-1", Role.INSPECTOR)
    insp = create_user(db, "insp", "long-enough-1", Role.INSPECTOR, lead_id=lead.id)
    agent = create_user(db, "agent", "long-enough-1", Role.TRAINEE, agent_code="1001")
    other = create_user(db, "other", "long-enough-1", Role.TRAINEE, agent_code="1002")
    admin = create_user(db, "admin", "long-enough-1", Role.ADMIN)
    rules = ("forbidden.phrase.v1", "greeting.standard.v1")
    calls = [
        store_call(db, make_call("c1", "1001", "2026-11-01"), make_card(make_call("c1"), 55, rules), batch_id=None),
        store_call(db, make_call("c2", "1001", "2026-11-05"), make_card(make_call("c2"), 92, rules[1:]), batch_id=None),
        store_call(db, make_call("c3", "1002", "2026-11-03"), make_card(make_call("c3"), 75, rules[:1]), batch_id=None),
    ]
    db.commit()
    yield db, dict(lead=lead, insp=insp, agent=agent, other=other, admin=admin), calls
    db.close()


def finding(call, rule_id):
    return next(f for f in call.scorecard.findings if f.rule_id == rule_id)


def test_precision_is_confirmed_over_reviewed_per_rule(world):
    db, u, calls = world
    review_finding(db, finding(calls[0], "forbidden.phrase.v1").id, u["insp"], Verdict.CONFIRMED)
    review_finding(db, finding(calls[2], "forbidden.phrase.v1").id, u["insp"], Verdict.OVERTURNED, "引用市民原话")
    review_finding(db, finding(calls[1], "greeting.standard.v1").id, u["insp"], "confirmed")
    prec = rule_precision(db)
    assert (prec["forbidden.phrase.v1"].reviewed, prec["forbidden.phrase.v1"].confirmed) == (2, 1)
    assert prec["forbidden.phrase.v1"].value == 0.5 and prec["greeting.standard.v1"].value == 1.0
    review_finding(db, finding(calls[2], "forbidden.phrase.v1").id, u["insp"], Verdict.CONFIRMED)
    assert rule_precision(db)["forbidden.phrase.v1"].value == 1.0


def test_bad_verdict_is_refused(world):
    db, u, calls = world
    with pytest.raises(ReviewError, match="确认"):
        review_finding(db, finding(calls[0], "forbidden.phrase.v1").id, u["insp"], "maybe")


def test_appeal_once_then_the_reviewers_lead_decides(world):
    db, u, calls = world
    f = finding(calls[0], "forbidden.phrase.v1")
    with pytest.raises(ReviewError, match="经复核确认"):
        appeal_finding(db, f.id, u["agent"], "我说的是别的意思")
    review_finding(db, f.id, u["insp"], Verdict.CONFIRMED)
    assert may_appeal(u["agent"], calls[0], f) and not may_appeal(u["other"], calls[0], f)
    with pytest.raises(ReviewError, match="自己的通话"):
        appeal_finding(db, f.id, u["other"], "不是我")
    with pytest.raises(ReviewError, match="申诉理由"):
        appeal_finding(db, f.id, u["agent"], "  ")
    appeal = appeal_finding(db, f.id, u["agent"], "市民先说的这句话，我是在复述")
    with pytest.raises(ReviewError, match="只能申诉一次"):
        appeal_finding(db, f.id, u["agent"], "再申诉一次")
    with pytest.raises(ReviewError, match="申诉裁决为准"):
        review_finding(db, f.id, u["insp"], Verdict.CONFIRMED)
    with pytest.raises(ReviewError, match="组长或管理员"):
        decide_appeal(db, appeal.id, u["insp"], upheld=True)
    assert rule_precision(db)["forbidden.phrase.v1"].confirmed == 1
    decide_appeal(db, appeal.id, u["lead"], upheld=True, note="确为复述")
    assert f.review.verdict == Verdict.OVERTURNED.value
    assert rule_precision(db)["forbidden.phrase.v1"].confirmed == 0
    with pytest.raises(ReviewError, match="已裁决"):
        decide_appeal(db, appeal.id, u["admin"], upheld=False)


def test_rejected_appeal_keeps_the_finding(world):
    db, u, calls = world
    f = finding(calls[0], "greeting.standard.v1")
    review_finding(db, f.id, u["insp"], Verdict.CONFIRMED)
    appeal = appeal_finding(db, f.id, u["agent"], "开场白说了")
    decide_appeal(db, appeal.id, u["admin"], upheld=False)
    assert f.review.verdict == Verdict.CONFIRMED.value and appeal.status == "rejected"


@pytest.mark.parametrize(
    ("viewer", "flt", "expected"),
    [
        ("insp", CallFilter(), ["c2", "c3", "c1"]),
        ("agent", CallFilter(), ["c2", "c1"]),
        ("other", CallFilter(), ["c3"]),
        ("insp", CallFilter(agent="1002"), ["c3"]),
        ("insp", CallFilter(score_min=60, score_max=80), ["c3"]),
        ("insp", CallFilter(date_from=date(2026, 11, 2), date_to=date(2026, 11, 4)), ["c3"]),
        ("insp", CallFilter(rule_id="greeting.standard.v1"), ["c2", "c1"]),
        ("agent", CallFilter(agent="1002"), []),
    ],
)
def test_result_list_filters_and_scope(world, viewer, flt, expected):
    db, u, _ = world
    rows = list_calls(db, u[viewer], flt)
    assert [r.call.external_id for r in rows] == expected
    assert count_calls(db, u[viewer], flt) == len(expected)


def test_result_rows_carry_rule_hits_and_overview_counts(world):
    db, u, _ = world
    rows = {r.call.external_id: r for r in list_calls(db, u["insp"], CallFilter())}
    assert rows["c1"].rule_ids == ["forbidden.phrase.v1", "greeting.standard.v1"]
    ov = overview(db, u["insp"])
    assert (ov.calls, ov.average, ov.findings) == (3, round((55 + 92 + 75) / 3, 1), 4)
    assert ov.histogram[5] == 1 and ov.histogram[7] == 1 and ov.histogram[9] == 1 and sum(ov.histogram) == 3
    assert overview(db, u["other"]).calls == 1
