"""Fitting a transcript to a recording: correct a constant time offset of a timed transcript, or
place the turns of an untimed one on the speech segments of the matching channel."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.audio import intervals as iv
from hotline.audio.intervals import Interval
from hotline.audio.rate import spoken_units
from hotline.model import Speaker, Turn

STEP = 0.05  # seconds per cell of the activity masks used to estimate the offset


@dataclass(slots=True)
class Alignment:
    method: str  # "times" (kept), "offset" (shifted), "segments" (placed on speech)
    offset: float = 0.0
    agreement: float | None = None
    unplaced: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "offset": self.offset,
            "agreement": self.agreement,
            "unplaced_turns": self.unplaced,
        }


def _mask(items: list[Interval], cells: int, origin: float):  # -> np.ndarray
    import numpy as np

    m = np.zeros(cells, dtype=np.float32)
    for s, e in items:
        a, b = int((s - origin) / STEP), int((e - origin) / STEP)
        m[max(a, 0) : max(min(b, cells), 0)] = 1.0
    return m


def estimate_offset(
    pairs: list[tuple[list[Interval], list[Interval]]], duration: float, max_offset: float
) -> tuple[float, float, float]:
    """Best shift of the turn intervals onto the speech: (offset, agreement at it, agreement at 0).

    ``pairs`` holds (turn intervals, speech intervals) per side; agreement is the share of turn time
    that lands on speech."""
    import numpy as np

    lag_cells = int(max_offset / STEP)
    cells = int(duration / STEP) + 2 * lag_cells + 1
    origin = -max_offset
    turn_time = sum(iv.total(t) for t, _ in pairs) or 1.0
    scores = np.zeros(2 * lag_cells + 1)
    for turns, speech in pairs:
        speech_m = _mask(speech, cells, origin)
        turns_m = _mask(turns, cells, origin)
        # score[k] = overlap of the turns shifted by (k - lag_cells) cells with the speech
        full = np.correlate(speech_m, turns_m, mode="full")
        centre = cells - 1
        scores += full[centre - lag_cells : centre + lag_cells + 1]
    best = int(np.argmax(scores))
    to_share = STEP / turn_time
    return (best - lag_cells) * STEP, float(scores[best] * to_share), float(scores[lag_cells] * to_share)


def shift_turns(turns: list[Turn], offset: float) -> list[Turn]:
    return [Turn(t.speaker, t.text, _add(t.start, offset), _add(t.end, offset)) for t in turns]


def _add(value: float | None, offset: float) -> float | None:
    return None if value is None else round(max(0.0, value + offset), 3)


def _split_longest(segments: list[Interval], wanted: int) -> list[Interval]:
    segs = list(segments)
    while len(segs) < wanted:
        i = max(range(len(segs)), key=lambda k: segs[k][1] - segs[k][0])
        s, e = segs[i]
        segs[i : i + 1] = [(s, (s + e) / 2), ((s + e) / 2, e)]
    return segs


def place(weights: list[int], segments: list[Interval]) -> list[Interval]:
    """Split ``segments`` (in order) into ``len(weights)`` consecutive groups whose speech time best
    matches each turn's share of the characters; returns each group's (start, end)."""
    import numpy as np

    n = len(weights)
    if n == 0:
        return []
    segs = _split_longest(segments, n)
    m = len(segs)
    cum = np.concatenate([[0.0], np.cumsum([e - s for s, e in segs])])
    per_unit = cum[-1] / sum(weights)
    inf = float("inf")
    cost = np.full((n + 1, m + 1), inf)
    back = np.zeros((n + 1, m + 1), dtype=int)
    cost[0, 0] = 0.0
    for i in range(1, n + 1):
        want = weights[i - 1] * per_unit
        for j in range(i, m - (n - i) + 1):
            ks = np.arange(i - 1, j)
            c = cost[i - 1, ks] + (cum[j] - cum[ks] - want) ** 2
            k = int(np.argmin(c))
            cost[i, j], back[i, j] = c[k], ks[k]
    out: list[Interval] = []
    j = m
    for i in range(n, 0, -1):
        k = back[i, j]
        out.append((segs[k][0], segs[j - 1][1]))
        j = k
    return out[::-1]


def place_turns(
    turns: list[Turn],
    speech: dict[Speaker | None, list[Interval]],
    stretches: dict[Speaker | None, list[Interval]] | None = None,
) -> tuple[list[Turn], list[int]]:
    """Give each untimed turn the times of speech on its side (key None: one channel for both sides);
    returns the turns and the indexes that could not be placed (no speech on that side).

    ``stretches`` are the same speech joined into natural turns (split only where the other side
    speaks or at a long pause); when a side has at least as many of them as turns, groups start and
    end only there, so a short pause inside a sentence never becomes a turn boundary."""
    placed: dict[int, Interval] = {}
    for speaker, segments in speech.items():
        idx = [i for i, t in enumerate(turns) if speaker is None or t.speaker is speaker]
        if not idx or not segments:
            continue
        coarse = (stretches or {}).get(speaker) or []
        units = coarse if len(coarse) >= len(idx) else segments
        weights = [max(1, spoken_units(turns[i].text)) for i in idx]
        for i, (s, e) in zip(idx, place(weights, units), strict=True):
            placed[i] = (round(s, 3), round(e, 3))
    out = [Turn(t.speaker, t.text, *placed.get(i, (None, None))) for i, t in enumerate(turns)]
    return out, [i for i in range(len(turns)) if i not in placed]


def out_of_order(turns: list[Turn], tolerance: float = 1.0) -> list[int]:
    """Turns that start clearly before the turn written above them (placement disagrees with the text)."""
    timed = [(i, t.start) for i, t in enumerate(turns) if t.start is not None]
    return [b for (_, sa), (b, sb) in zip(timed, timed[1:], strict=False) if sb < sa - tolerance]


def placeholder_turns(speech: dict[Speaker | None, list[Interval]]) -> list[Turn]:
    """One empty-text turn per stretch of each side's speech, in time order, so timing rules apply."""
    turns = [
        Turn(spk, "", round(s, 3), round(e, 3)) for spk, items in speech.items() if spk for s, e in items
    ]
    return sorted(turns, key=lambda t: (t.start, t.end))
