"""Timing and level metrics of a call from the speech of each side: dead air, reply latency,
talking over the citizen, talk ratio, loudness, clipping, silent call, channel-swap check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hotline.audio import intervals as iv
from hotline.audio.intervals import Interval
from hotline.audio.settings import AudioSettings
from hotline.model import Speaker, Turn

if TYPE_CHECKING:
    import numpy as np

SWAP_LEAD_SECONDS = 1.0


@dataclass(slots=True)
class Activity:
    """Where each side speaks (seconds), and the same joined into turns."""

    agent: list[Interval]
    citizen: list[Interval]
    duration: float
    merge_gap: float

    @property
    def agent_turns(self) -> list[Interval]:
        return iv.merge_close(self.agent, self.merge_gap, self.citizen)

    @property
    def citizen_turns(self) -> list[Interval]:
        return iv.merge_close(self.citizen, self.merge_gap, self.agent)


def level_metrics(
    x: np.ndarray, rate: int, speech: list[Interval], clip_level: float
) -> dict[str, float | None]:
    """Speech level (RMS dBFS over the speech) and the share of clipped samples in it."""
    import numpy as np

    parts = [x[int(s * rate) : int(e * rate)] for s, e in speech]
    samples = np.concatenate(parts) if parts else x[:0]
    if samples.size == 0:
        return {"loudness_dbfs": None, "clipping_ratio": None, "peak_dbfs": None}
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    peak = float(np.max(np.abs(samples)))
    return {
        "loudness_dbfs": round(_dbfs(rms), 2),
        "clipping_ratio": round(float(np.mean(np.abs(samples) >= clip_level)), 5),
        "peak_dbfs": round(_dbfs(peak), 2),
    }


def _dbfs(value: float) -> float:
    import math

    return 20 * math.log10(value) if value > 1e-10 else -200.0


def dead_air(act: Activity) -> list[Interval]:
    """Stretches where nobody speaks, between the first and the last speech of the call."""
    return iv.gaps(iv.union(act.agent, act.citizen))


def reply_gaps(act: Activity) -> list[float]:
    """Seconds from the end of each citizen turn to the agent's next turn, when the agent answers."""
    agent, citizen = act.agent_turns, act.citizen_turns
    out: list[float] = []
    for c_start, c_end in citizen:
        nxt = next((a for a in agent if a[0] >= c_end), None)
        if nxt is None or any(c_end < s < nxt[0] for s, _ in citizen if s > c_start):
            continue
        if _active_at(act.agent, c_end):
            continue
        out.append(nxt[0] - c_end)
    return out


def _active_at(items: list[Interval], t: float) -> bool:
    return any(s <= t < e for s, e in items)


def talk_over(act: Activity, min_overlap: float) -> list[tuple[Interval, float]]:
    """Agent turns that start while the citizen is speaking, with how long both speak at once."""
    out = []
    for turn in act.agent_turns:
        if not _active_at(act.citizen, turn[0]):
            continue
        both = iv.total(iv.intersect([turn], act.citizen))
        if both >= min_overlap:
            out.append((turn, both))
    return out


def timing_metrics(act: Activity, cfg: AudioSettings) -> dict[str, Any]:
    agent_s, citizen_s = iv.total(act.agent), iv.total(act.citizen)
    silences = [e - s for s, e in dead_air(act)]
    gaps = reply_gaps(act)
    overs = talk_over(act, cfg.metrics.overlap_min)
    return {
        "duration": round(act.duration, 3),
        "agent_speech_seconds": round(agent_s, 3),
        "citizen_speech_seconds": round(citizen_s, 3),
        "talk_ratio": round(agent_s / (agent_s + citizen_s), 3) if agent_s + citizen_s else None,
        "silent_call": citizen_s == 0,
        "max_dead_air": round(max(silences, default=0.0), 3),
        "dead_air_count": sum(1 for s in silences if s > cfg.metrics.dead_air),
        "answer_delay": round(act.agent[0][0], 3) if act.agent else None,
        "max_reply_gap": round(max(gaps), 3) if gaps else None,
        "mean_reply_gap": round(sum(gaps) / len(gaps), 3) if gaps else None,
        "overlap_seconds": round(iv.total(iv.intersect(act.agent, act.citizen)), 3),
        "agent_overlap_seconds": round(sum(both for _, both in overs), 3),
        "agent_interruptions": len(overs),
    }


def turn_intervals(turns: list[Turn], speaker: Speaker) -> list[Interval]:
    return iv.normalize(
        (t.start, t.end) for t in turns if t.speaker is speaker and t.start is not None and t.end is not None
    )


def swap_suspected(
    act: Activity, timed_turns: list[Turn] | None = None, agent_speaks_first: bool = True
) -> str | None:
    """Why the stereo channel mapping looks swapped, or None when it looks right."""
    if timed_turns:
        agent_t = turn_intervals(timed_turns, Speaker.AGENT)
        citizen_t = turn_intervals(timed_turns, Speaker.CITIZEN)
        straight = iv.total(iv.intersect(agent_t, act.agent)) + iv.total(iv.intersect(citizen_t, act.citizen))
        crossed = iv.total(iv.intersect(agent_t, act.citizen)) + iv.total(iv.intersect(citizen_t, act.agent))
        if crossed > 1.0 and crossed > 1.5 * straight:
            return "转写文本中坐席说话的时间与市民声道的语音重合"
        return None
    if act.citizen and not act.agent:
        return "坐席声道没有语音，市民声道却有"
    first_is_citizen = act.agent and act.citizen and act.citizen[0][0] + SWAP_LEAD_SECONDS < act.agent[0][0]
    if agent_speaks_first and first_is_citizen:
        return "市民声道先开口（通常由坐席先问候）"
    return None
