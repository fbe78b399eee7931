import numpy as np
import pytest
from audio_synth import COMPLAINT, GREETING, speak

from hotline.audio.intervals import intersect, total
from hotline.audio.recording import resample
from hotline.audio.settings import VadSettings
from hotline.audio.vad import detect_speech, segments_from_probabilities


def flat(items):
    return [v for seg in items for v in seg]


CFG = VadSettings(threshold=0.5, neg_threshold=0.35, min_speech=0.25, min_silence=0.3, speech_pad=0.0)


@pytest.mark.parametrize(
    ("probs", "expected"),
    [
        ([0.0] * 10, []),
        ([0, 0, 0.9, 0.9, 0.9, 0.9, 0, 0, 0, 0], [(0.2, 0.6)]),
        # a 0.2 s dip is shorter than min_silence: one segment
        ([0.9] * 5 + [0.1] * 2 + [0.9] * 5 + [0.0] * 5, [(0.0, 1.2)]),
        # values between the two thresholds keep speech going
        ([0.9, 0.9, 0.4, 0.4, 0.4, 0.9, 0.9, 0.0, 0.0, 0.0, 0.0], [(0.0, 0.7)]),
        # a 0.1 s blip is shorter than min_speech
        ([0, 0.9, 0, 0, 0, 0, 0], []),
        # speech running to the end of the recording
        ([0, 0, 0, 0.9, 0.9, 0.9], [(0.3, 0.6)]),
    ],
)
def test_hysteresis(probs, expected):
    got = segments_from_probabilities(np.array(probs, dtype=np.float32), 0.1, CFG)
    assert flat(got) == pytest.approx(flat(expected))


def test_padding_is_clamped_to_the_recording():
    cfg = CFG.model_copy(update={"speech_pad": 0.5})
    got = segments_from_probabilities(np.array([0.9, 0.9, 0.9, 0, 0, 0, 0], dtype=np.float32), 0.1, cfg)
    assert flat(got) == pytest.approx([0.0, 0.7])


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100])
def test_finds_mandarin_speech_at_any_rate(rate):
    voice, vrate = speak(COMPLAINT)

    voice = resample(voice, vrate, rate) * 0.3
    x = np.zeros(int(rate * 8.0), dtype=np.float32)
    start = int(2.0 * rate)
    x[start : start + len(voice)] += voice
    x += np.random.default_rng(1).standard_normal(len(x)).astype(np.float32) * 1e-3
    truth = [(2.0, 2.0 + len(voice) / rate)]
    found = detect_speech(x, rate, VadSettings())
    assert found, "no speech found"
    assert found[0][0] == pytest.approx(2.0, abs=0.25)
    assert found[-1][1] == pytest.approx(truth[0][1], abs=0.35)
    assert total(intersect(found, truth)) / total(truth) > 0.9


def test_noise_alone_is_not_speech():
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(8000 * 6) * 0.02).astype(np.float32)
    assert detect_speech(x, 8000, VadSettings()) == []
    assert detect_speech(np.zeros(8000 * 3, dtype=np.float32), 8000, VadSettings()) == []


def test_two_utterances_are_two_segments():
    a, rate = speak(GREETING)
    x = np.zeros(int(rate * 14), dtype=np.float32)
    x[int(0.5 * rate) : int(0.5 * rate) + len(a)] += a * 0.3
    x[int(8 * rate) : int(8 * rate) + len(a)] += a * 0.3
    found = detect_speech(x, rate, VadSettings())
    gap = [(found[i][1], found[i + 1][0]) for i in range(len(found) - 1) if found[i + 1][0] - found[i][1] > 1]
    assert len(gap) == 1
    assert gap[0][0] == pytest.approx(0.5 + len(a) / rate, abs=0.35)
    assert gap[0][1] == pytest.approx(8.0, abs=0.25)


def test_reused_model_gives_the_same_answer():
    voice, rate = speak(GREETING)
    x = np.concatenate([np.zeros(rate, dtype=np.float32), voice * 0.3, np.zeros(rate, dtype=np.float32)])
    first = detect_speech(x, rate, VadSettings())
    detect_speech(x[::-1].copy(), rate, VadSettings())  # leaves state behind in the model
    assert detect_speech(x, rate, VadSettings()) == first
