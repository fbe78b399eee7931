"""Test recordings built from espeak-ng Mandarin speech (pinyin voice) and numpy."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf

from ci_guard import missing

ESPEAK = shutil.which("espeak-ng")
VOICE = "cmn-latn-pinyin"  # the plain `cmn` voice reads tone digits in English

GREETING = "nin2 hao3, yi1 er4 san1 si4 wu3 re4 xian4, qing3 wen4 you3 shen2 me5 ke3 yi3 bang1 nin2"
COMPLAINT = "wo3 jia1 lou2 xia4 de5 lu4 deng1 huai4 le5 hao3 ji3 tian1 le5, wan3 shang4 tai4 hei1 le5"
REPLY = "hao3 de5, wo3 ma3 shang4 wei4 nin2 deng1 ji4, qing3 nin2 shao1 deng3"
THANKS = "xie4 xie4 ni3"
PROMPT = "wei2, nin2 hao3, qing3 wen4 nin2 neng2 ting1 dao4 wo3 de5 sheng1 yin1 ma5"
EXPLAIN = (
    "dui4 bu4 qi3, nin2 de5 dian4 hua4 mei2 you3 sheng1 yin1, "
    "qing3 nin2 huan4 yi2 bu4 dian4 hua4 zai4 da3 lai2 hao3 ma5, zai4 jian4"
)


def need_espeak() -> None:
    if ESPEAK is None:
        missing("需要 espeak-ng（apt-get install espeak-ng）来合成测试语音")


@lru_cache(maxsize=64)
def speak(pinyin: str, speed: int = 175) -> tuple[np.ndarray, int]:
    """Speech of ``pinyin`` trimmed to where the voice is, as float32 at espeak's rate."""
    need_espeak()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.wav"
        subprocess.run([ESPEAK, "-v", VOICE, "-s", str(speed), "-w", str(out), pinyin], check=True)
        x, rate = sf.read(out, dtype="float32")
    loud = np.flatnonzero(np.abs(x) > 0.01)
    x = x[loud[0] : loud[-1] + 1]
    return x / np.max(np.abs(x)), rate


def resample_linear(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    n = int(len(x) * rate_out / rate_in)
    return np.interp(np.arange(n) * rate_in / rate_out, np.arange(len(x)), x).astype(np.float32)


@dataclass
class Built:
    """A synthetic two-party call: samples (frames, 2) and where each side really speaks."""

    samples: np.ndarray
    rate: int
    speech: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: {"agent": [], "citizen": []})

    def total(self, side: str) -> float:
        return sum(e - s for s, e in self.speech[side])

    def write(self, path: Path, **kw) -> Path:
        sf.write(path, self.samples, self.rate, **kw)
        return path


def build_call(
    events: list[tuple[str, str, float]],
    duration: float,
    rate: int = 8000,
    noise_dbfs: float = -65.0,
    gain_dbfs: dict[str, float] | None = None,
    agent_left: bool = True,
    seed: int = 7,
) -> Built:
    """Place utterances ``(side, pinyin, start seconds)`` on their channel; add white noise."""
    gains = {"agent": -12.0, "citizen": -14.0, **(gain_dbfs or {})}
    n = int(duration * rate)
    out = np.zeros((n, 2), dtype=np.float32)
    built = Built(out, rate)
    for side, pinyin, start in events:
        voice, vrate = speak(pinyin)
        voice = resample_linear(voice, vrate, rate) * (10 ** (gains[side] / 20)) * np.sqrt(2)
        ch = 0 if (side == "agent") == agent_left else 1
        a = int(start * rate)
        out[a : a + len(voice), ch] += voice[: n - a]
        built.speech[side].append((start, start + len(voice) / rate))
    rng = np.random.default_rng(seed)
    out += (rng.standard_normal(out.shape) * 10 ** (noise_dbfs / 20)).astype(np.float32)
    return built


# What the synthetic voices say, in characters (for transcripts and speech-rate checks).
ZH = {
    GREETING: "您好，12345热线，请问有什么可以帮您？",
    COMPLAINT: "我家楼下的路灯坏了好几天了，晚上太黑了。",
    REPLY: "好的，我马上为您登记，请您稍等。",
    THANKS: "谢谢你。",
    PROMPT: "喂，您好，请问您能听到我的声音吗？",
    EXPLAIN: "对不起，您的电话没有声音，请您换一部电话再打来好吗？再见！",
}


def leak(built: Built, db: float, delay_ms: float = 0.0) -> Built:
    """Each channel picks up the other side ``db`` quieter and ``delay_ms`` later (echo, crosstalk)."""
    gain, d = 10 ** (db / 20), int(built.rate * delay_ms / 1000)
    clean = built.samples
    mixed = clean.copy()
    mixed[d:, 0] += clean[: len(clean) - d, 1] * gain
    mixed[d:, 1] += clean[: len(clean) - d, 0] * gain
    return Built(mixed, built.rate, built.speech)
