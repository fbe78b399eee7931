"""Rule operators. ``evaluate(node, ctx, allowed)`` returns the hits of a matcher over the turns in
``allowed`` (a mask, one bit per turn; None = all turns), or None when the matcher cannot apply to this
call (e.g. a timing operator on a transcript without times). Nodes are run through the rulebook's plan
(``plan``): each slot once per call and mask, and not at all when what it needs is absent from the call."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from typing import Any, Final

from hotline.inspect import timing
from hotline.inspect.compiled import holds
from hotline.inspect.context import CALL_HIT, UNSET, CallContext, Hit, late
from hotline.inspect.plan import ScopeRead as _ScopeRead
from hotline.inspect.plan import Slot
from hotline.inspect.results import Allowed, Result, hit_mask, mask_of
from hotline.inspect.similar import similar_hits
from hotline.norms.schema import Matcher, RestateOp, Scope, UnansweredOp
from hotline.text import counts_kernel

_hit: Final = Hit._make
"""A hit from its five fields, made by ``tuple.__new__`` itself: calling ``Hit`` runs the Python ``__new__`` of a
NamedTuple, a frame of its own for each hit."""


def evaluate(node: Matcher, ctx: CallContext, allowed: Allowed = None) -> Result:
    """The hits of a node's slot in the plan, evaluated once per call and mask."""
    slot = ctx.slot_by_node[id(node)]
    key: Any = None
    if allowed is None:
        result = ctx.whole[slot.index]
        if result is not UNSET:
            return result
        known = ctx.verdicts[slot.index]
    else:
        key = (slot.index, allowed)  # (boxed once, compiled: not once for each lookup and again to store)
        result = ctx.memo.get(key, UNSET)
        if result is not UNSET:
            return result
        known = ctx.verdict_memo.get(key, UNSET)
    if known is None:  # the verdict pass found the slot not applicable (``verdicts``): so is it here
        result = None
    elif known == 0 or (slot.has_need and not ctx.no_text and absent(slot, ctx)):
        # …or found no hit (a failing rule's evidence walk goes down only the parts that hit), or the slot needs
        # lexicon keys and speech acts none of which the call holds
        result = []
    elif allowed is not None and slot.filterable:
        whole: Any = ctx.whole[slot.index]  # (a Result, or UNSET)
        if whole is UNSET and allowed and not allowed & (allowed - 1):
            # one turn (the one a reaction rule quotes, ``_first_hit``) of a node not yet evaluated over the whole call:
            # only that turn is read, the node's hits there being its hits over the whole call (it hits turn by turn);
            # the whole call's verdict, when the verdict pass found it, tells at once whether the turn has any
            seen = ctx.verdicts[slot.index]
            if seen is None:
                result = None
            elif seen is not UNSET and not (seen >> allowed.bit_length()) & 1:  # (bit t + 1 for turn t: allowed is 1 << t)
                result = []
            else:
                result = _OPS[slot.op](slot.node, ctx, allowed)
        else:
            if whole is UNSET:
                whole = evaluate(node, ctx, None)
            result = whole if whole is None else [h for h in whole if h.turn_index >= 0 and (allowed >> h.turn_index) & 1]
    else:
        result = _OPS[slot.op](slot.node, ctx, allowed)
    if allowed is None:
        ctx.whole[slot.index] = result
    else:
        ctx.memo[key] = result
    return result


def turns_hit(node: Matcher, ctx: CallContext, allowed: Allowed) -> int | None:
    """The turns a node hits over ``allowed``, as the verdict pass (``verdicts``) writes them: bit 0 for a hit on
    the whole call, bit i + 1 for turn i; None when the node does not apply. For the operators that read of a part
    only which turns it hits (``not``, ``turn``'s other parts, an unanswered reaction's answer): on a finished call
    the verdict pass has mostly found them already, so no hit is built; else they are read off its hits."""
    if not ctx.partial:  # (a live call's parts are walked for the reaction windows they still wait on)
        index = ctx.slot_by_node[id(node)].index
        known = ctx.verdicts[index] if allowed is None else ctx.verdict_memo.get((index, allowed), UNSET)
        if known is not UNSET:
            return known  # type: ignore[no-any-return]
    return hit_mask(evaluate(node, ctx, allowed))


def absent(slot: Slot, ctx: CallContext) -> bool:
    """None of the lexicon keys and speech acts the slot needs is in the call: it can only answer []."""
    if ctx.live_by_keys()[slot.index]:
        return False
    return not slot.need_acts or not ctx.acts_on or not ctx.live_by_acts()[slot.index]


def goal_names(ctx: CallContext) -> set[str]:
    """The goals the call must meet: its own, or on a real call the rulebook's ``call_goals`` when the city
    judges real calls by what they achieved (``settings.real_call_goals``) and ``call_goals.when`` holds.
    Here, beside ``evaluate``, and not in ``context``: the context stands below the operators."""
    if ctx._goal_names is None:
        ctx._goal_names = _read_goal_names(ctx)
    return ctx._goal_names


def _read_goal_names(ctx: CallContext) -> set[str]:
    own = ctx.goals()
    if own is not None:
        return own.names()
    rb = ctx.compiled.rulebook
    if not rb.settings.real_call_goals or not rb.call_goals.goals:
        return set()
    when = rb.call_goals.when
    return set(rb.call_goals.goals) if when is None or evaluate(when, ctx) else set()


def scope_turns(scope: Scope, ctx: CallContext, allowed: Allowed) -> list[int] | None:
    """The turns of a scope among ``allowed``. Not remembered for the call: each slot's operator runs once per call
    and mask (``evaluate``), and the verdict pass reads its slots' scopes itself (``Slot.read``), so a memory of
    scopes by (id, mask) was never read back, only filled (a tuple made, hashed and stored per operator run)."""
    return scoped_turns(_read_scope(scope), ctx, allowed)


_SCOPES: Final[dict[int, _ScopeRead]] = {}
_SCOPES_KEPT: Final = 4096  # scopes remembered at most (an engine's rulebook has a few hundred)


def _read_scope(scope: Scope) -> _ScopeRead:
    read = _SCOPES.get(id(scope))
    if read is None or read.scope is not scope:
        if len(_SCOPES) >= _SCOPES_KEPT:
            _SCOPES.clear()
        read = _SCOPES[id(scope)] = _ScopeRead(scope)
    return read


def scoped_turns(scope: _ScopeRead, ctx: CallContext, allowed: Allowed) -> list[int] | None:
    """The turns of a scope (its fields read once) among ``allowed``; None when it cannot apply (timed, on a call
    without times)."""
    turns = ctx.turns_of(scope.speaker)
    if scope.min_chars:
        turns = [i for i in turns if len(ctx.norm[i].text) >= scope.min_chars]
    if scope.first_turns:
        turns = turns[: scope.first_turns]
    if scope.last_turns:
        turns = turns[-scope.last_turns:]
    if scope.first_seconds or scope.last_seconds:
        if not ctx.has_times:
            return None
        call_end = max(t.end or 0.0 for t in ctx.call.turns)
        if scope.first_seconds:
            turns = [i for i in turns if (ctx.call.turns[i].start or 0.0) <= scope.first_seconds]
        if scope.last_seconds:
            turns = [i for i in turns if (ctx.call.turns[i].end or 0.0) >= call_end - scope.last_seconds]
    if allowed is not None:
        turns = [i for i in turns if (allowed >> i) & 1]
    return turns


def _union(results: list[list[Hit]]) -> list[Hit]:
    seen: dict[tuple[int, int, int], Hit] = {}
    for hits in results:
        for h in hits:
            seen.setdefault((h.turn_index, h.start, h.end), h)
    return sorted(seen.values())


def _all(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    results = [evaluate(c, ctx, allowed) for c in node.all or []]
    if any(r is None for r in results):
        return None
    return _union(results) if all(results) else []  # type: ignore[arg-type]


def _any(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    results: list[list[Hit]] = []
    hit = False  # some part hit, a whole-call hit included
    hit_turns = 0  # the turns hit, as a mask (``mask_of`` their indices: a whole-call hit is no turn)
    applicable = False
    for child in node.any or []:
        scope = allowed
        if hit and child.similar is not None:  # embeddings only where phrases found nothing
            base = allowed if allowed is not None else (1 << len(ctx.norm)) - 1
            scope = base & ~hit_turns
        r = evaluate(child, ctx, scope)
        if r is not None:
            applicable = True
            results.append(r)
            for h in r:
                hit = True
                if h.turn_index >= 0:
                    hit_turns |= 1 << h.turn_index
    return _union(results) if applicable else None


def _not(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    assert node.not_ is not None
    r = turns_hit(node.not_, ctx, allowed)
    if r is None:
        return None
    return [] if r else [CALL_HIT]


def _detector(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    assert node.detector is not None
    return evaluate(ctx.compiled.rulebook.detectors[node.detector], ctx, allowed)


def _within(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    assert node.within is not None
    turns = scope_turns(node.within, ctx, allowed)
    if turns is None:
        return None
    return evaluate(node.within.of, ctx, mask_of(turns))


def _phrases(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    if ctx.no_text:
        return None
    op = node.phrases
    assert op is not None
    hits: list[tuple[int, int, int]] = []
    for key in ctx.compiled.node_keys[id(node)]:
        hits.extend(ctx.phrase_hits(key))
    if not hits:
        return [CALL_HIT] if op.mode == "none" else []
    turns = scope_turns(op, ctx, allowed)
    if turns is None:
        return None
    wanted = set(turns)
    hits = longest([h for h in hits if h[0] in wanted])
    if op.guards:
        hits = [h for h in hits if not ctx.guarded(*h)]
    found = [_hit((t, s, e, "", "")) for t, s, e in hits]
    if op.mode == "none":
        return [] if found else [CALL_HIT]
    if op.mode == "any":
        return found
    distinct = {ctx.norm[h.turn_index].text[h.start:h.end] for h in found}
    if op.mode == "all":
        return found if _node_phrases(node, ctx) <= distinct else []
    return found if len(distinct) >= op.n else []


def _node_phrases(node: Matcher, ctx: CallContext) -> set[str]:
    from hotline.text import normalize_phrase

    op = node.phrases
    assert op is not None
    phrases = list(op.phrases)
    for name in op.lexicon_names():
        phrases.extend(ctx.compiled.rulebook.lexicons[name])
    return {normalize_phrase(p) for p in phrases}


def longest(hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Drop matches contained in a longer match of the same set (谢谢 inside 谢谢您). Of the matches that start at one
    place only the longest may be kept (the others lie inside it): the last of their run in the tuples' own order
    (turn, start, end; sorted without a key function, which the sort would call for every match). A match found
    twice needs no set to drop its copy: the copies start together, and one run keeps one of them."""
    ordered = sorted(hits)
    out: list[tuple[int, int, int]] = []
    n = len(ordered)
    i = 0
    while i < n:
        t, s, _ = ordered[i]
        i += 1
        while i < n and ordered[i][1] == s and ordered[i][0] == t:
            i += 1
        h = ordered[i - 1]
        if out and out[-1][0] == t and h[2] <= out[-1][2]:
            continue
        out.append(h)
    return out


def _regex(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    if ctx.no_text:
        return None
    op = node.regex
    assert op is not None
    turns = scope_turns(op, ctx, allowed)
    if turns is None:
        return None
    pattern, exclude = ctx.compiled.regexes[id(node)]
    need = ctx.compiled.regex_needs.get(id(node))
    need_key = ctx.compiled.regex_need_keys.get(id(node), "")
    may = ctx.key_turns(need_key) if need_key else -1  # as ``verdicts._regex``
    anchored = id(node) in ctx.compiled.regex_anchored
    grouped = pattern.groups > 0
    out: list[Hit] = []
    for t in turns:
        if not (may >> t) & 1:
            continue  # none of the literals every match contains: no match in this turn
        text = ctx.norm[t].text
        if need is not None and not need_key and not holds(need, text):
            continue
        for m in turn_matches(pattern, text, anchored):
            span = counted(m, text, exclude, op.guards, ctx, t, grouped)
            if span is not None:
                out.append(_hit((t, span[0], span[1], "", "")))
    return out


def turn_matches(pattern: re.Pattern[str], text: str, anchored: bool) -> Iterable[re.Match[str]]:
    """A pattern's matches in a turn's text: an anchored pattern matches once at 0 at most, unless that match is
    empty (``finditer`` then looks for a longer one at 0)."""
    if anchored:
        first = pattern.match(text)
        if first is None:
            return ()
        if first.end() > 0:
            return (first,)
    return pattern.finditer(text)


def counted(m: re.Match[str], text: str, exclude: re.Pattern[str] | None, guards: bool, ctx: CallContext,
            turn: int, grouped: bool) -> tuple[int, int] | None:
    """The span a regex match stands for (its first group when its pattern has one, ``grouped``: read once per
    pattern, not per match), or None when it does not count: an ``exclude`` pattern matches around it, or a guard
    holds (negated, quoted, reported)."""
    s, e = m.span(1) if grouped else m.span()
    if s < 0:
        s, e = m.span()
    if exclude and exclude.search(text, max(0, m.start() - 4), min(len(text), m.end() + 4)):
        return None
    if guards and ctx.guarded(turn, s, e):
        return None
    return s, e


def _act(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    """Clauses whose speech act reaches its threshold; one hit per clause, naming the likeliest act."""
    if ctx.no_text:
        return None
    op = node.act
    assert op is not None
    turns = scope_turns(op, ctx, allowed)
    if turns is None:
        return None
    if not ctx.acts_on or not turns:
        return []
    wanted = mask_of(turns)
    # per clause: the highest probability of an act at or above its threshold, and which of the node's acts it is
    best: dict[tuple[int, int, int], tuple[float, int]] = {}
    for j, (name, limit) in enumerate(ctx.compiled.act_limits[id(node)]):
        for turn, start, end, p in ctx.act_firing(name):
            if p >= limit and (wanted >> turn) & 1:
                key = (turn, start, end)
                old = best.get(key)
                if old is None or p > old[0]:
                    best[key] = (p, j)
    labels = ctx.compiled.act_labels[id(node)]
    out: list[Hit] = []
    for (turn, start, end), (p, j) in sorted(best.items()):
        if op.guards and ctx.act_guarded(turn, start, end):
            continue
        # f"act|{name}|{p:.2f}|{limit:.2f}", the name's and limit's parts made once; joined by + (compiled, an f-string
        # with a format spec formats each of its parts with a parse of "{:{}}")
        head, tail = labels[j]
        out.append(_hit((turn, start, end, "", head + two_places(p) + tail)))
    return out


_TWO_PLACES: Final = tuple(format(n / 100, ".2f") for n in range(101))
"""``format(n / 100, ".2f")`` for n from 0 to 100: "0.00" … "1.00", the probabilities' texts."""


def two_places(p: float) -> str:
    """``format(p, ".2f")``, the same text, for a probability (0 < p ≤ 1) read from a table of the 101 texts instead of
    the decimal conversion ``format`` makes (about two thousand instructions, for each act hit of each call). As in
    ``model.rounded``: ``a = p × 100`` is the float nearest the exact product, and every half integer below 2^52 is a
    float, so when ``a``'s fraction is not exactly ½ the exact product lies on the same side of the half as ``a`` and
    rounds to the same whole number n, whose text is ``_TWO_PLACES[n]``; a fraction of exactly ½ (a tie, which
    ``format`` breaks by the exact binary value, or a product rounded onto one), zero (either sign), NaN and values
    outside (0, 1] are left to ``format``."""
    if 0.0 < p <= 1.0:
        a = p * 100.0
        whole = int(a)  # 0 … 100
        frac = a - whole  # exact (``a`` and ``whole`` lie within a factor of two of each other, or whole is 0)
        if frac < 0.5:
            return _TWO_PLACES[whole]
        if frac > 0.5:
            return _TWO_PLACES[whole + 1]
    return format(p, ".2f")


def _restate(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    """Agent turns with a confirmation move that carry the substance of the citizen's earlier words."""
    op = node.restate
    assert op is not None
    confirms = turns_hit(op.confirm, ctx, allowed)
    if confirms is None:
        return None
    turns = turn_list(confirms >> 1)
    named = _turns_hit(op.intent, ctx, turns)
    opened = _turns_hit(op.opener, ctx, turns)
    return [Hit(t, 0, len(ctx.norm[t].text), "", "restate|form" if shared < 0 else f"restate|{shared}|{pieces}")
            for t, shared, pieces in restated(op, ctx, turns, named, opened)]


_NO_IGNORE: Final[set[str]] = set()  # ``restated``'s ignore when the kernel reads the rule's own (never changed)


def restated(op: RestateOp, ctx: CallContext, turns: list[int], named: set[int],
             opened: set[int]) -> list[tuple[int, int, int]]:
    """Of the agent turns with a confirmation move (``turns``), those that restate: (turn, character pairs
    shared with the citizen's earlier words, in how many stretches), or (turn, -1, 0) for one sentence on its own
    judged by its form (it names the intent, ``named``, or opens with a restating phrase, ``opened``). The pairs
    are counted by the C kernel when built (``counts_kernel().overlap``: ``_overlap``'s walk, each pair looked up in a
    set of the pairs of ``heard`` made once, not searched for in it; the rule's ``ignore`` read as its list), else by
    ``_overlap``."""
    kernel = counts_kernel()
    ignore = set(op.ignore) if kernel is None else _NO_IGNORE  # (the kernel reads ``op.ignore`` itself)
    out: list[tuple[int, int, int]] = []
    citizen = ctx.turns_of("citizen")
    for t in turns:
        earlier = bisect.bisect_left(citizen, t)  # the citizen's turns before ``t`` (they ascend)
        if not earlier:  # one sentence on its own (a rewrite exercise): judged by its form alone
            if t in named or t in opened:
                out.append((t, -1, 0))
            continue
        # their words, a line each: a pair of letters was said by the citizen when it is found in there (no pair
        # of letters runs across the line break, which is no letter)
        heard = "\n".join([ctx.norm[i].text for i in citizen[:earlier]])
        if kernel is None:
            shared, pieces = _overlap(ctx.norm[t].text, heard, ignore)
        else:
            counted: tuple[int, int] = kernel.overlap(ctx.norm[t].text, heard, op.ignore)
            shared, pieces = counted
        if ((shared >= op.min_shared and pieces >= op.min_pieces) or (t in named and shared >= op.intent_shared)
                or (t in opened and shared >= op.opener_shared and pieces >= op.min_pieces)):
            out.append((t, shared, pieces))
    return out


def _turns_hit(node: Matcher | None, ctx: CallContext, turns: list[int]) -> set[int]:
    if node is None or not turns:
        return set()
    return set(turn_list((turns_hit(node, ctx, mask_of(turns)) or 0) >> 1))


def turn_list(mask: int) -> list[int]:
    """The turns of an ``Allowed`` mask, in order."""
    out: list[int] = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _is_letter(text: str, i: int) -> bool:
    """``text[i].isalpha()`` (hanzi included; digits are details, a phone number, not substance), without a method
    call for the ASCII characters and the common hanzi (U+4E00–U+9FFF, every one a letter: a test pins it)."""
    c = ord(text[i])
    if c < 128:
        return 65 <= c <= 90 or 97 <= c <= 122
    if 0x4E00 <= c <= 0x9FFF:
        return True
    return text[i].isalpha()


def _overlap(text: str, heard: str, ignore: set[str]) -> tuple[int, int]:
    """Distinct pairs of letters of ``text`` the citizen said too (found in ``heard``, their words), and in how
    many separate stretches."""
    shared: set[str] = set()
    pieces = 0
    inside = False
    n = len(text)
    letter = n > 0 and _is_letter(text, 0)
    for i in range(n - 1):
        following = _is_letter(text, i + 1)
        hit = False
        if letter and following:
            pair = text[i:i + 2]
            hit = pair in heard and pair not in ignore
            if hit:
                shared.add(pair)
                pieces += not inside
        inside = hit
        letter = following
    return len(shared), pieces


def _trajectory(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    op = node.trajectory
    assert op is not None
    if ctx.no_text or not ctx.citizen_on or not any(ctx.norm[t].text for t in ctx.turns_of("citizen")):
        return None
    block = ctx.citizen()
    if block.peak < late("hotline.citizen:load_settings")().emotion.upset_from:
        return None  # calm all along: nothing to calm, nothing escalated — the rule does not apply
    fired = block.calmed if op.calmed is not None else block.escalated
    want = op.calmed if op.calmed is not None else op.escalated
    if fired != want or block.peak_turn is None:
        return []
    turn = block.peak_turn if op.calmed is not None else block.anger[-1][0]
    return [Hit(turn, 0, len(ctx.norm[turn].text), why="trajectory")]


def _similar(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    if ctx.no_text:
        return None
    assert node.similar is not None
    turns = scope_turns(node.similar, ctx, allowed)
    if turns is None:
        return None
    return similar_hits(node.similar, ctx, turns)


def _turn(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    op = node.turn
    assert op is not None
    first = evaluate(op.has[0], ctx, allowed)
    rest = [turns_hit(m, ctx, allowed) for m in op.has[1:]]  # the other parts' turns alone: no hit of theirs is kept
    if first is None or any(r is None for r in rest):
        return None
    candidates = hit_mask(first) or 0  # as a verdict: bit 0 the whole call, bit i + 1 turn i
    for r in rest:
        candidates &= r or 0
    for m in op.lacks:
        candidates &= ~(turns_hit(m, ctx, candidates >> 1) or 0)
    return [h for h in first if (candidates >> (h.turn_index + 1)) & 1]


def _unanswered(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    op = node.unanswered
    assert op is not None
    # the trigger's turns in order, a turn at most once, as a mask (on a finished call the verdict pass has found it):
    # a turn's own hit is read only where the rule quotes it (``_first_hit``), not every hit of the trigger built
    triggered = turns_hit(op.trigger, ctx, allowed)
    if triggered is None:
        return None
    rearm = (turns_hit(op.rearm, ctx, allowed) or 0) if op.rearm is not None else 0  # a verdict mask
    agent_turns = ctx.turns_of("agent")
    out: list[Hit] = []
    answered = False
    for t in turn_list(triggered >> 1):  # (bit 0, a whole-call hit, is no turn's)
        if answered and not (rearm >> (t + 1)) & 1:
            continue  # answered once: only a new escalation asks for it again
        after, window = reply_window(op, agent_turns, t)
        if ctx.partial and t not in agent_turns and len(after) < op.within:
            if not evaluate(op.expect, ctx, mask_of(window)):
                trig = _first_hit(op.trigger, ctx, allowed, t)
                ctx.pending.append((t, after[0] if after else None, op.within - len(after), _said(ctx, trig)))
            if op.first_only:
                break
            continue  # the agent may still answer: judge it when the window has closed
        if turns_hit(op.expect, ctx, mask_of(window)):  # whether it hits, not where
            if op.first_only:
                if op.rearm is None:
                    break
                answered = True
            continue
        trig = _first_hit(op.trigger, ctx, allowed, t)
        if t in agent_turns:
            out.append(trig)
        else:
            anchor = next((i for i in window if i > t), t)
            out.append(_hit((anchor, 0, len(ctx.norm[anchor].text), f"市民说「{_said(ctx, trig)}」之后", "")))
        if op.first_only:
            break
    return out


def _first_hit(node: Matcher, ctx: CallContext, allowed: Allowed, turn: int) -> Hit:
    """The hit of ``node`` (over ``allowed``) a reaction rule quotes for a trigger at ``turn``: of that turn's hits the
    first by start, a phrase or pattern hit before an act's whole clause (sharper evidence), the earlier one of two
    alike, as the hits sorted by (turn, act, start) put it first. A node that hits turn by turn (``Slot.filterable``)
    is evaluated over that turn alone (``evaluate``: its hits there are its hits over ``allowed``, filtered)."""
    slot = ctx.slot_by_node[id(node)]
    hits = evaluate(node, ctx, 1 << turn if slot.filterable else allowed)
    best: Hit | None = None
    best_act = False
    for h in hits or []:
        if h.turn_index != turn:
            continue
        act = h.why.startswith("act|")
        if best is None or (act, h.start) < (best_act, best.start):
            best, best_act = h, act
    assert best is not None  # (the verdict has the turn among the trigger's)
    return best


def reply_window(op: UnansweredOp, agent_turns: list[int], t: int) -> tuple[list[int], list[int]]:
    """For a trigger at turn ``t``: the agent turns after it that may answer (``within`` of them), and the
    window an answer is looked for in (with the trigger's own turn and ``before`` turns when the rule says)."""
    after = [i for i in agent_turns if i > t][: op.within]
    window = list(after)
    if op.same_turn and t in agent_turns:
        window = [t, *window]
    if op.before:
        window = [*[i for i in agent_turns if i < t][-op.before:], *window]
    return after, window


def _said(ctx: CallContext, hit: Hit) -> str:
    norm = ctx.norm[hit.turn_index]
    return norm.original[slice(*norm.to_original(hit.start, hit.end))]


def _sequence(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    chosen: list[Hit] = []
    last = -1
    for child in node.sequence or []:
        r = evaluate(child, ctx, allowed)
        if r is None:
            return None
        nxt = next((h for h in r if h.turn_index >= last), None)
        if nxt is None:
            return []
        chosen.append(nxt)
        last = nxt.turn_index
    return chosen


def _count(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    op = node.count
    assert op is not None
    r = evaluate(op.of, ctx, allowed)
    if r is None:
        return None
    n = len({h.turn_index for h in r})
    ok = (op.min is None or n >= op.min) and (op.max is None or n <= op.max)
    if not ok:
        return []
    return r or [CALL_HIT]


def _distinct(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    op = node.distinct
    assert op is not None
    results = [evaluate(m, ctx, allowed) for m in op.of]
    if all(r is None for r in results):
        return None
    nonempty = [r for r in results if r]
    return _union(nonempty) if len(nonempty) >= op.min else []


def _silent_call(node: Matcher, ctx: CallContext, allowed: Allowed) -> Result:
    citizen = ctx.turns_of("citizen")
    spoke = any(ctx.norm[i].text.strip(".,!?…-") for i in citizen)
    metrics = ctx.call.meta.get("metrics") or {}
    if metrics.get("citizen_speech_seconds"):
        spoke = True
    silent = not spoke
    return [CALL_HIT] if silent == bool(node.silent_call) else []


_OPS: Final[dict[str, Callable[[Matcher, CallContext, Allowed], Result]]] = {
    "all": _all,
    "any": _any,
    "not_": _not,
    "detector": _detector,
    "within": _within,
    "phrases": _phrases,
    "regex": _regex,
    "similar": _similar,
    "act": _act,
    "restate": _restate,
    "trajectory": _trajectory,
    "turn": _turn,
    "unanswered": _unanswered,
    "sequence": _sequence,
    "count": _count,
    "distinct": _distinct,
    "silent_call": _silent_call,
    "silence": timing.silence,
    "reply_gap": timing.reply_gap,
    "overlap": timing.overlap,
    "agent_gap": timing.agent_gap,
    "speech_rate": timing.speech_rate,
    "metric": timing.metric,
}
