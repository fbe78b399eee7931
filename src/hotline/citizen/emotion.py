"""The citizen's emotion turn by turn and over the call, and the risk that the matter escalates.
Read from the act model's citizen acts (the same clause probabilities the rules use) plus cues that
raise the intensity (exclamation runs, rhetorical questions, a repeated complaint)."""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import numpy as np

from hotline.citizen.kernel import kernel_function
from hotline.citizen.settings import CitizenSettings, EscalationSettings
from hotline.inspect.context import CallContext
from hotline.inspect.prefilter import literals
from hotline.model import CitizenBlock, Speaker
from hotline.regexcache import compile_pattern
from hotline.text import normalize_phrase


def groups(ctx: CallContext, settings: CitizenSettings) -> dict[str, list[int]]:
    """The citizen act columns whose strongest probability per turn the emotions read: anger, anxiety,
    each act cue's (``cue0``, ``cue1``…) and the settled acts'."""
    es = settings.emotion
    index = ctx.act_model().for_speaker("citizen").index
    out = {"anger": [index[a] for a in es.anger_acts], "anxiety": [index[a] for a in es.anxiety_acts],
           "settled": [index[a] for a in es.settled_acts]}
    for i, cue in enumerate(es.cues):
        if cue.act is not None:
            out[f"cue{i}"] = [index[cue.act]]
    return out


def prepare(contexts: list[CallContext], settings: CitizenSettings) -> np.ndarray:
    """The act statistics of many calls (``satisfaction.act_features``, returned one row per call) and their
    citizens' emotions (``emotions_of``), in one pass over the chunk (bulk inspection): each
    turn's intensities are computed element by element as one turn's, for all the chunk's turns at once."""
    from hotline.citizen.satisfaction import prepare_clause_stats, spoken

    feats, clauses = prepare_clause_stats(contexts, groups(contexts[0], settings))
    es = settings.emotion
    # every citizen turn with words, call after call, and the row of its clauses in ``clauses`` (-1: none)
    spoken_turns: list[list[int]] = []
    texts: list[str] = []
    rows: list[int] = []
    owned = {c: k for k, c in enumerate(clauses.owners)}
    read_texts = any(cue.act is None for cue in es.cues)  # a cue read from the words by its pattern
    words = _words_of(settings.escalation)
    said_by_call: list[str] = []  # each call's citizen words, a line break apart (what ``_worded`` searches)
    for c, ctx in enumerate(contexts):
        turns, said = spoken(ctx, "citizen")  # (a turn without words holds no escalation word)
        spoken_turns.append(turns)
        said_by_call.append("\n".join(said))
        k = owned.get(c)
        if k is None:
            rows.extend([-1] * len(turns))
        else:
            lo, hi = clauses.bounds[k], clauses.bounds[k + 1]
            if hi - lo == len(turns):  # every turn with words has clauses (a turn of punctuation has none)
                rows.extend(range(lo, hi))
            else:
                row_of = dict(zip(clauses.turns[lo:hi], range(lo, hi), strict=True))
                rows.extend([row_of.get(t, -1) for t in turns])
        if read_texts:
            call_turns = ctx.call.turns
            texts.extend([call_turns[t].text for t in turns])
    # an escalation word somewhere in each call's citizen turns (``escalation`` looks further)
    worded = words.held(said_by_call)
    # every turn with words has clauses, call after call: each turn's row is its place (the common case)
    every = len(clauses.turns) == len(rows) and (not rows or rows[-1] == len(rows) - 1)
    at = np.zeros(0, dtype=np.int64) if every else np.asarray(rows, dtype=np.int64)  # (read only when not)
    has = at >= 0

    def read(name: str, missing: float) -> np.ndarray:
        strongest = clauses.strongest.get(name)  # none: no citizen turn of the chunk has clauses
        if strongest is None:
            return np.full(len(rows), missing)
        return strongest if every else np.where(has, strongest[at], missing)

    anger, anxiety = read("anger", 0.0), read("anxiety", 0.0)
    joined: str | None = None
    starts: list[int] | None = None
    for i, cue in enumerate(es.cues):
        if cue.act is not None:
            fires = read(f"cue{i}", -1.0) >= cue.min_prob
        else:
            if joined is None or starts is None:  # the texts joined once for every cue read from them
                joined, starts = "\n".join(texts), _starts(texts)
            fires = np.array(found_in(_pattern(cue.pattern or ""), texts, joined, starts), dtype=bool)
        if fires.any():
            anger = np.where(fires, 1 - (1 - anger) * (1 - cue.anger), anger)
            anxiety = np.where(fires, 1 - (1 - anxiety) * (1 - cue.anxiety), anxiety)
    series: list[float] = np.maximum(anger, anxiety).tolist()
    calm: list[bool] = (read("settled", -1.0) >= es.settled_min_prob).tolist() if es.settled_acts else []
    angers: list[float] = anger.tolist()
    anxieties: list[float] = anxiety.tolist()
    key = ("emotions", id(settings))
    # the settings each call reads, read once (a pydantic model's field costs an attribute lookup each time)
    any_settled = bool(es.settled_acts)
    end_turns, upset_from, calm_below = es.end_turns, es.upset_from, es.calm_below
    lo = 0
    for c, ctx in enumerate(contexts):
        turns = spoken_turns[c]
        hi = lo + len(turns)
        accepted = not any_settled
        if any_settled:  # a settled act in the citizen's last turns
            for j in range(max(lo, hi - end_turns) if end_turns else lo, hi):
                if calm[j]:
                    accepted = True
                    break
        ctx.prepared[key] = Emotions([(turns[j], angers[lo + j]) for j in range(hi - lo)],
                                     [(turns[j], anxieties[lo + j]) for j in range(hi - lo)],
                                     _course(turns, series[lo:hi], turns != [] and accepted, end_turns, upset_from,
                                             calm_below), accepted, worded[c])
        lo = hi
    return feats


@dataclass
class Emotions:
    """A call's citizen emotions as ``prepare`` leaves them: (turn, anger) and (turn, anxiety) of every citizen
    turn with words, the trajectory (``shape``: None without such turns) and whether the citizen accepted the
    answer in their last turns (``settled``), and whether an escalation word is said (``worded``)."""

    anger: list[tuple[int, float]]
    anxiety: list[tuple[int, float]]
    course: tuple[float, float, int, float, bool, bool] | None
    settled: bool
    worded: bool  # an escalation word in one of the citizen's turns


def emotions_of(ctx: CallContext, settings: CitizenSettings) -> Emotions:
    ready = ctx.prepared.get(("emotions", id(settings)))
    if ready is None:
        prepare([ctx], settings)
        ready = ctx.prepared[("emotions", id(settings))]
    return ready  # type: ignore[no-any-return]


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """A cue's pattern, told where a match may begin (``regexscan.scannable``)."""
    return compile_pattern(pattern, scan=True)


def set_course(block: CitizenBlock, course: tuple[float, float, int, float, bool, bool] | None) -> None:
    """The course ``shape`` found, set on the block (left as it is without citizen turns)."""
    if course is not None:
        block.start, block.peak, block.peak_turn, block.end, block.calmed, block.escalated = course


def shape(turns: list[int], series: list[float], settings: CitizenSettings,
          settled: bool = True) -> tuple[float, float, int, float, bool, bool] | None:
    """(start, peak, peak turn, end, calmed, escalated) of the emotion ``series`` of citizen ``turns``: start,
    peak (its first turn), end (the strongest of the last ``end_turns`` citizen turns); calmed: upset at the
    peak, calm at the end and ``settled`` (the citizen accepted the answer); escalated: calm at the start,
    upset at the end. None without turns."""
    es = settings.emotion
    return _course(turns, series, settled, es.end_turns, es.upset_from, es.calm_below)


def _course(turns: list[int], series: list[float], settled: bool, end_turns: int, upset_from: float,
            calm_below: float) -> tuple[float, float, int, float, bool, bool] | None:
    """``shape`` with the emotion settings it reads given."""
    n = len(series)
    if not n:
        return None
    start = series[0]
    size = end_turns if n > end_turns else 1
    if size <= 0:  # (the end over the whole series: as the slices say it)
        peak = max(series)
        peak_turn = turns[series.index(peak)]
        end = max(series[-size:])
        last_turns = turns[-size]
    else:  # one pass each, as ``max`` compares (the first of equal maxima; its place is ``index``'s)
        peak = start
        at = 0
        for i in range(1, n):
            v = series[i]
            if v > peak:
                peak = v
                at = i
        peak_turn = turns[at]
        end = series[n - size]
        for i in range(n - size + 1, n):
            v = series[i]
            if v > end:
                end = v
        last_turns = turns[n - size]
    calmed = (settled and peak >= upset_from and end < calm_below and peak_turn < last_turns)
    escalated = start < calm_below and end >= upset_from and n > 1
    return start, peak, peak_turn, end, calmed, escalated


def found_in(pattern: re.Pattern[str], texts: list[str], joined: str | None = None,
             starts: list[int] | None = None) -> list[bool]:
    """Whether ``pattern.search`` finds a match in each of ``texts``. When every match holds one of a few
    strings (``_needles``), only the texts holding one are searched (``str.find`` over the texts joined, a few
    instructions a character where sre's scan takes about fifty); the texts are searched joined a line break
    apart when a match found there lies in one text as searching that text alone finds it (``_apart``), from the
    start of the text after the last one found in: a few searches per chunk instead of one per text. ``joined``
    and ``starts``: the texts joined and where each begins there (``_starts``), when the caller has them."""
    if not texts:
        return []
    needles = _needles(pattern)
    if needles is None:
        return _searched(pattern, texts)
    if joined is None or starts is None:
        starts = _starts(texts)
        joined = "\n".join(texts)
    last = len(texts) - 1
    holding: set[int] = set()
    for needle in needles:
        pos = joined.find(needle)
        while pos >= 0:
            i = bisect.bisect_right(starts, pos) - 1
            holding.add(i)
            if i == last:
                break
            pos = joined.find(needle, starts[i + 1])
    found = [False] * len(texts)
    if holding:
        chosen = sorted(holding)
        for i, hit in zip(chosen, _searched(pattern, [texts[i] for i in chosen]), strict=True):
            found[i] = hit
    return found


def _starts(texts: list[str]) -> list[int]:
    """Where each of ``texts`` begins in them joined a line break apart."""
    starts: list[int] = []
    at = 0
    for x in texts:
        starts.append(at)
        at += len(x) + 1
    return starts


def _searched(pattern: re.Pattern[str], texts: list[str]) -> list[bool]:
    """``found_in`` of every text: joined when ``_apart``, else one by one."""
    if not texts or not _apart(pattern.pattern, pattern.flags):
        return [pattern.search(x) is not None for x in texts]
    found = [False] * len(texts)
    starts = _starts(texts)
    joined = "\n".join(texts)
    last = len(texts) - 1
    pos = 0
    while True:
        m = pattern.search(joined, pos)
        if m is None:
            break
        i = bisect.bisect_right(starts, m.start()) - 1
        found[i] = True
        if i == last:
            break
        pos = starts[i + 1]
    return found


_NEEDLES = 16  # more strings than this: sre's one scan costs less than a search for each


@functools.cache
def _needles(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """A few strings (at most ``_NEEDLES``) one of which every match of ``pattern`` holds (``prefilter.literals``), or
    None when not known or too many."""
    found = literals(pattern)
    return found if found is not None and len(found) <= _NEEDLES and all(found) else None


@functools.cache
def _apart(pattern: str, flags: int) -> bool:
    """Whether every match of ``pattern`` in texts joined a line break apart lies in one text, and is found at
    each position of it as searching that text alone finds it there: the pattern takes no line break (its
    characters are literals, or classes of literals and ranges leaving it out, in groups, alternations and
    repeats) and asks nothing of what lies around a match (no anchor, look-around or back-reference)."""
    try:
        return _takes_no_line_break(_parser.parse(pattern, flags))
    except re.error:
        return False


def _takes_no_line_break(items: Any) -> bool:
    for op, av in items:
        if op is _c.LITERAL:
            if av == _NEWLINE:
                return False
        elif op is _c.IN:
            for kind, member in av:
                if not ((kind is _c.LITERAL and member != _NEWLINE)
                        or (kind is _c.RANGE and not member[0] <= _NEWLINE <= member[1])):
                    return False
        elif op is _c.SUBPATTERN:
            if not _takes_no_line_break(av[3]):
                return False
        elif op is _c.BRANCH:
            if not all(_takes_no_line_break(alt) for alt in av[1]):
                return False
        elif op in _REPEATS:
            if not _takes_no_line_break(av[2]):
                return False
        elif op is _c.ATOMIC_GROUP:
            if not _takes_no_line_break(av):
                return False
        else:  # an anchor, a look-around, a back-reference, ``.``, a negated literal or class, a category…
            return False
    return True


_NEWLINE = ord("\n")
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT)


def _worded(any_word: re.Pattern[str], said: list[str]) -> bool:
    """An escalation word in one of the texts (no word holds a line break, so none is found across two)."""
    return any_word.search("\n".join(said)) is not None


def escalation(ctx: CallContext, settings: CitizenSettings) -> tuple[float, list[tuple[str, int, str]]]:
    """The risk that the citizen takes the matter further (0–1) and each kind with its evidence."""
    risk = 0.0
    found: list[tuple[str, int, str]] = []
    sc = settings.escalation
    kinds, any_word = _kinds_of(sc)
    emotions = ctx.prepared.get(("emotions", id(settings)))
    turns = ctx.turns_of("citizen")
    if not (emotions.worded if emotions is not None else _worded(any_word, [ctx.norm[t].text for t in turns])):
        return risk, found
    col = ctx.act_model().for_speaker("citizen").index["citizen.escalation"]
    for t in turns:
        text = ctx.norm[t].text
        if not text or ctx.speakers[t] is not Speaker.CITIZEN or not any_word.search(text):
            continue
        for clause in ctx.clause_acts(t):
            piece = text[clause.start:clause.end]
            p = float(clause.probs[col])
            for kind, words in kinds.items():
                word = next((w for w in words if w in piece), None)
                if word is None:
                    continue
                urgent = kind in sc.urgent
                if p >= sc.min_prob or urgent:
                    s, e = ctx.norm[t].to_original(clause.start, clause.end)
                    found.append((kind, t, ctx.call.turns[t].text[s:e]))
                    risk = max(risk, 1.0 if urgent else p)
    return risk, found


class Words:
    """Which texts hold one of some words (``held``): what ``_any_of``'s pattern searched in each text says (it
    finds a word exactly where one of them stands, character for character), at a few instructions a character
    where sre's scan takes about a hundred (a class test at every character, the alternation tried at each of the
    many that open a word: 你, 不, 一, 大…). Each word of two characters or more starts with one of the pairs
    ``pairs`` holds, a word of one character is a pair of its character and any other (``singles``), so a text
    holds a word only where the pair of characters starting there (read with numpy from all the texts joined, a
    table lookup of the first character, then the pair looked up among ``pairs`` at the few places left) is such a
    pair; there each word is compared where it would stand, inside the text."""

    def __init__(self, words: set[str]) -> None:
        self.empty = "" in words  # the empty word is in every text (the empty one too)
        self.singles = {w for w in words if len(w) == 1}
        by_pair: dict[int, list[str]] = {}
        for w in sorted(words):
            if len(w) >= 2:
                by_pair.setdefault(_pair(ord(w[0]), ord(w[1])), []).append(w)
        self.by_pair = by_pair
        self.pairs = np.array(sorted(by_pair), dtype=np.uint64)
        firsts = [ord(w[0]) for w in words if w]
        # the characters that open a word, by code point; the entry past the last is never one (codes beyond read it)
        self.opens = np.zeros(max(firsts, default=0) + 2, dtype=bool)
        self.opens[firsts] = True
        # what the C kernel reads (``_held``): by code point, 2 for a word of one character, 1 for the first of a
        # longer one; the pairs' keys as bytes, and the longer words pair after pair with where each pair's start
        marks = bytearray(len(self.opens))
        for w in words:
            if len(w) >= 2:
                marks[ord(w[0])] |= 1
            elif len(w) == 1:
                marks[ord(w)] |= 2
        self.marks = bytes(marks)
        self.pair_keys = self.pairs.tobytes()
        self.pair_words: list[str] = []
        self.pair_starts: list[int] = [0]
        for key in sorted(by_pair):
            self.pair_words.extend(by_pair[key])
            self.pair_starts.append(len(self.pair_words))

    def held(self, texts: list[str]) -> list[bool]:
        """Whether each of ``texts`` holds one of the words."""
        if self.empty:
            return [True] * len(texts)
        done = self._held(texts)
        if done is not None:
            return done
        found = [False] * len(texts)
        joined = "\n".join(texts)
        if not joined:
            return found
        # one code point a character (utf-32: a character beyond the BMP is one, a lone surrogate is itself)
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        # the characters that open a word (``clip``: a code point past the table reads its last entry, never one)
        at = self.opens.take(codes, mode="clip").nonzero()[0]
        if not len(at):
            return found
        first = codes.take(at)
        # each with the character after it (the last one's is itself: no text's pair, its place is checked below)
        pair = (first.astype(np.uint64) << np.uint64(_SHIFT)) | codes.take(at + 1, mode="clip")
        pairs = self.pairs
        if len(pairs):
            place = np.minimum(pairs.searchsorted(pair), len(pairs) - 1)
            hit = pairs.take(place) == pair
        else:
            hit = np.zeros(len(at), dtype=bool)
        singles = self.singles
        if singles:
            hit |= np.isin(first, np.array([ord(w) for w in singles], dtype=np.uint32))
        places: list[int] = at[hit].tolist()
        if not places:
            return found
        starts = _starts(texts)
        by_pair = self.by_pair
        for p in places:
            i = bisect.bisect_right(starts, p) - 1
            end = starts[i] + len(texts[i])  # a word found must lie inside its text (``p`` may be the line break after it)
            if found[i] or p >= end:
                continue
            if joined[p] in singles:
                found[i] = True
                continue
            if p + 1 == end:  # (no word of two characters or more starts at the last)
                continue
            for w in by_pair.get(_pair(ord(joined[p]), ord(joined[p + 1])), []):
                if p + len(w) <= end and joined.startswith(w, p):
                    found[i] = True
                    break
        return found


    def _held(self, texts: list[str], kernel: Any = None) -> list[bool] | None:
        """``held`` from the C kernel (``kernel``, else ``words_kernel``): each text read character by character in
        C, the same tests in the same tables (a word of one character at its character; else the pair starting there
        looked up among ``pairs`` and each of its words compared where it would stand, inside the text); no joined
        text, no utf-32 copy, no numpy pass. None when the kernel is not there or refuses the tables."""
        if kernel is None:
            kernel = words_kernel()
            if kernel is None:
                return None
        try:
            return kernel(texts, self.marks, self.pair_keys, self.pair_words, self.pair_starts)  # type: ignore[no-any-return]
        except ValueError:
            return None


def words_kernel() -> Any:
    """``hotline._kernels.citizen.held``, or None when it is not built (plain Python, a failed build, a stale one,
    ``HOTLINE_NATIVE=0``): numpy then."""
    return kernel_function("held")


_SHIFT = 21  # a code point takes 21 bits: a pair of them is the first shifted past the second


def _pair(first: int, second: int) -> int:
    return (first << _SHIFT) | second


_WORDS: dict[int, tuple[EscalationSettings, Words]] = {}


def _words_of(sc: EscalationSettings) -> Words:
    """The ``Words`` of a settings object's escalation words (normalised, as ``_kinds`` gives them), looked up by
    its identity (the settings are loaded once)."""
    known = _WORDS.get(id(sc))
    if known is None or known[0] is not sc:
        if len(_WORDS) > 8:  # settings made anew (tests): keep the table small
            _WORDS.clear()
        kinds, _ = _kinds_of(sc)
        known = _WORDS[id(sc)] = (sc, Words({w for ws in kinds.values() for w in ws}))
    return known[1]


_KINDS: dict[int, tuple[EscalationSettings, dict[str, list[str]], re.Pattern[str]]] = {}


def _kinds_of(sc: EscalationSettings) -> tuple[dict[str, list[str]], re.Pattern[str]]:
    """``_kinds`` of a settings object, looked up by its identity (the settings are loaded once)."""
    known = _KINDS.get(id(sc))
    if known is None or known[0] is not sc:
        if len(_KINDS) > 8:  # settings made anew (tests): keep the table small
            _KINDS.clear()
        kinds, any_word = _kinds(tuple((k, tuple(ws)) for k, ws in sc.kinds.items()))
        known = _KINDS[id(sc)] = (sc, kinds, any_word)
    return known[1], known[2]


@functools.cache
def _kinds(table: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[dict[str, list[str]], re.Pattern[str]]:
    """The escalation words of each kind, normalised, and one pattern that finds any of them."""
    kinds = {kind: [normalize_phrase(w) for w in words] for kind, words in table}
    return kinds, compile_pattern(_any_of({w for ws in kinds.values() for w in ws}))


def _any_of(words: set[str]) -> str:
    """A pattern that finds whether one of ``words`` occurs (all it is asked: never which one, nor where): the
    words grouped by their first character, so that at a character that opens some word the regex tries that
    group only, not every word in turn."""
    if "" in words:
        return ""  # the empty word is in every text
    firsts: dict[str, list[str]] = {}
    for w in sorted(words):
        firsts.setdefault(w[0], []).append(w[1:])
    parts = []
    for first, rests in firsts.items():
        if "" in rests:  # the character alone is a word: the longer ones need not be tried
            parts.append(re.escape(first))
        elif len(rests) == 1:
            parts.append(re.escape(first + rests[0]))
        else:
            parts.append(f"{re.escape(first)}(?:{'|'.join(map(re.escape, rests))})")
    return "|".join(parts)
