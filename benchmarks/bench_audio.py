"""Audio throughput: seconds of recording analysed per second of wall time (run by hand).

    .venv/bin/python benchmarks/bench_audio.py [--minutes 10] [--rates 8000 16000 44100]

Builds a long two-channel call from espeak-ng Mandarin speech (needs espeak-ng) and noise at
several sample rates, then times ``hotline.audio.load_call`` (read, VAD on both channels, metrics)
without a transcript and with an untimed transcript placed on the speech."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # ci_guard, which audio_synth uses
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "audio"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from audio_synth import COMPLAINT, GREETING, REPLY, THANKS, ZH, build_call  # noqa: E402
from fresh import cpu_and_wall  # noqa: E402

from hotline.audio import load_call  # noqa: E402
from hotline.model import Call, Speaker, Turn  # noqa: E402

CYCLE = [
    ("agent", GREETING, 0.5),
    ("citizen", COMPLAINT, 6.3),
    ("agent", REPLY, 11.5),
    ("citizen", THANKS, 16.0),
]
CYCLE_SECONDS = 18.0


def long_call(minutes: float, rate: int):
    cycles = int(minutes * 60 / CYCLE_SECONDS)
    events = [(side, p, start + k * CYCLE_SECONDS) for k in range(cycles) for side, p, start in CYCLE]
    return build_call(events, cycles * CYCLE_SECONDS, rate=rate), events


def timed(fn) -> tuple[float, float]:
    """Wall seconds and CPU seconds (decoding and VAD run in this process)."""
    cpu, wall, _ = cpu_and_wall(fn)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rates", type=int, nargs="+", default=[8000, 16000, 44100])
    args = parser.parse_args()
    load_call(long_call(0.5, 8000)[0].write(Path(tempfile.mkdtemp()) / "warm.wav"))  # model load, imports
    print(f"录音时长 {args.minutes:g} 分钟（双声道）")
    for rate in args.rates:
        built, events = long_call(args.minutes, rate)
        path = built.write(Path(tempfile.mkdtemp()) / f"call_{rate}.wav")
        seconds = built.samples.shape[0] / rate
        transcript = Call("b", [Turn(Speaker(s), ZH[p]) for s, p, _ in events])
        plain, plain_cpu = timed(lambda p=path: load_call(p))
        placed, placed_cpu = timed(lambda p=path, t=transcript: load_call(p, t))
        print(
            f"{rate:>6} Hz：无转写 {plain:6.2f} 秒（{seconds / plain:6.1f} 倍实时，CPU {plain_cpu:.2f} 秒）；"
            f"带无时间转写 {len(transcript.turns)} 轮 {placed:6.2f} 秒（{seconds / placed:6.1f} 倍实时，CPU {placed_cpu:.2f} 秒）"
        )


if __name__ == "__main__":
    main()
