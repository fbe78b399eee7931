"""Metrics of synthetic calls, asserted against where the speech was placed."""

import numpy as np
import pytest
import soundfile as sf
from audio_synth import COMPLAINT, GREETING, THANKS, build_call, resample_linear

from hotline.audio import load_call, load_settings
from hotline.model import Speaker


def _rms_dbfs(x: np.ndarray, rate: int, spans) -> float:
    parts = np.concatenate([x[int(s * rate) : int(e * rate)] for s, e in spans])
    return 20 * np.log10(np.sqrt(np.mean(parts.astype(np.float64) ** 2)))


def test_dialogue_metrics(dialogue, dialogue_wav):
    call = load_call(dialogue_wav)
    m = call.meta["metrics"]
    assert call.meta["audio_path"] == str(dialogue_wav)
    assert m["max_dead_air"] == pytest.approx(20.0 - dialogue.speech["agent"][1][1], abs=0.4)
    assert m["dead_air_count"] == 1
    assert m["citizen_speech_seconds"] == pytest.approx(dialogue.total("citizen"), abs=0.6)
    assert m["agent_speech_seconds"] == pytest.approx(dialogue.total("agent"), abs=0.6)
    truth_ratio = dialogue.total("agent") / (dialogue.total("agent") + dialogue.total("citizen"))
    assert m["talk_ratio"] == pytest.approx(truth_ratio, abs=0.05)
    # the agent's reply starts at 9.0 s while the citizen speaks until about 10.4 s
    assert m["agent_interruptions"] == 1
    assert m["agent_overlap_seconds"] == pytest.approx(dialogue.speech["citizen"][0][1] - 9.0, abs=0.35)
    assert m["answer_delay"] == pytest.approx(0.5, abs=0.2)
    assert m["silent_call"] is False and m["channel_swap_suspected"] is False
    expected_level = _rms_dbfs(dialogue.samples[:, 0], dialogue.rate, dialogue.speech["agent"])
    assert m["agent_loudness_dbfs"] == pytest.approx(expected_level, abs=1.5)
    assert m["agent_clipping_ratio"] == 0.0
    assert m["agent_cpm"] is None  # no text without a transcript or speech-to-text


def test_placeholder_turns_follow_the_speech(dialogue, dialogue_wav):
    call = load_call(dialogue_wav)
    assert call.has_times
    assert [t.speaker for t in call.turns] == [Speaker.AGENT, Speaker.CITIZEN, Speaker.AGENT, Speaker.CITIZEN]
    assert all(t.text == "" for t in call.turns)
    truth = [
        dialogue.speech["agent"][0],
        dialogue.speech["citizen"][0],
        dialogue.speech["agent"][1],
        dialogue.speech["citizen"][1],
    ]
    for turn, (s, e) in zip(call.turns, truth, strict=True):
        assert turn.start == pytest.approx(s, abs=0.25)
        assert turn.end == pytest.approx(e, abs=0.35)
    assert call.meta["audio"]["turn_source"] == "vad"
    assert call.meta["audio"]["dead_air"][0][0] == pytest.approx(dialogue.speech["agent"][1][1], abs=0.35)


def test_reply_gap_without_talking_over(polite_dialogue, tmp_path):
    call = load_call(polite_dialogue.write(tmp_path / "polite.wav"))
    m = call.meta["metrics"]
    gap = 11.5 - polite_dialogue.speech["citizen"][0][1]
    assert m["max_reply_gap"] == pytest.approx(gap, abs=0.3)
    assert m["agent_interruptions"] == 0 and m["agent_overlap_seconds"] == 0.0
    assert m["max_dead_air"] < 5.0 and m["dead_air_count"] == 0


def test_silent_call(silent_call, tmp_path):
    call = load_call(silent_call.write(tmp_path / "silent.wav"))
    m = call.meta["metrics"]
    assert m["citizen_speech_seconds"] == 0
    assert m["silent_call"] is True
    assert not [t for t in call.turns if t.speaker is Speaker.CITIZEN and t.text]
    starts = [t.start for t in call.turns if t.is_agent]
    assert starts == pytest.approx([0.5, 10.0, 18.0], abs=0.25)
    assert m["talk_ratio"] == 1.0


@pytest.mark.parametrize(("gain", "expect_clipping"), [(-12.0, False), (8.0, True)])
def test_clipping(tmp_path, gain, expect_clipping):
    built = build_call(
        [("agent", GREETING, 0.5), ("citizen", COMPLAINT, 6.0)], 11.0, gain_dbfs={"agent": gain}
    )
    built.samples = np.clip(built.samples, -1.0, 1.0)
    m = load_call(built.write(tmp_path / "c.wav"))
    ratio = m.meta["metrics"]["agent_clipping_ratio"]
    assert (ratio > 0.01) is expect_clipping
    assert m.meta["metrics"]["citizen_clipping_ratio"] == 0.0


def test_quiet_agent_is_measured_quieter(tmp_path):
    events = [("agent", GREETING, 0.5), ("citizen", COMPLAINT, 6.0)]
    loud = load_call(build_call(events, 11.0).write(tmp_path / "loud.wav"))
    quiet = load_call(build_call(events, 11.0, gain_dbfs={"agent": -30.0}).write(tmp_path / "quiet.wav"))
    drop = loud.meta["metrics"]["agent_loudness_dbfs"] - quiet.meta["metrics"]["agent_loudness_dbfs"]
    assert drop == pytest.approx(18.0, abs=1.5)


def test_swapped_channels_are_flagged_and_configurable(tmp_path):
    swapped = build_call(
        [("agent", GREETING, 0.5), ("citizen", COMPLAINT, 6.0)], 11.0, agent_left=False
    ).write(tmp_path / "swapped.wav")
    call = load_call(swapped)
    assert call.meta["metrics"]["channel_swap_suspected"] is True
    assert any("声道疑似接反" in w for w in call.meta["audio"]["warnings"])
    fixed = load_call(swapped, settings=load_settings(channels={"agent": "right"}))
    assert fixed.meta["metrics"]["channel_swap_suspected"] is False
    assert fixed.meta["metrics"]["answer_delay"] == pytest.approx(0.5, abs=0.2)
    assert fixed.meta["audio"]["warnings"] == []


def test_other_rate_and_format_gives_the_same_metrics(dialogue, dialogue_wav, tmp_path):
    hi = np.stack([resample_linear(dialogue.samples[:, c], 8000, 44100) for c in (0, 1)], axis=1)
    path = tmp_path / "call.flac"
    sf.write(path, hi, 44100)
    a = load_call(dialogue_wav).meta["metrics"]
    b = load_call(path).meta["metrics"]
    for key in ("citizen_speech_seconds", "agent_speech_seconds", "max_dead_air", "agent_overlap_seconds"):
        assert b[key] == pytest.approx(a[key], abs=0.3), key
    assert b["agent_loudness_dbfs"] == pytest.approx(a["agent_loudness_dbfs"], abs=1.0)


@pytest.mark.parametrize("noise_dbfs", [-50.0, -30.0])
def test_metrics_hold_under_line_noise(tmp_path, noise_dbfs):
    events = [("agent", GREETING, 0.5), ("citizen", COMPLAINT, 6.0), ("agent", GREETING, 9.0)]
    built = build_call(events, 20.0, noise_dbfs=noise_dbfs, seed=11)
    m = load_call(built.write(tmp_path / "noisy.wav")).meta["metrics"]
    assert m["citizen_speech_seconds"] == pytest.approx(built.total("citizen"), abs=0.6)
    assert m["agent_speech_seconds"] == pytest.approx(built.total("agent"), abs=0.8)
    assert m["agent_overlap_seconds"] == pytest.approx(built.speech["citizen"][0][1] - 9.0, abs=0.4)
    assert m["silent_call"] is False


def test_outbound_calls_may_start_with_the_citizen(tmp_path):
    # a 回访 call: the citizen answers "喂" first, then the agent introduces the callback
    built = build_call([("citizen", THANKS, 0.3), ("agent", GREETING, 2.5)], 9.0)
    path = built.write(tmp_path / "callback.wav")
    assert load_call(path).meta["metrics"]["channel_swap_suspected"] is True
    outbound = load_settings(channels={"agent_speaks_first": False})
    assert load_call(path, settings=outbound).meta["metrics"]["channel_swap_suspected"] is False
