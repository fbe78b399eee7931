"""Echo and crosstalk: each channel hears the other side faintly; that must not count as speech."""

import numpy as np
import pytest
from audio_synth import COMPLAINT, GREETING, PROMPT, REPLY, THANKS, build_call, leak

from hotline.audio import load_call, load_settings
from hotline.audio.settings import VadSettings
from hotline.audio.vad import ChannelVoice, crosstalk

DIALOGUE = [
    ("agent", GREETING, 0.5),
    ("citizen", COMPLAINT, 6.0),
    ("agent", REPLY, 9.0),
    ("citizen", THANKS, 20.0),
]


def _voice(probs, power):
    return ChannelVoice(np.array(probs, dtype=np.float32), np.array(power, dtype=np.float64), 0.1)


def test_crosstalk_windows():
    cfg = VadSettings(crosstalk_db=8)
    # own speech at -20 dB for 1 s, then only a -45 dB echo while the other side speaks at -20 dB
    own = _voice([0.9] * 10 + [0.9] * 5 + [0.0] * 5, [-20] * 10 + [-45] * 5 + [-70] * 5)
    other = _voice([0.0] * 10 + [0.9] * 5 + [0.0] * 5, [-70] * 10 + [-20] * 5 + [-70] * 5)
    leaks = crosstalk(own, other, cfg)
    assert not leaks[:10].any() and leaks[10:15].all()


def test_own_quiet_speech_over_a_loud_other_side_is_kept():
    cfg = VadSettings(crosstalk_db=8)
    # a soft-spoken caller talks alone, then goes on while the agent talks 25 dB louder
    own = _voice([0.9] * 20, [-40] * 20)
    other = _voice([0.0] * 10 + [0.9] * 10, [-70] * 10 + [-15] * 10)
    assert not crosstalk(own, other, cfg).any()


def test_channel_without_own_speech_leaks_wherever_the_other_is_louder():
    cfg = VadSettings(crosstalk_db=8)
    own = _voice([0.9] * 4 + [0.0] * 4, [-50] * 4 + [-70] * 4)
    other = _voice([0.9] * 4 + [0.0] * 4, [-20] * 4 + [-70] * 4)
    assert crosstalk(own, other, cfg).tolist()[:2] == [True, True]


@pytest.mark.parametrize(("db", "delay_ms"), [(-30, 0), (-20, 60), (-20, 150), (-15, 0)])
def test_dialogue_with_echo(tmp_path, db, delay_ms):
    built = leak(build_call(DIALOGUE, 24.0), db, delay_ms)
    m = load_call(built.write(tmp_path / "echo.wav")).meta["metrics"]
    assert m["citizen_speech_seconds"] == pytest.approx(built.total("citizen"), abs=0.6)
    assert m["agent_speech_seconds"] == pytest.approx(built.total("agent"), abs=0.8)
    assert m["agent_interruptions"] == 1
    assert m["agent_overlap_seconds"] == pytest.approx(built.speech["citizen"][0][1] - 9.0, abs=0.5)


@pytest.mark.parametrize(("db", "delay_ms"), [(-20, 0), (-20, 150)])
def test_silent_call_with_the_agents_echo_stays_silent(tmp_path, db, delay_ms):
    events = [("agent", GREETING, 0.5), ("agent", PROMPT, 10.0), ("agent", PROMPT, 18.0)]
    built = leak(build_call(events, 24.0, noise_dbfs=-50.0), db, delay_ms)
    call = load_call(built.write(tmp_path / "silent.wav"))
    assert call.meta["metrics"]["citizen_speech_seconds"] == 0
    assert call.meta["metrics"]["silent_call"] is True


def test_without_suppression_the_echo_counts_as_speech(tmp_path):
    events = [("agent", GREETING, 0.5), ("agent", PROMPT, 10.0)]
    built = leak(build_call(events, 16.0, noise_dbfs=-50.0), -20)
    off = load_settings(vad={"crosstalk_db": 0})
    assert (
        load_call(built.write(tmp_path / "silent.wav"), settings=off).meta["metrics"][
            "citizen_speech_seconds"
        ]
        > 5
    )
