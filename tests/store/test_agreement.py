"""Agreement maths on tables whose answers were worked out by hand: precision, recall and Cohen's κ
per rule from 复核 results, and κ between two raters."""

from __future__ import annotations

import pytest

from hotline.store.agreement import Table, rule_agreement


@pytest.mark.parametrize(("table", "observed", "kappa"), [
    # pₒ = 35/50 = .7; A says yes 25, B 30: pₑ = (25·30 + 25·20)/2500 = .5; κ = (.7 − .5)/(1 − .5) = .4
    (Table(20, 5, 10, 15), 0.7, 0.4),
    # full agreement: κ = 1 whatever the base rate
    (Table(3, 0, 0, 7), 1.0, 1.0),
    # total disagreement on a balanced table: pₒ = 0, pₑ = .5, κ = −1
    (Table(0, 5, 5, 0), 0.0, -1.0),
    # agreement no better than chance: pₒ = .5 = pₑ
    (Table(1, 1, 1, 1), 0.5, 0.0),
    # a rare rule: pₒ = .94; A says yes 10 times, B 8 times of 100:
    # pₑ = (10·8 + 90·92)/10000 = .836; κ = (.94 − .836)/.164 = .634146…
    (Table(6, 4, 2, 88), 0.94, 0.10400 / 0.16400),
])
def test_kappa_and_observed_agreement(table, observed, kappa):
    assert table.observed == pytest.approx(observed)
    assert table.kappa == pytest.approx(kappa)


def test_kappa_is_undefined_when_both_raters_never_change_their_answer():
    assert Table(0, 0, 0, 5).kappa is None and Table(4, 0, 0, 0).kappa is None
    assert Table().kappa is None and Table().observed is None


def test_table_of_pairs_counts_each_cell():
    pairs = [(True, True)] * 3 + [(True, False)] * 2 + [(False, True)] + [(False, False)] * 4
    assert Table.of(pairs) == Table(3, 2, 1, 4)
    assert Table.of(pairs).recall == pytest.approx(3 / 4)


def test_rule_agreement_from_reviews_and_added_findings():
    """Cards 1–5. Rule A: card 1 upheld, card 2 overturned (its second finding not reviewed), card 3
    added as 漏判, card 5 never reviewed. Rule B: card 1 overturned, card 3 not reviewed although the
    card was (no decision on B there), card 4 added. Reviewed cards: 1, 2, 3, 4."""
    findings = [(1, "A", "confirmed"), (1, "B", "overturned"), (2, "A", "overturned"), (2, "A", None),
                (3, "B", None), (5, "A", None)]
    added = [(3, "A"), (4, "B")]
    out = rule_agreement(findings, added)
    a, b = out["A"], out["B"]
    assert (a.reviewed, a.upheld, a.precision, a.added) == (2, 1, 0.5, 1)
    assert a.table == Table(both=1, only_a=1, only_b=1, neither=1)  # card 1, card 2, card 3, card 4 (silent)
    assert a.table.kappa == pytest.approx(0.0) and a.recall == pytest.approx(0.5)
    assert (b.reviewed, b.upheld, b.precision) == (1, 0, 0.0)
    assert b.table == Table(both=0, only_a=1, only_b=1, neither=1)  # card 1, card 4, card 2 (silent); card 3 left out
    # pₒ = 1/3, pₑ = (1·1 + 2·2)/9 = 5/9: κ = (3/9 − 5/9)/(4/9) = −.5
    assert b.table.kappa == pytest.approx(-0.5) and b.recall == 0.0


def test_recall_needs_added_findings():
    out = rule_agreement([(1, "A", "confirmed"), (2, "A", "confirmed")], [])
    assert out["A"].precision == 1.0 and out["A"].recall is None
    assert out["A"].table == Table(2, 0, 0, 0) and out["A"].table.kappa is None
