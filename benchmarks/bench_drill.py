"""Drill reply latency per trainee turn (target: p99 < 50 ms offline), run by hand.

    .venv/bin/python benchmarks/bench_drill.py [--rounds 5] [--hints] [--semantic]

Plays every scenario's reference answer and a rude script with several seeds and times
``DrillSession.say`` (reading the turn, moving the citizen's mood, choosing the reply). With
``--hints`` each turn also runs the full inspection of the call so far (live hints); the debrief
(one full inspection) is timed separately. Sentence embeddings are off unless ``--semantic``."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fresh import cpu_and_wall, percentile  # noqa: E402

RUDE = ["喂，说吧", "你快点讲，我很忙", "这事不归我们管，你自己去找", "", "你问我我问谁", "你爱找谁找谁"]


def play(library, scenario, lines, seed, hints) -> tuple[list[tuple[float, float]], tuple[float, float]]:
    from hotline.simulate.session import DrillSession

    s = DrillSession.start(scenario, seed=seed, hints=hints, library=library)
    times = []
    for line in lines:
        if s.ended:
            break
        cpu, wall, _ = cpu_and_wall(lambda line=line: s.say(line))
        times.append((wall * 1000, cpu * 1000))
    s.end()
    cpu, wall, _ = cpu_and_wall(s.debrief)
    return times, (wall * 1000, cpu * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="seeds per script")
    parser.add_argument("--hints", action="store_true", help="live hints on (full inspection after each turn)")
    parser.add_argument("--semantic", action="store_true", help="sentence-embedding detectors on for scoring")
    args = parser.parse_args()
    if not args.semantic:
        os.environ["HOTLINE_SEMANTIC"] = "0"

    from hotline.simulate.engines import reading_engine, scoring_engine
    from hotline.simulate.library import default_library
    from hotline.simulate.model_answer import model_answer

    start = time.perf_counter()
    library = default_library()
    reading_engine(), scoring_engine()
    print(f"加载场景库与引擎：{(time.perf_counter() - start) * 1000:.0f} ms（{len(library.scenarios)} 个场景）")

    pairs: list[tuple[float, float]] = []
    debrief_pairs: list[tuple[float, float]] = []
    for sc in library.scenarios.values():
        for script in (model_answer(sc, library.defaults), RUDE):
            for seed in range(args.rounds):
                t, d = play(library, sc, script, seed, args.hints)
                pairs += t
                debrief_pairs.append(d)
    turns, turn_cpu = [w for w, _ in pairs], [c for _, c in pairs]
    debriefs, debrief_cpu = [w for w, _ in debrief_pairs], [c for _, c in debrief_pairs]
    label = "回复 + 实时提示" if args.hints else "回复"
    print(f"{label}：{len(turns)} 轮  均值 {statistics.mean(turns):.2f} ms  p50 {percentile(turns, 0.5):.2f} ms  "
          f"p95 {percentile(turns, 0.95):.2f} ms  p99 {percentile(turns, 0.99):.2f} ms  最大 {max(turns):.2f} ms")
    print(f"  CPU：均值 {statistics.mean(turn_cpu):.2f} ms  p50 {percentile(turn_cpu, 0.5):.2f} ms  "
          f"p99 {percentile(turn_cpu, 0.99):.2f} ms")
    print(f"讲评（整通质检）：{len(debriefs)} 次  p50 {percentile(debriefs, 0.5):.2f} ms  p99 {percentile(debriefs, 0.99):.2f} ms"
          f"  （CPU p50 {percentile(debrief_cpu, 0.5):.2f} ms）")
    ok = percentile(turns, 0.99) < 50
    print(f"目标 p99 < 50 ms：{'达到' if ok else '未达到'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
