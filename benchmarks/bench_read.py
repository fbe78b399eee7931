"""Reading speed of the transcript readers (the part of ``hotline inspect`` before the engine).

    python benchmarks/bench_read.py [--calls 20000] [--turns 10] [--repeat 3]

Writes the same generated calls as JSONL, CSV, dialogue text, GBK JSONL and JSONL with generic
speaker labels (说话人1/说话人2, roles inferred from content) into a temporary folder and times
``read_calls`` over each file (median of ``--repeat``): CPU microseconds per call, wall seconds beside.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fresh import cpu_and_wall, make_calls  # noqa: E402

LABELS = {"agent": "坐席", "citizen": "市民"}
GENERIC = {"agent": "说话人2", "citizen": "说话人1"}


def write_files(folder: Path, calls: list[dict]) -> dict[str, Path]:
    paths = {name: folder / name for name in
             ("calls.jsonl", "calls.csv", "calls.txt", "calls_gbk.jsonl", "calls_generic.jsonl")}
    with paths["calls.jsonl"].open("w", encoding="utf-8") as fh:
        for c in calls:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    with paths["calls_gbk.jsonl"].open("w", encoding="gbk") as fh:
        for c in calls:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    with paths["calls_generic.jsonl"].open("w", encoding="utf-8") as fh:
        for c in calls:
            turns = [{**t, "speaker": GENERIC[t["speaker"]]} for t in c["turns"]]
            fh.write(json.dumps({**c, "turns": turns}, ensure_ascii=False) + "\n")
    with paths["calls.csv"].open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["call_id", "speaker", "text", "start", "end"])
        for c in calls:
            for t in c["turns"]:
                w.writerow([c["id"], LABELS[t["speaker"]], t["text"], t["start"], t["end"]])
    with paths["calls.txt"].open("w", encoding="utf-8") as fh:
        for i, c in enumerate(calls):
            if i:
                fh.write("---\n")
            fh.write(f"# id: {c['id']}\n")
            for t in c["turns"]:
                fh.write(f"[{_clock(t['start'])}-{_clock(t['end'])}] {LABELS[t['speaker']]}：{t['text']}\n")
    return paths


def _clock(s: float) -> str:
    return f"{int(s // 60):02d}:{s % 60:04.1f}"


def time_read(path: Path, repeat: int) -> tuple[float, float, int, int]:
    """Median CPU seconds and median wall seconds of reading ``path``, calls read, records rejected."""
    from hotline.formats import read_calls

    cpus, walls, n, bad = [], [], 0, 0
    for _ in range(repeat):
        errors: list[object] = []
        cpu, wall, n = cpu_and_wall(lambda: sum(1 for _ in read_calls(path, errors.append)))  # noqa: B023
        cpus.append(cpu)
        walls.append(wall)
        bad = len(errors)
    return statistics.median(cpus), statistics.median(walls), n, bad


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    calls, _ = make_calls(args.calls, args.turns)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_files(Path(tmp), calls)
        print(f"calls={args.calls} turns/call={args.turns} median of {args.repeat} (CPU = time.process_time)")
        for name, path in paths.items():
            cpu, wall, n, bad = time_read(path, args.repeat)
            per_call = 1e6 * cpu / max(1, args.calls)
            print(f"{name:22s} CPU {cpu:7.3f} s  {per_call:7.1f} µs/call   wall {wall:7.3f} s  read={n} rejected={bad}")


if __name__ == "__main__":
    main()
