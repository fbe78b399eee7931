"""Adaptive practice: weights toward weak topics and failed rules; inputs parsed strictly."""

from __future__ import annotations

import json

import pytest

from hotline.curriculum import CurriculumError
from hotline.curriculum.adaptive import (
    History,
    parse_rule_counts,
    parse_topic_scores,
    pick,
    rules_from_report,
    weight,
)

NOTHING = History({}, {})


def _topic_rules(cur):
    return {t: cur.rules_of_topic(t) for t in cur.topic_ids()}


def test_weights_rise_for_weak_topics_and_failed_rules(cur):
    q = cur.question("tab-01")  # taboo, trains forbidden.phrase.v1
    tr = _topic_rules(cur)
    base = weight(q, NOTHING, tr)
    assert base == 1.0
    assert weight(q, History({"taboo": (1, 10)}, {}), tr) > weight(q, History({"taboo": (9, 10)}, {}), tr) > base
    once = weight(q, History({}, {"forbidden.phrase.v1": 1}), tr)
    often = weight(q, History({}, {"forbidden.phrase.v1": 8}), tr)
    assert often > once > base
    other = cur.question("aff-01")  # no link to that rule
    assert weight(other, History({}, {"forbidden.phrase.v1": 8}), tr) == base


def test_pick_is_reproducible_and_without_repeats(cur):
    h = History({"empathy": (0, 5)}, {"listen.restate.v1": 3})
    a = [q.id for q in pick(cur.questions, h, _topic_rules(cur), 12, seed=7)]
    assert a == [q.id for q in pick(cur.questions, h, _topic_rules(cur), 12, seed=7)]
    assert len(set(a)) == 12


def test_pick_favours_the_failed_rule(cur):
    rule = "special.silent_protocol.v1"
    tr = _topic_rules(cur)
    linked = {q.id for q in cur.questions if rule in q.rules}
    share = len(linked) / len(cur.questions)
    hits = sum(q.id in linked for s in range(20) for q in pick(cur.questions, History({}, {rule: 6}), tr, 10, s))
    assert hits / 200 > 3 * share
    plain = sum(q.id in linked for s in range(20) for q in pick(cur.questions, NOTHING, tr, 10, s))
    assert hits > 2 * plain


def test_pick_favours_weak_topics(cur):
    tr = _topic_rules(cur)
    h = History({"work_orders": (0, 10), **{t: (10, 10) for t in cur.topic_ids() if t != "work_orders"}}, {})
    got = [q.topic for s in range(10) for q in pick(cur.questions, h, tr, 10, s)]
    assert got.count("work_orders") / len(got) > 2 * len(cur.by_topic("work_orders")) / len(cur.questions)


@pytest.mark.parametrize(
    ("items", "expected"),
    [(["forbidden.phrase.v1=3"], {"forbidden.phrase.v1": 3}),
     (["a.v1", "a.v1=2"], {"a.v1": 3}),
     (["a.v1=1,b.v1=4"], {"a.v1": 1, "b.v1": 4})],
)
def test_parse_rule_counts(items, expected):
    assert parse_rule_counts(items) == expected


def test_parse_rule_counts_rejects_non_numbers():
    with pytest.raises(CurriculumError, match="整数"):
        parse_rule_counts(["a.v1=many"])


def test_parse_topic_scores(cur):
    assert parse_topic_scores(["taboo=3/10"], set(cur.topic_ids())) == {"taboo": (3, 10)}
    for bad in ["taboo=3", "taboo=11/10", "taboo=1/0", "nope=1/2"]:
        with pytest.raises(CurriculumError):
            parse_topic_scores([bad], set(cur.topic_ids()))


def _card(*rules, failed=()):
    return {"findings": [{"rule_id": r} for r in rules],
            "outcomes": [{"rule_id": r, "status": "failed"} for r in failed]}


def test_rules_from_report_json_and_jsonl(tmp_path):
    cards = [_card("forbidden.phrase.v1", "forbidden.phrase.v1"), _card("listen.restate.v1", failed=["x.v1"])]
    js = tmp_path / "r.json"
    js.write_text(json.dumps(cards, ensure_ascii=False), encoding="utf-8")
    jl = tmp_path / "r.jsonl"
    jl.write_text("\n".join(json.dumps(c) for c in cards) + "\n", encoding="utf-8")
    expected = {"forbidden.phrase.v1": 1, "listen.restate.v1": 1, "x.v1": 1}  # per call, not per finding
    assert rules_from_report(js) == expected == rules_from_report(jl)


def test_rules_from_report_bad_json(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(CurriculumError, match="r.json"):
        rules_from_report(path)


def test_history_from_an_exam_result(tmp_path):
    from hotline.curriculum.adaptive import history_from_file

    path = tmp_path / "exam.json"
    path.write_text(json.dumps({"failed_rules": {"a.v1": 2}, "by_topic": {"taboo": [1, 4]}}), encoding="utf-8")
    h = history_from_file(path)
    assert h.failed_rules == {"a.v1": 2} and h.topic_scores == {"taboo": (1, 4)}
