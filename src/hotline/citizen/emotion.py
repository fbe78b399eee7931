"""The citizen's emotion turn by turn and over the call, and the risk that the matter escalates.
Read from the act model's citizen acts (the same clause probabilities the rules use) plus cues that
raise the intensity (exclamation runs, rhetorical questions, a repeated complaint)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from hotline.citizen.settings import CitizenSettings, EscalationSettings
from hotline.model import CitizenBlock, Speaker
from hotline.regexcache import compile_pattern
from hotline.text import normalize_phrase


def groups(ctx: Any, settings: CitizenSettings) -> dict[str, list[int]]:
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


def prepare(contexts: list[Any], settings: CitizenSettings) -> np.ndarray:
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
    _, any_word = _kinds_of(settings.escalation)
    worded: list[bool] = []  # an escalation word somewhere in the citizen's turns (``escalation`` looks further)
    for c, ctx in enumerate(contexts):
        turns, said = spoken(ctx, "citizen")  # (a turn without words holds no escalation word)
        spoken_turns.append(turns)
        worded.append(_worded(any_word, said))
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
    # every turn with words has clauses, call after call: each turn's row is its place (the common case)
    every = len(clauses.turns) == len(rows) and (not rows or rows[-1] == len(rows) - 1)
    at = np.asarray(rows, dtype=np.int64)
    has = at >= 0

    def read(name: str, missing: float) -> np.ndarray:
        strongest = clauses.strongest.get(name)  # none: no citizen turn of the chunk has clauses
        if strongest is None:
            return np.full(len(at), missing)
        return strongest if every else np.where(has, strongest[at], missing)

    anger, anxiety = read("anger", 0.0), read("anxiety", 0.0)
    for i, cue in enumerate(es.cues):
        if cue.act is not None:
            fires = read(f"cue{i}", -1.0) >= cue.min_prob
        else:
            pattern = _pattern(cue.pattern or "")
            fires = np.array([pattern.search(x) is not None for x in texts], dtype=bool)
        if fires.any():
            anger = np.where(fires, 1 - (1 - anger) * (1 - cue.anger), anger)
            anxiety = np.where(fires, 1 - (1 - anxiety) * (1 - cue.anxiety), anxiety)
    series = np.maximum(anger, anxiety).tolist()
    calm = (read("settled", -1.0) >= es.settled_min_prob).tolist() if es.settled_acts else []
    angers, anxieties = anger.tolist(), anxiety.tolist()
    key = ("emotions", id(settings))
    lo = 0
    for c, ctx in enumerate(contexts):
        turns = spoken_turns[c]
        hi = lo + len(turns)
        accepted = (not es.settled_acts) or any(calm[max(lo, hi - es.end_turns) if es.end_turns else lo:hi])
        ctx.prepared[key] = Emotions(list(zip(turns, angers[lo:hi], strict=True)),
                                     list(zip(turns, anxieties[lo:hi], strict=True)),
                                     shape(turns, series[lo:hi], settings, turns != [] and accepted), accepted,
                                     worded[c])
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


def emotions_of(ctx: Any, settings: CitizenSettings) -> Emotions:
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
    if not series:
        return None
    es = settings.emotion
    start = series[0]
    peak = max(series)
    peak_turn = turns[series.index(peak)]
    size = es.end_turns if len(series) > es.end_turns else 1
    end = max(series[-size:])
    calmed = (settled and peak >= es.upset_from and end < es.calm_below and peak_turn < turns[-size])
    escalated = start < es.calm_below and end >= es.upset_from and len(series) > 1
    return start, peak, peak_turn, end, calmed, escalated


def _worded(any_word: re.Pattern[str], said: list[str]) -> bool:
    """An escalation word in one of the texts (no word holds a line break, so none is found across two)."""
    return any_word.search("\n".join(said)) is not None


def escalation(ctx: Any, settings: CitizenSettings) -> tuple[float, list[tuple[str, int, str]]]:
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
