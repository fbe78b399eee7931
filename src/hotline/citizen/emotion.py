"""The citizen's emotion turn by turn and over the call, and the risk that the matter escalates.
Read from the act model's citizen acts (the same clause probabilities the rules use) plus cues that
raise the intensity (exclamation runs, rhetorical questions, a repeated complaint)."""

from __future__ import annotations

import re
from typing import Any

from hotline.citizen.settings import CitizenSettings
from hotline.model import CitizenBlock, Speaker
from hotline.text import normalize_phrase


def turn_emotions(ctx: Any, settings: CitizenSettings) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    """(turn, anger) and (turn, anxiety) for every citizen turn with words, 0–1."""
    es = settings.emotion
    model = ctx.act_model().for_speaker("citizen")
    anger_cols = [model.index[a] for a in es.anger_acts]
    anxiety_cols = [model.index[a] for a in es.anxiety_acts]
    anger, anxiety = [], []
    for t in ctx.turns_of("citizen"):
        if not ctx.norm[t].text:
            continue
        clauses = ctx.clause_acts(t)
        a = max((float(c.probs[j]) for c in clauses for j in anger_cols), default=0.0)
        x = max((float(c.probs[j]) for c in clauses for j in anxiety_cols), default=0.0)
        for cue in es.cues:
            if _cue_fires(cue, ctx, t, clauses, model):
                a = 1 - (1 - a) * (1 - cue.anger)
                x = 1 - (1 - x) * (1 - cue.anxiety)
        anger.append((t, a))
        anxiety.append((t, x))
    return anger, anxiety


def _cue_fires(cue: Any, ctx: Any, turn: int, clauses: list[Any], model: Any) -> bool:
    if cue.pattern is not None:
        return re.search(cue.pattern, ctx.call.turns[turn].text) is not None
    j = model.index[cue.act]
    return any(float(c.probs[j]) >= cue.min_prob for c in clauses)


def trajectory(block: CitizenBlock, settings: CitizenSettings, last_is_short: bool = False) -> None:
    """Start, peak (with its turn), end; calmed (upset at the peak, calm at the end) and escalated
    (calm at the start, upset later)."""
    series = [(t, max(a, x)) for (t, a), (_, x) in zip(block.anger, block.anxiety, strict=True)]
    if not series:
        return
    es = settings.emotion
    block.start = series[0][1]
    block.peak_turn, block.peak = max(series, key=lambda tv: tv[1])
    block.end = series[-1][1]
    if len(series) > 1 and last_is_short:  # a bare 嗯 / 好 at the end says little: the turn before counts too
        block.end = max(series[-1][1], series[-2][1])
    block.calmed = block.peak >= es.upset_from and block.end < es.calm_below and block.peak_turn != series[-1][0]
    block.escalated = block.start < es.calm_below and block.peak >= es.upset_from and block.peak_turn != series[0][0]


def escalation(ctx: Any, settings: CitizenSettings) -> tuple[float, list[tuple[str, int, str]]]:
    """The risk that the citizen takes the matter further (0–1) and each kind with its evidence."""
    sc = settings.escalation
    model = ctx.act_model().for_speaker("citizen")
    col = model.index["citizen.escalation"]
    kinds = {kind: [normalize_phrase(w) for w in words] for kind, words in sc.kinds.items()}
    risk, found = 0.0, []
    for t in ctx.turns_of("citizen"):
        text = ctx.norm[t].text
        if not text or ctx.speakers[t] is not Speaker.CITIZEN:
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
