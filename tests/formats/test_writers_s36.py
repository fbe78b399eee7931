"""``record_json`` takes an outcome's JSON from the last two objects seen at the same place of the list
(``writers._Places``), and writes the record with one ``orjson.dumps`` (the outcomes as kept fragments): each line
is still ``encode(record(...))``'s, when cards share outcomes at the same places or at other places, when outcomes
alternate or differ at a place, lists grow or shrink, a card's list is changed after it was written, the meta holds
digits, newlines, emoji or nothing, and when orjson cannot write the meta (None, as before)."""

from __future__ import annotations

import json
import random

from hotline.formats import writers
from hotline.model import Call, Finding, RuleOutcome, Scorecard, Severity, Speaker, Turn

_METAS: list[dict[str, object]] = [
    {}, {"agent_id": "A-12", "date": "2026-01-02"}, {"备注": "第一行\n第二行", "n": 12345678901234},
    {"emoji": "投诉😀𠀀", "nested": {"a": [1, 2.5, None, True]}}, {"empty": ""},
]


def _line_is_records(call: Call, card: Scorecard) -> None:
    line = writers.record_json(call, card)
    assert line is not None
    assert line.decode() == writers.encode(writers.record(call, card)) + "\n"


def _card(i: int, outcomes: list[RuleOutcome], findings: list[Finding] | None = None) -> Scorecard:
    return Scorecard(f"c-{i}", 88.5, {"礼貌": 7.0}, findings or [], "v1", {"礼貌": 10.0}, outcomes)


def test_outcomes_shared_moved_changed_and_resized() -> None:
    rng = random.Random(36)
    pool = [RuleOutcome(f"rule.{k}", "礼貌", rng.choice(["passed", "na", "failed"]), -float(k % 4)) for k in range(12)]
    call = Call("c", [Turn(Speaker.AGENT, "您好，12345")])
    for i in range(400):
        n = rng.randrange(0, 10)
        outcomes = [rng.choice(pool) if rng.random() < 0.8 else
                    RuleOutcome(f"rule.{rng.randrange(20)}", "礼貌", "failed", -float(rng.randrange(5)))
                    for _ in range(n)]
        if i % 7 == 0:
            rng.shuffle(pool)  # the same objects at other places
        findings = [Finding(o.rule_id, "礼貌", Severity.MINOR, 0, (0, 2), "您好", "说明", points=-o.points)
                    for o in outcomes if o.status == "failed"]
        call = Call(f"c-{i}", call.turns, dict(_METAS[i % len(_METAS)]))
        _line_is_records(call, _card(i, outcomes, findings))


def test_same_place_other_outcome() -> None:
    call = Call("c", [Turn(Speaker.AGENT, "您好")])
    a, b = RuleOutcome("r.a", "礼貌", "passed", 0.0), RuleOutcome("r.b", "礼貌", "failed", -2.0)
    c = RuleOutcome("r.c", "规范", "na", 0.0)
    for outcomes in ([a, b], [b, a], [a, c], [a], [a, b, c], [c, b, a], [], [a, b]):
        _line_is_records(call, _card(0, outcomes))


def test_outcomes_alternating_at_a_place() -> None:
    call = Call("c", [Turn(Speaker.AGENT, "您好")])
    a, b = RuleOutcome("r.a", "礼貌", "passed", 0.0), RuleOutcome("r.a", "礼貌", "failed", -2.0)
    c, d = RuleOutcome("r.a", "礼貌", "na", 0.0), RuleOutcome("r.d", "规范", "passed", 1.0)
    for first in (a, b, a, b, c, a, c, b, b, a, d, c, d):
        _line_is_records(call, _card(0, [first, d]))
        _line_is_records(call, _card(1, [d, first, first]))


def test_list_changed_after_it_was_written() -> None:
    call = Call("c", [Turn(Speaker.AGENT, "您好")])
    x, y = RuleOutcome("r.x", "礼貌", "passed", 0.0), RuleOutcome("r.y", "礼貌", "na", 0.0)
    z = RuleOutcome("r.z", "规范", "failed", -3.0)
    first = _card(1, [x, y])
    _line_is_records(call, first)
    first.outcomes[0] = z  # the list written before now holds z where x was
    _line_is_records(call, _card(2, [z, y]))
    assert json.loads(writers.record_json(call, _card(3, [z, y])) or b"{}")["outcomes"][0]["rule_id"] == "r.z"


def test_outcomes_freed_one_after_another() -> None:
    call = Call("c", [Turn(Speaker.AGENT, "您好")])
    for i in range(200):  # each list freed before the next: the allocator hands out the same places again
        outcomes = [RuleOutcome(f"rule.{i}", "维度", "passed" if i % 3 else "failed", -float(i % 5))]
        _line_is_records(call, _card(i, outcomes))
        del outcomes


def test_meta_orjson_cannot_write() -> None:
    call = Call("big", [Turn(Speaker.AGENT, "您好")], {"n": 1 << 70})
    card = _card(0, [RuleOutcome("r.a", "礼貌", "passed", 0.0)])
    assert writers.record_json(call, card) is None
    assert json.loads(writers.encode(writers.record(call, card)))["meta"] == {"n": 1 << 70}


def test_writers_in_threads() -> None:
    """Threads writing at once (plain Python switches between any two steps: made to switch often here) each
    write their own cards' lines: a place's outcome is never paired with another's JSON."""
    import sys
    import threading

    pool = [RuleOutcome(f"rule.{k % 3}", "礼貌", ("passed", "failed", "na")[k % 3], -float(k % 4)) for k in range(9)]
    bad: list[str] = []

    def write(seed: int) -> None:
        rng = random.Random(seed)
        call = Call(f"t-{seed}", [Turn(Speaker.AGENT, "您好")])
        for _ in range(150):
            card = _card(seed, [rng.choice(pool) for _ in range(3)])
            line = writers.record_json(call, card)
            if line is None or line.decode() != writers.encode(writers.record(call, card)) + "\n":
                bad.append(str(card.outcomes))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=write, args=(seed,)) for seed in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not bad
