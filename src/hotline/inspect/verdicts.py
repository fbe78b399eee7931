"""A rule's verdict from turn masks, without its evidence.

Most rules pass on most calls, and a passing rule needs no finding: what decides it is whether its matcher
hits, and for the parents that combine turns, on which turns. ``verdict(node, ctx, allowed)`` answers exactly
what ``operators.evaluate`` answers with every hit reduced to its turn: a mask, bit 0 for a whole-call hit
(turn -1) and bit i + 1 for turn i, or None when the matcher cannot apply to the call. No hit is built, no
list of hits merged and sorted, and a leaf stops looking in a turn at its first match that counts.

- Each slot of the plan is answered at most once per call and set of turns, as ``evaluate`` does, and skipped
  the same way when what it needs is absent from the call.
- A group stops early where the rest cannot change its answer: ``all`` and ``turn`` at an empty part when the
  parts after it always apply (``Slot.nonull``).
- The operators whose answer needs more than turns (phrases that must all be said, the embedding operator, a
  trajectory) run through ``evaluate`` and their hits become a mask; the timing operators answer a mask of their
  own (``timing.verdict``), without formatting the notes of hits.
- Hits a live call is still waiting on (``ctx.pending``) are the tree walk's: a partial call is judged by
  ``evaluate`` only (see ``Engine._apply``).

The engine builds findings only for the rules whose verdict calls for one, with ``evaluate``."""

from __future__ import annotations

from typing import Any, Final

from hotline.inspect import plan as op
from hotline.inspect import timing
from hotline.inspect.compiled import holds
from hotline.inspect.context import UNSET, CallContext
from hotline.inspect.operators import (
    absent,
    counted,
    evaluate,
    longest,
    restated,
    scoped_turns,
    turn_list,
    turn_matches,
)
from hotline.inspect.plan import Slot
from hotline.inspect.results import Allowed, hit_mask, mask_of
from hotline.norms.schema import Matcher

Verdict = int | None
"""Turns hit (bit 0: the whole call, bit i + 1: turn i), or None: the matcher does not apply."""

CALL_BIT: Final = 1


def turns_mask(verdict_mask: int) -> int:
    """The turns of a verdict as an ``Allowed`` mask (bit i: turn i; a whole-call hit is no turn)."""
    return verdict_mask >> 1


def verdict(node: Matcher, ctx: CallContext, allowed: Allowed = None) -> Verdict:
    """The turns a node hits over the turns in ``allowed``."""
    return slot_verdict(ctx.slot_by_node[id(node)], ctx, allowed)


def slot_verdict(slot: Slot, ctx: CallContext, allowed: Allowed = None) -> Verdict:
    """The turns a slot of the plan hits over the turns in ``allowed``, evaluated once per call and mask."""
    result: Verdict
    key: Any = None
    if allowed is None:
        cached = ctx.verdicts[slot.index]
        if cached is not UNSET:
            return cached  # type: ignore[no-any-return]
    else:
        key = (slot.index, allowed)  # (boxed once, compiled: not once for the lookup and again to store)
        cached = ctx.verdict_memo.get(key, UNSET)
        if cached is not UNSET:
            return cached  # type: ignore[no-any-return]
    if slot.has_need and not ctx.no_text and absent(slot, ctx):
        result = 0
    elif allowed is not None and slot.filterable:
        whole = slot_verdict(slot, ctx, None)
        result = None if whole is None else whole & (allowed << 1)  # turn by turn: the whole call's, filtered
    else:
        ctx.walked += 1
        result = _run(slot, ctx, allowed)
    if allowed is None:
        ctx.verdicts[slot.index] = result
    else:
        ctx.verdict_memo[key] = result
    return result


def slot_hit(slot: Slot, ctx: CallContext) -> bool | None:
    """Whether a slot hits anything over the whole call (None: it does not apply): ``slot_verdict``'s mask read as a
    truth value, for the readers that need no more (a rule that requires or awards something, a rule's condition, a
    missing element). The groups whose own truth needs only their parts' truth ask their parts the same way and stop
    where it is known: ``any`` at its first part that hits (the parts after it can only add turns), ``distinct`` once
    enough parts hit, ``all`` at a part that hits nothing when the rest always apply. So a part no reader needs the
    turns of is not evaluated (another reader that does still asks it: ``slot_verdict``). Every other slot is asked
    for its mask. An answer that fixes the slot's mask is kept as its verdict: does not apply (None), hits nothing
    (``any``, ``all`` and ``distinct`` then answer 0, their parts all 0 or not applicable), and ``not``'s always (0 or
    the whole call, from its part's truth alone). A hit is not kept (its turns are not known): asked again, it is
    found again from its parts, whose answers are kept."""
    cached = ctx.verdicts[slot.index]
    if cached is not UNSET:
        return None if cached is None else cached != 0
    code = slot.code
    if code != op.ANY and code != op.ALL and code != op.NOT and code != op.DISTINCT:
        mask = slot_verdict(slot, ctx, None)
        return None if mask is None else mask != 0
    found: bool | None
    if slot.has_need and not ctx.no_text and absent(slot, ctx):
        found = False
    else:
        ctx.walked += 1
        if code == op.ANY:
            found = _any_hit(slot, ctx)
        elif code == op.ALL:
            found = _all_hit(slot, ctx)
        elif code == op.NOT:
            assert slot.of is not None
            part = slot_hit(slot.of, ctx)
            found = None if part is None else not part
        else:
            found = _distinct_hit(slot, ctx)
    if found is None:
        ctx.verdicts[slot.index] = None
    elif code == op.NOT:
        ctx.verdicts[slot.index] = CALL_BIT if found else 0
    elif not found:
        ctx.verdicts[slot.index] = 0
    return found


def _any_hit(slot: Slot, ctx: CallContext) -> bool | None:
    """``_any``'s truth: a part that hits decides it. Until one does nothing hit, so an embedding part reads every
    turn, as ``_any`` gives it then."""
    applicable = False
    for part in slot.parts:
        r = slot_hit(part, ctx)
        if r is not None:
            if r:
                return True
            applicable = True
    return False if applicable else None


def _all_hit(slot: Slot, ctx: CallContext) -> bool | None:
    """``_all``'s truth: N/A when a part is, no hit when one part hits nothing (at once when the rest always apply)."""
    parts = slot.parts
    empty = False
    for i, part in enumerate(parts):
        r = slot_hit(part, ctx)
        if r is None:
            return None
        if not r:
            if _rest_apply(parts, i, ctx):
                return False
            empty = True
    return bool(parts) and not empty  # (no part: ``_all``'s mask is empty)


def _distinct_hit(slot: Slot, ctx: CallContext) -> bool | None:
    """``_distinct``'s truth: enough parts hit (and one at least: with none, its mask is empty whatever ``least``);
    known as soon as they have."""
    assert slot.least is not None
    enough = max(slot.least, 1)
    applicable = False
    nonempty = 0
    for part in slot.parts:
        r = slot_hit(part, ctx)
        if r is not None:
            applicable = True
            if r:
                nonempty += 1
                if nonempty >= enough:
                    return True
    return False if applicable else None


def _run(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    code = slot.code
    if code == op.ANY:
        return _any(slot, ctx, allowed)
    if code == op.ALL:
        return _all(slot, ctx, allowed)
    if code == op.PHRASES:
        return _phrases(slot, ctx, allowed)
    if code == op.NOT:
        return _not(slot, ctx, allowed)
    if code == op.ACT:
        return _act(slot, ctx, allowed)
    if code == op.REGEX:
        return _regex(slot, ctx, allowed)
    if code == op.WITHIN:
        return _within(slot, ctx, allowed)
    if code == op.TURN:
        return _turn(slot, ctx, allowed)
    if code == op.UNANSWERED:
        return _unanswered(slot, ctx, allowed)
    if code == op.COUNT:
        return _count(slot, ctx, allowed)
    if code == op.DISTINCT:
        return _distinct(slot, ctx, allowed)
    if code == op.RESTATE:
        return _restate(slot, ctx, allowed)
    if code == op.SEQUENCE:
        return _sequence(slot, ctx, allowed)
    if code >= op.SPEECH_RATE:
        assert slot.timing is not None  # (``plan.wire`` reads every timing node's fields)
        return timing.read_verdict(code, slot.timing, ctx, allowed)
    return hit_mask(evaluate(slot.node, ctx, allowed))


def _wanted(slot: Slot, ctx: CallContext, allowed: Allowed) -> int | None:
    """The turns of the slot's scope among ``allowed``, as a mask; None when the scope cannot apply (timed, on a
    call without times)."""
    if slot.speaker:
        mask = ctx.speaker_mask(slot.speaker)
        return mask if allowed is None else mask & allowed
    assert slot.read is not None
    turns = scoped_turns(slot.read, ctx, allowed)  # (asked once per slot and mask: not remembered for the call)
    return None if turns is None else mask_of(turns)


def _rest_apply(parts: list[Slot], after: int, ctx: CallContext) -> bool:
    """Every part after index ``after`` applies to this call (cannot answer None)."""
    if ctx.no_text:
        return False
    return all(part.nonull for part in parts[after + 1:])


def _all(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    parts = slot.parts
    out = 0
    empty = False
    for i, part in enumerate(parts):
        r = slot_verdict(part, ctx, allowed)
        if r is None:
            return None
        if r == 0:
            if _rest_apply(parts, i, ctx):
                return 0
            empty = True
        out |= r
    return 0 if empty else out


def _any(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    out = 0
    hit = False  # some part hit, a whole-call hit included
    applicable = False
    for part in slot.parts:
        scope = allowed
        if part.similar and hit:  # embeddings only where phrases found nothing
            base = allowed if allowed is not None else (1 << len(ctx.norm)) - 1
            scope = base & ~turns_mask(out)
        r = slot_verdict(part, ctx, scope)
        if r is not None:
            applicable = True
            out |= r
            hit = hit or r != 0
    return out if applicable else None


def _not(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    assert slot.of is not None
    r = slot_verdict(slot.of, ctx, allowed)
    if r is None:
        return None
    return 0 if r else CALL_BIT


def _within(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    assert slot.of is not None
    wanted = _wanted(slot, ctx, allowed)
    if wanted is None:
        return None
    return slot_verdict(slot.of, ctx, wanted)


def _phrases(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    mode = slot.mode
    if mode != "any" and mode != "none":  # the distinct phrases said count: the tree walk's
        return hit_mask(evaluate(slot.node, ctx, allowed))
    if ctx.no_text:
        return None
    keys = slot.keys
    none = mode == "none"
    if len(keys) != 1:
        return _phrases_of_keys(slot, ctx, allowed, none)
    hits = ctx.phrase_hits(keys[0])  # (most nodes: one lexicon) its key's matches read in place, not copied
    if not hits:
        return CALL_BIT if none else 0
    wanted = _wanted(slot, ctx, allowed)
    if wanted is None:
        return None
    out = _unguarded_turns(hits, wanted, ctx) if slot.guards else _turns_held(hits, wanted)
    if none:
        return 0 if out else CALL_BIT
    return out


def _turns_held(hits: list[tuple[int, int, int]], wanted: int) -> int:
    """The turns among ``wanted`` that hold a match, as a verdict mask. Without guards every match a turn holds
    counts: the longest match around it (``longest`` keeps it) is in the same turn."""
    out = 0
    for h in hits:
        t = h[0]
        if (wanted >> t) & 1:
            out |= 1 << (t + 1)
    return out


def _unguarded_turns(hits: list[tuple[int, int, int]], wanted: int, ctx: CallContext) -> int:
    """The turns among ``wanted`` with a match that lies inside no other match of its turn (``longest`` keeps those)
    and that no guard stops, as a verdict mask, from one key's matches in the order of the call's scan
    (``CallContext._scan``): turn after turn, in a turn by where they end, those ending together the longer first
    (no span twice: the automaton holds each phrase once). So a match lies inside another exactly when the one
    before it ends at the same place (a longer one), or one after it in its turn starts at or before it; read from
    the last match back, keeping the least start seen in the turn, that is one comparison each, with no sort and no
    list of the turn's matches (``longest``). The order of the guards asked does not matter: a span's guard is its
    own, kept per call."""
    out = 0
    i = len(hits) - 1
    turn = -1
    live = False  # the turn is wanted and not hit yet
    low = 0  # the least start of the matches after this one in its turn
    while i >= 0:
        t, s, e = hits[i]
        i -= 1
        if t != turn:
            turn = t
            live = (wanted >> t) & 1 == 1
            low = s + 1  # (none after it)
        if not live:
            continue
        inside = s >= low or (i >= 0 and hits[i][0] == t and hits[i][2] == e)
        if s < low:
            low = s
        if inside:
            continue
        if not ctx.guarded(t, s, e):
            out |= 1 << (t + 1)
            live = False  # hit: the turn's other matches cannot change that
    return out


def _phrases_of_keys(slot: Slot, ctx: CallContext, allowed: Allowed, none: bool) -> Verdict:
    """``_phrases`` of a node with several keys (inline phrases beside a lexicon): their matches together, ordered
    as ``longest`` orders them."""
    hits: list[tuple[int, int, int]] = []
    for key in slot.keys:
        hits.extend(ctx.phrase_hits(key))
    if not hits:
        return CALL_BIT if none else 0
    wanted = _wanted(slot, ctx, allowed)
    if wanted is None:
        return None
    kept: list[tuple[int, int, int]] = []
    seen = 0  # the turns of ``kept``
    alone = True  # no two matches in one turn: none can lie inside another, ``longest`` would keep them all
    for h in hits:
        bit = 1 << h[0]
        if wanted & bit:
            if seen & bit:
                alone = False
            seen |= bit
            kept.append(h)
    out = 0
    guards = slot.guards
    for t, s, e in (kept if alone else longest(kept)):
        bit = 1 << (t + 1)
        if out & bit or (guards and ctx.guarded(t, s, e)):
            continue
        out |= bit
    if none:
        return 0 if out else CALL_BIT
    return out


def _regex(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    if ctx.no_text:
        return None
    assert slot.read is not None and slot.pattern is not None
    turns = ctx.turns_of(slot.speaker) if slot.speaker and allowed is None else scoped_turns(slot.read, ctx, allowed)
    if turns is None:
        return None
    pattern, exclude, need, guards, need_key = slot.pattern, slot.exclude, slot.need, slot.guards, slot.need_key
    may = ctx.key_turns(need_key) if need_key else -1  # the turns holding one of the literals every match contains
    grouped = pattern.groups > 0
    anchored = slot.anchored
    # nothing excluded around a match and no guard: every match counts, so a turn is hit when it holds one, which
    # one search tells (``turn_matches`` gives a match exactly when it finds one: an anchored pattern's is at 0)
    any_match = exclude is None and not guards
    out = 0
    for t in turns:
        if not (may >> t) & 1:
            continue  # no match in this turn
        text = ctx.norm[t].text
        if need is not None and not need_key and not holds(need, text):
            continue  # (the one literal, searched in the turn)
        if any_match:
            if (pattern.match(text) if anchored else pattern.search(text)) is not None:
                out |= 1 << (t + 1)
            continue
        for m in turn_matches(pattern, text, anchored):
            if counted(m, text, exclude, guards, ctx, t, grouped) is not None:
                out |= 1 << (t + 1)
                break
    return out


def _act(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    """Turns with a clause whose speech act reaches its threshold and that is the speaker's own words."""
    if ctx.no_text:
        return None
    wanted = _wanted(slot, ctx, allowed)
    if wanted is None:
        return None
    if not ctx.acts_on or not wanted:
        return 0
    guards = slot.guards
    out = 0
    for name, limit in slot.limits:
        for turn, start, end, p in ctx.act_firing(name):
            bit = 1 << (turn + 1)
            if out & bit or p < limit or not (wanted >> turn) & 1:
                continue
            if guards and ctx.act_guarded(turn, start, end):
                continue
            out |= bit
    return out


def _turn(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    has = slot.parts
    first = 0
    candidates = -1  # every bit
    for i, part in enumerate(has):
        r = slot_verdict(part, ctx, allowed)
        if r is None:
            return None
        if i == 0:
            first = r
        candidates &= r
        if candidates == 0 and _rest_apply(has, i, ctx):
            return 0
    if not has:
        candidates = 0
    for part in slot.lacks:
        if candidates == 0:
            break
        candidates &= ~(slot_verdict(part, ctx, turns_mask(candidates)) or 0)
    return first & candidates


def _unanswered(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    """As ``operators._unanswered`` on a finished call: each trigger turn in order, a turn at most once. Its reply
    window is made as a mask of the agent's turns (``operators.reply_window`` lists them: the ``within`` agent turns
    after the trigger, the trigger's own when an agent's and ``same_turn``, the ``before`` agent turns just before
    it), the fields of the operator read once (``Slot``)."""
    if ctx.partial:  # the windows still open are the tree walk's to record
        return hit_mask(evaluate(slot.node, ctx, allowed))
    assert slot.of is not None and slot.expect is not None
    triggers = slot_verdict(slot.of, ctx, allowed)
    if triggers is None:
        return None
    rearm = turns_mask(slot_verdict(slot.rearm, ctx, allowed) or 0) if slot.rearm is not None else 0
    agent = ctx.speaker_mask("agent")
    out = 0
    answered = False
    pending = turns_mask(triggers)
    while pending:
        low = pending & -pending
        pending ^= low
        t = low.bit_length() - 1
        if answered and not (rearm >> t) & 1:
            continue  # answered once: only a new escalation asks for it again
        after = _lowest(agent >> (t + 1) << (t + 1), slot.within)
        window = after
        if slot.same_turn and agent & low:
            window |= low
        if slot.before:
            window |= _highest(agent & (low - 1), slot.before)
        if slot_verdict(slot.expect, ctx, window):
            if slot.first_only:
                if slot.rearm is None:
                    break
                answered = True
            continue
        if agent & low:
            out |= low << 1
        else:  # at the first agent turn after it, or its own when there is none
            out |= (after & -after) << 1 if after else low << 1
        if slot.first_only:
            break
    return out


def _lowest(mask: int, n: int) -> int:
    """The ``n`` lowest turns of a mask (all of them when it has fewer)."""
    out = 0
    while mask and n > 0:
        low = mask & -mask
        out |= low
        mask ^= low
        n -= 1
    return out


def _highest(mask: int, n: int) -> int:
    """The ``n`` highest turns of a mask (all of them when it has fewer)."""
    out = 0
    while mask and n > 0:
        high = 1 << (mask.bit_length() - 1)
        out |= high
        mask ^= high
        n -= 1
    return out


def _sequence(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    """As ``operators._sequence``: each part's first hit at or after the turn of the one before. Every operator
    gives its hits in turn order (a test pins it), so that hit is the part's lowest turn from there on."""
    out = 0
    low = 0  # the lowest bit the next part may take: the last chosen turn's (bit 0, the whole call, at first)
    for part in slot.parts:
        r = slot_verdict(part, ctx, allowed)
        if r is None:
            return None
        later = r >> low << low
        if not later:
            return 0
        chosen = later & -later
        out |= chosen
        low = chosen.bit_length() - 1
    return out


def _count(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    assert slot.of is not None
    r = slot_verdict(slot.of, ctx, allowed)
    if r is None:
        return None
    n = r.bit_count()  # distinct turns, the whole call counting as one
    if (slot.least is not None and n < slot.least) or (slot.most is not None and n > slot.most):
        return 0
    return r or CALL_BIT


def _distinct(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    applicable = False
    out = 0
    nonempty = 0
    for part in slot.parts:
        r = slot_verdict(part, ctx, allowed)
        if r is not None:
            applicable = True
            if r:
                nonempty += 1
                out |= r
    if not applicable:
        return None
    assert slot.least is not None
    return out if nonempty >= slot.least else 0


def _restate(slot: Slot, ctx: CallContext, allowed: Allowed) -> Verdict:
    """As ``operators._restate``: the confirmation turns that restate, their parts read as turn masks."""
    r = slot.node.restate
    assert r is not None and slot.of is not None
    confirms = slot_verdict(slot.of, ctx, allowed)
    if confirms is None:
        return None
    turns = turn_list(turns_mask(confirms))
    named = _turns_hit(slot.intent, ctx, turns)
    opened = _turns_hit(slot.opener, ctx, turns)
    out = 0
    for t, _, _ in restated(r, ctx, turns, named, opened):
        out |= 1 << (t + 1)
    return out


def _turns_hit(part: Slot | None, ctx: CallContext, turns: list[int]) -> set[int]:
    if part is None or not turns:
        return set()
    return set(turn_list(turns_mask(slot_verdict(part, ctx, mask_of(turns)) or 0)))
