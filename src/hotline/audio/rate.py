"""Speech rate in characters per minute, per turn and per speaker, and the agent's pace relative
to the citizen's own (an elderly caller who speaks slowly needs a slower agent)."""

from __future__ import annotations

import re

from hotline.model import Call, Speaker, Turn

# A Han character, a digit (read one by one: 12345) or a Latin word each count as one spoken unit.
_UNIT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|\d|[A-Za-z]+")
MIN_TURN_SECONDS = 0.5


def spoken_units(text: str) -> int:
    """Characters that are spoken (punctuation and spaces do not count)."""
    return len(_UNIT.findall(text))


def turn_cpm(turn: Turn) -> float | None:
    """Characters per minute of one turn; None without times, text or a usable duration."""
    if turn.start is None or turn.end is None:
        return None
    seconds = turn.end - turn.start
    units = spoken_units(turn.text)
    if seconds < MIN_TURN_SECONDS or units == 0:
        return None
    return units * 60.0 / seconds


def speaker_cpm(call: Call, speaker: Speaker) -> float | None:
    """Pace of one side over all its timed turns with text (time-weighted, not a mean of turns)."""
    units = 0
    seconds = 0.0
    for turn in call.turns:
        if (
            turn.speaker is speaker
            and turn_cpm(turn) is not None
            and turn.start is not None
            and turn.end is not None
        ):
            units += spoken_units(turn.text)
            seconds += turn.end - turn.start
    return units * 60.0 / seconds if seconds else None


def relative_pace(agent_cpm: float | None, citizen_cpm: float | None) -> float | None:
    """Agent pace divided by the citizen's: 1.0 is the same pace, 1.5 is half again as fast."""
    if agent_cpm is None or not citizen_cpm:
        return None
    return agent_cpm / citizen_cpm


def rate_metrics(call: Call) -> dict[str, float | None]:
    """``agent_cpm``, ``citizen_cpm``, ``agent_cpm_ratio`` and the fastest/slowest agent turn."""
    agent = speaker_cpm(call, Speaker.AGENT)
    citizen = speaker_cpm(call, Speaker.CITIZEN)
    agent_turns = [c for t in call.turns if t.is_agent and (c := turn_cpm(t)) is not None]
    return {
        "agent_cpm": _round(agent),
        "citizen_cpm": _round(citizen),
        "agent_cpm_ratio": _round(relative_pace(agent, citizen), 3),
        "agent_turn_cpm_max": _round(max(agent_turns)) if agent_turns else None,
        "agent_turn_cpm_min": _round(min(agent_turns)) if agent_turns else None,
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
