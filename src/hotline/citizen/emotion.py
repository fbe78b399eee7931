"""The citizen's emotion turn by turn and over the call, and the risk that the matter escalates.
Read from the act model's citizen acts (the same clause probabilities the rules use) plus cues that
raise the intensity (exclamation runs, rhetorical questions, a repeated complaint)."""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np

from hotline.citizen.settings import CitizenSettings, EscalationSettings
from hotline.model import CitizenBlock, Speaker
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
    """The act statistics of many calls (``satisfaction.act_features``, returned one row per call) and the
    strongest probabilities the emotions read, in one pass (bulk inspection)."""
    from hotline.citizen.satisfaction import prepare_clause_stats

    return prepare_clause_stats(contexts, groups(contexts[0], settings))


def _strongest(ctx: Any, settings: CitizenSettings, name: str) -> dict[int, float]:
    """Each citizen clause turn's strongest probability over the columns of group ``name``."""
    ready = ctx.prepared.get(("strongest", name))
    if ready is None:
        prepare([ctx], settings)
        ready = ctx.prepared[("strongest", name)]
    return ready  # type: ignore[no-any-return]


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def turn_emotions(ctx: Any, settings: CitizenSettings) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    """(turn, anger) and (turn, anxiety) for every citizen turn with words, 0–1."""
    es = settings.emotion
    anger_of = _strongest(ctx, settings, "anger")
    anxiety_of = _strongest(ctx, settings, "anxiety")
    cues: list[tuple[float, float, float, dict[int, float] | None, re.Pattern[str] | None]] = [
        (cue.min_prob, cue.anger, cue.anxiety, None if cue.act is None else _strongest(ctx, settings, f"cue{i}"),
         None if cue.act is not None else _pattern(cue.pattern or "")) for i, cue in enumerate(es.cues)]
    anger, anxiety = [], []
    norm = ctx.norm
    turns = ctx.call.turns
    for t in ctx.turns_of("citizen"):
        if not norm[t].text:
            continue
        a = anger_of.get(t, 0.0)
        x = anxiety_of.get(t, 0.0)
        for min_prob, cue_anger, cue_anxiety, strongest, pattern in cues:
            if (strongest.get(t, -1.0) >= min_prob if strongest is not None
                    else pattern is not None and pattern.search(turns[t].text) is not None):
                a = 1 - (1 - a) * (1 - cue_anger)
                x = 1 - (1 - x) * (1 - cue_anxiety)
        anger.append((t, a))
        anxiety.append((t, x))
    return anger, anxiety


def trajectory(block: CitizenBlock, settings: CitizenSettings, settled: bool = True) -> None:
    """Start, peak (with its turn), end (the strongest of the last ``end_turns`` citizen turns);
    calmed: upset at the peak, calm at the end and ``settled`` (the citizen accepted the answer);
    escalated: calm at the start, upset at the end."""
    series = [(t, max(a, x)) for (t, a), (_, x) in zip(block.anger, block.anxiety, strict=True)]
    if not series:
        return
    es = settings.emotion
    block.start = series[0][1]
    block.peak_turn, block.peak = max(series, key=lambda tv: tv[1])
    tail = series[-es.end_turns:] if len(series) > es.end_turns else series[-1:]
    block.end = max(v for _, v in tail)
    block.calmed = (settled and block.peak >= es.upset_from and block.end < es.calm_below
                    and block.peak_turn < tail[0][0])
    block.escalated = block.start < es.calm_below and block.end >= es.upset_from and len(series) > 1


def settled(ctx: Any, settings: CitizenSettings) -> bool:
    """The citizen accepted the answer in their last turns (thanks, 好的麻烦你了): one of ``settled_acts``."""
    es = settings.emotion
    if not es.settled_acts:
        return True
    strongest = _strongest(ctx, settings, "settled")
    turns = [t for t in ctx.turns_of("citizen") if ctx.norm[t].text][-es.end_turns:]
    return any(strongest.get(t, -1.0) >= es.settled_min_prob for t in turns)


def escalation(ctx: Any, settings: CitizenSettings) -> tuple[float, list[tuple[str, int, str]]]:
    """The risk that the citizen takes the matter further (0–1) and each kind with its evidence."""
    sc = settings.escalation
    model = ctx.act_model().for_speaker("citizen")
    col = model.index["citizen.escalation"]
    kinds, any_word = _kinds_of(sc)
    risk = 0.0
    found: list[tuple[str, int, str]] = []
    turns = ctx.turns_of("citizen")
    # no escalation word in any turn (no word holds a line break, so none is found across two turns)
    if not any_word.search("\n".join([ctx.norm[t].text for t in turns])):
        return risk, found
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
    words = sorted({w for ws in kinds.values() for w in ws}, key=len, reverse=True)
    return kinds, re.compile("|".join(map(re.escape, words)))
