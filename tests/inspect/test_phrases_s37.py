"""Session 37: the phrases verdict of a one-key node reads its matches in the order of the call's scan, from the last
back, to tell the matches that lie inside no other of their turn (``verdicts._unguarded_turns``) without sorting them
(``operators.longest``); without guards, every match a wanted turn holds counts (``_turns_held``). Each against its
definition: the turns of the matches ``longest`` keeps that no guard stops."""

from __future__ import annotations

import random

from helpers import call, sample_contexts
from test_plan import engine_with
from test_verdicts_s37 import _edge_contexts

from hotline.inspect import verdicts as vd
from hotline.inspect.context import CallContext
from hotline.inspect.operators import evaluate, longest
from hotline.inspect.results import hit_mask


def _definition(hits: list[tuple[int, int, int]], wanted: int, ctx: CallContext, guards: bool) -> int:
    out = 0
    for t, s, e in longest([h for h in hits if (wanted >> h[0]) & 1]):
        if not guards or not ctx.guarded(t, s, e):
            out |= 1 << (t + 1)
    return out


def test_a_keys_matches_come_turn_after_turn_by_end_the_longer_first() -> None:
    """What ``_unguarded_turns`` relies on: one key's matches (``phrase_hits``) are in turn order, in a turn by where
    they end, those ending together by where they start (the longer first), and no span comes twice (fails when the
    scan gives them in another order)."""
    keys = 0
    for ctx in [*sample_contexts(), *_edge_contexts()]:
        for key, hits in ctx.keys_hit().items():
            assert hits == sorted(hits, key=lambda h: (h[0], h[2], h[1])), key
            assert len(set(hits)) == len(hits), key
            keys += 1
    assert keys


def test_the_turns_hit_are_those_of_the_longest_matches_no_guard_stops() -> None:
    """Every key of every sample and edge-case call, over every turn, each speaker's turns, none and random subsets,
    with and without guards: the fast paths answer the definition (fails when a match inside another is judged on its
    own, or a turn is left out)."""
    rng = random.Random(37)
    nested = 0
    for ctx in [*sample_contexts(), *_edge_contexts()]:
        n = len(ctx.norm)
        full = (1 << n) - 1
        masks = [full, 0, ctx.speaker_mask("agent"), ctx.speaker_mask("citizen"), *[rng.getrandbits(max(n, 1))
                                                                                  for _ in range(3)]]
        for hits in ctx.keys_hit().values():
            if len(longest(hits)) < len(hits):
                nested += 1
            for wanted in masks:
                assert vd._unguarded_turns(hits, wanted, ctx) == _definition(hits, wanted, ctx, True)
                assert vd._turns_held(hits, wanted) == _definition(hits, wanted, ctx, False)
    assert nested  # some keys had matches inside others


def test_a_match_inside_a_negated_one_is_not_judged_on_its_own() -> None:
    """态度 lies inside 你态度很差 (ending before it) and 很差 inside it (ending with it), both in a turn where 不是
    negates the longer one: neither is judged on its own, and the turn is not hit; the citizen's own 很差 and 态度 are
    (fails when either kind of match inside another is taken alone: nothing negates it)."""
    node = {"phrases": {"phrases": ["你态度很差", "态度", "很差"], "speaker": "any"}}
    engine = engine_with({"id": "test.inside.v1", "kind": "forbid", "utterance": True, "match": node})
    match = engine.rule("test.inside.v1").match
    assert match is not None
    for lines, want in ((("坐席：这并不是你态度很差", "市民：很差"), 0b100),
                        (("坐席：这并不是你态度很差", "市民：态度"), 0b100),
                        (("坐席：这并不是你态度很差。你态度很差", "市民：嗯"), 0b10),
                        (("坐席：这并不是你态度很差，态度", "市民：嗯"), 0b10),
                        (("坐席：这并不是你态度很差", "市民：嗯"), 0)):
        c = call(*lines)
        assert vd.verdict(match, CallContext(c, engine.compiled)) == want, lines
        assert hit_mask(evaluate(match, CallContext(c, engine.compiled))) == want, lines
