"""The engine's choice of findings among a failing forbid rule's hits (``_one_per_turn``, ``_no_overlaps``) against
the plain way of writing them, on hit lists made to hit every edge: one hit, whole-call hits, empty spans, spans
that overlap or start together, act hits beside and apart from phrase hits, equal keys in several orders."""

from __future__ import annotations

import random

from hotline.inspect.context import CALL_HIT, Hit
from hotline.inspect.engine import _no_overlaps, _one_per_turn


def _plain_no_overlaps(hits: list[Hit]) -> list[Hit]:
    dropped: set[int] = set()
    last: dict[int, int] = {}
    for i, h in sorted(enumerate(hits), key=lambda p: (p[1].turn_index, p[1].start, -p[1].end)):
        if h.turn_index < 0 or h.why.startswith("act|") or h.end <= h.start:
            continue
        if h.start < last.get(h.turn_index, -1):
            dropped.add(i)
        else:
            last[h.turn_index] = h.end
    return [h for i, h in enumerate(hits) if i not in dropped]


def _plain_one_per_turn(hits: list[Hit]) -> list[Hit]:
    hits = _plain_no_overlaps(hits)
    precise = {h.turn_index for h in hits if not h.why.startswith("act|")}
    best: dict[int, Hit] = {}
    for h in hits:
        if not h.why.startswith("act|") or h.turn_index in precise:
            continue
        old = best.get(h.turn_index)
        if old is None or float(h.why.split("|")[2]) > float(old.why.split("|")[2]):
            best[h.turn_index] = h
    return [h for h in hits if not h.why.startswith("act|")] + sorted(best.values())


def _random_hit(rng: random.Random) -> Hit:
    kind = rng.random()
    if kind < 0.1:
        return CALL_HIT if rng.random() < 0.5 else Hit(-1, 0, 0, "冷场 9.0 秒")
    turn, start = rng.randrange(3), rng.randrange(6)
    end = start + rng.randrange(-1, 4)  # empty and reversed spans too
    if kind < 0.45:
        p = rng.choice(["0.55", "0.80", "0.91", "0.80"])
        return Hit(turn, start, end, "", f"act|agent.dismiss|{p}|0.50")
    return Hit(turn, start, end, rng.choice(["", "", "note"]))


def test_one_per_turn_is_the_plain_choice() -> None:
    rng = random.Random(33)
    for _ in range(4000):
        hits = [_random_hit(rng) for _ in range(rng.randrange(0, 7))]
        assert _no_overlaps(list(hits)) == _plain_no_overlaps(hits), hits
        assert _one_per_turn(list(hits)) == _plain_one_per_turn(hits), hits


def test_edges() -> None:
    act = Hit(1, 0, 4, "", "act|agent.dismiss|0.70|0.50")
    for hits in ([], [act], [CALL_HIT], [Hit(0, 3, 3)], [Hit(0, 0, 4), Hit(0, 0, 4)], [Hit(0, 0, 2), Hit(0, 0, 4)],
                 [act, Hit(1, 2, 3)], [act, act._replace(why="act|agent.dismiss|0.90|0.50"), Hit(2, 0, 1)]):
        assert _one_per_turn(list(hits)) == _plain_one_per_turn(hits), hits
