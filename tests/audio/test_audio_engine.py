"""Recordings through the inspection engine: the rulebook's timing and audio rules apply."""

import pytest
from audio_synth import COMPLAINT, EXPLAIN, GREETING, PROMPT, REPLY, THANKS, ZH, build_call

from hotline.audio import load_call
from hotline.model import Call, Speaker, Turn

A, C = Speaker.AGENT, Speaker.CITIZEN


@pytest.fixture(scope="module")
def engine():
    from hotline.inspect import default_engine

    return default_engine()


def _status(engine, call: Call, rule_id: str) -> str:
    return next(o.status for o in engine.inspect(call).outcomes if o.rule_id == rule_id)


def _transcript(events) -> Call:
    return Call("t", [Turn(A if side == "agent" else C, ZH[p]) for side, p, _ in events])


DIALOGUE = [("agent", GREETING, 0.5), ("citizen", COMPLAINT, 6.0)]


@pytest.mark.parametrize(
    ("events", "duration", "rule_id", "expected"),
    [
        # the agent starts replying 1.4 s before the citizen has finished
        (DIALOGUE + [("agent", REPLY, 9.0)], 14.0, "listen.interrupt.v1", "failed"),
        (DIALOGUE + [("agent", REPLY, 11.2)], 16.0, "listen.interrupt.v1", "passed"),
        # 7 s before the agent answers the citizen
        (DIALOGUE + [("agent", REPLY, 17.5)], 22.0, "timing.reply_gap.v1", "failed"),
        (DIALOGUE + [("agent", REPLY, 11.2)], 16.0, "timing.reply_gap.v1", "passed"),
        # 12 s of dead air after the reply
        (
            DIALOGUE + [("agent", REPLY, 11.2), ("citizen", THANKS, 27.0)],
            29.0,
            "timing.dead_air.v1",
            "failed",
        ),
        (
            DIALOGUE + [("agent", REPLY, 11.2), ("citizen", THANKS, 16.0)],
            18.0,
            "timing.dead_air.v1",
            "passed",
        ),
    ],
)
def test_timing_rules_on_recordings(engine, tmp_path, events, duration, rule_id, expected):
    path = build_call(events, duration).write(tmp_path / "call.wav")
    assert _status(engine, load_call(path, _transcript(events)), rule_id) == expected


@pytest.mark.parametrize(
    ("gain", "clip", "expected"), [(-12.0, False, "passed"), (-50.0, False, "failed"), (10.0, True, "failed")]
)
def test_loudness_rule_uses_the_metrics(engine, tmp_path, gain, clip, expected):
    import numpy as np

    built = build_call(DIALOGUE, 11.0, gain_dbfs={"agent": gain}, noise_dbfs=-80.0)
    if clip:
        built.samples = np.clip(built.samples, -1.0, 1.0)
    call = load_call(built.write(tmp_path / "call.wav"))
    assert _status(engine, call, "audio.loudness.v1") == expected


@pytest.mark.parametrize(
    ("starts", "spacing"),
    [
        ((0.5, 10.0, 18.0), "passed"),  # about 5 s of waiting after each prompt
        ((0.5, 6.5, 12.0), "failed"),  # prompts fired back to back
    ],
)
def test_silent_call_rules(engine, tmp_path, starts, spacing):
    events = [("agent", GREETING, starts[0]), ("agent", PROMPT, starts[1]), ("agent", EXPLAIN, starts[2])]
    path = build_call(events, starts[2] + 9.0, noise_dbfs=-45.0).write(tmp_path / "silent.wav")
    call = load_call(path, _transcript(events))
    assert call.meta["metrics"]["citizen_speech_seconds"] == 0
    assert _status(engine, call, "special.silent_protocol.v1") == "passed"
    assert _status(engine, call, "special.silent_spacing.v1") == spacing
