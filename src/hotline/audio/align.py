"""Fitting a transcript to a recording: correct a constant time offset of a timed transcript, or
place the turns of an untimed one on the speech segments of the matching channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hotline.audio import intervals as iv
from hotline.audio.intervals import Interval
from hotline.audio.rate import spoken_units
from hotline.model import Speaker, Turn

if TYPE_CHECKING:
    import numpy as np

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


def _mask(items: list[Interval], cells: int, origin: float) -> np.ndarray:
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
        scores += _lagged_overlap(speech_m, turns_m, lag_cells)
    best = int(np.argmax(scores))
    to_share = STEP / turn_time
    return (best - lag_cells) * STEP, float(scores[best] * to_share), float(scores[lag_cells] * to_share)


def _lagged_overlap(speech: np.ndarray, turns: np.ndarray, lags: int) -> np.ndarray:
    """Overlap of ``turns`` shifted by -lags…+lags cells with ``speech`` (only the lags needed,
    so an hour-long call costs milliseconds, not a full correlation)."""
    import numpy as np

    n = len(speech)
    out = np.empty(2 * lags + 1)
    for k in range(-lags, lags + 1):
        out[k + lags] = np.dot(speech[k:], turns[: n - k]) if k >= 0 else np.dot(speech[: n + k], turns[-k:])
    return out


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


def place(weights: list[int], segments: list[Interval], max_group: int = 48) -> list[Interval]:
    """Split ``segments`` (in order) into ``len(weights)`` consecutive groups whose speech time best
    matches each turn's share of the characters; returns each group's (start, end).

    Dynamic programming over (turn, last segment), vectorised per turn; a group holds at most
    ``max_group`` segments unless the turns cannot be placed that way."""
    import numpy as np

    n = len(weights)
    if n == 0:
        return []
    segs = _split_longest(segments, n)
    m = len(segs)
    cum = np.concatenate([[0.0], np.cumsum([e - s for s, e in segs])])
    per_unit = cum[-1] / sum(weights)
    for width in (min(max_group, m), m):
        back = _group_dp([w * per_unit for w in weights], cum, width)
        if back is not None:
            break
    assert back is not None  # with width m every split is allowed
    out: list[Interval] = []
    j = m
    for i in range(n, 0, -1):
        k = int(back[i, j])
        out.append((segs[k][0], segs[j - 1][1]))
        j = k
    return out[::-1]


def _group_dp(wants: list[float], cum: np.ndarray, width: int) -> np.ndarray | None:
    """Back-pointers of the best grouping (groups of 1..width segments), or None if none fits."""
    import numpy as np

    n, m = len(wants), len(cum) - 1
    ends = np.arange(m + 1)[:, None]
    starts = ends - np.arange(1, width + 1)[None, :]  # group = segments starts..ends-1
    safe = np.clip(starts, 0, None)
    span = cum[ends] - cum[safe]
    cost = np.full(m + 1, np.inf)
    cost[0] = 0.0
    back = np.zeros((n + 1, m + 1), dtype=np.int32)
    for i, want in enumerate(wants, start=1):
        c = cost[safe] + (span - want) ** 2
        c[starts < i - 1] = np.inf
        pick = np.argmin(c, axis=1)
        cost = c[np.arange(m + 1), pick]
        back[i] = safe[np.arange(m + 1), pick]
    return back if np.isfinite(cost[m]) else None


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
