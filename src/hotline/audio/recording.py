"""Reading recordings (WAV, FLAC, OGG, MP3 where libsndfile allows) and resampling with numpy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hotline.audio.errors import AudioError

if TYPE_CHECKING:
    import numpy as np

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".mp3")
SAME_CHANNEL_CORRELATION = 0.98


@dataclass(slots=True)
class Recording:
    """Samples as float32 in [-1, 1], shape (frames, channels); one or two channels."""

    path: str
    sample_rate: int
    samples: np.ndarray

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / self.sample_rate

    @property
    def is_stereo(self) -> bool:
        return self.samples.shape[1] == 2

    def channel(self, index: int) -> np.ndarray:
        import numpy as np

        return np.ascontiguousarray(self.samples[:, index])

    def channels_identical(self) -> bool:
        """Stereo whose two channels carry the same signal (a mono recording saved as stereo)."""
        import numpy as np

        if not self.is_stereo:
            return False
        a, b = self.samples[:, 0].astype(np.float64), self.samples[:, 1].astype(np.float64)
        energy = float(np.dot(a, a) * np.dot(b, b))
        return energy > 1e-6 and float(np.dot(a, b)) / np.sqrt(energy) > SAME_CHANNEL_CORRELATION

    def mono(self) -> Recording:
        return Recording(self.path, self.sample_rate, self.samples[:, :1])


def is_audio_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_SUFFIXES


def read_recording(path: str | Path) -> Recording:
    """Read a recording; any problem is an ``AudioError`` naming the file."""
    import soundfile as sf

    p = Path(path)
    if not p.is_file():
        raise AudioError("录音文件不存在", source=str(p))
    try:
        samples, rate = sf.read(str(p), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise AudioError(f"无法读取录音（格式不支持或文件已损坏）：{exc}", source=str(p)) from None
    channels = samples.shape[1]
    if channels not in (1, 2):
        raise AudioError(f"只支持单声道或双声道录音，此文件有 {channels} 个声道", source=str(p))
    if samples.shape[0] == 0:
        raise AudioError("录音为空（没有采样）", source=str(p))
    return Recording(str(p), int(rate), samples)


def _lowpass_taps(cutoff: float, taps: int = 63) -> np.ndarray:
    """Kaiser-windowed sinc low-pass; ``cutoff`` as a fraction of the input sample rate (0–0.5)."""
    import numpy as np

    n = np.arange(taps) - (taps - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.kaiser(taps, 8.0)
    return (h / h.sum()).astype(np.float32)


def fir_filter(x: np.ndarray, taps: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """``np.convolve(x, taps, mode="same")`` by FFT overlap-add: fast on hour-long recordings."""
    import numpy as np

    extra = len(taps) - 1
    nfft = 1 << (block + extra - 1).bit_length()
    spectrum = np.fft.rfft(taps, nfft)
    out = np.zeros(len(x) + extra, dtype=np.float32)
    for i in range(0, len(x), block):
        seg = x[i : i + block]
        out[i : i + len(seg) + extra] += np.fft.irfft(np.fft.rfft(seg, nfft) * spectrum, nfft)[
            : len(seg) + extra
        ]
    return out[extra // 2 : extra // 2 + len(x)]


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited resampling of a mono float32 signal: low-pass when going down, then interpolation."""
    import numpy as np

    if rate_in == rate_out:
        return np.ascontiguousarray(x, dtype=np.float32)
    if rate_out < rate_in:
        x = fir_filter(x, _lowpass_taps(0.45 * rate_out / rate_in))
    count = int(round(len(x) * rate_out / rate_in))
    positions = np.arange(count, dtype=np.float64) * (rate_in / rate_out)
    return np.interp(positions, np.arange(len(x)), x).astype(np.float32)
