"""Province scale: ``hotline inspect`` with ``--jobs 1`` and ``--jobs 2`` against the Spark job on
``local[1]`` and ``local[2]``, on the same generated calls, all writing the Parquet datasets.

    python benchmarks/bench_scale.py [--calls 20000] [--runs jobs1,jobs2,local1,local2] [--keep DIR]

The calls are made from the bundled sample calls with varied ids, dates, agents, digits, places and
filler words, so no two texts repeat (the act model caches texts it has seen). Each run is its own
process tree; the benchmark reports for each: wall time, CPU time of the whole tree (user + system,
from the rusage of reaped children), calls per CPU-second, per-call CPU in ms (what extrapolates to
the issue's 100,000 calls a day), peak memory of the whole tree (the sum of PSS over its processes,
sampled every 0.2 s: shared copy-on-write pages are counted once) and the largest single process
(RSS); for Spark the start-up time the command prints; how many cores other people's processes kept
busy meanwhile (the machine may be shared: compare wall times only when that is near 0). Then the speed-up from one to two cores and
whether all runs wrote the same scorecards and findings."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HOTLINE = str(Path(sys.executable).with_name("hotline"))
RUNS = {
    "jobs1": ["inspect", "{input}", "--format", "parquet", "-o", "{out}"],
    "jobs2": ["inspect", "{input}", "--format", "parquet", "-o", "{out}", "--jobs", "2"],
    "local1": ["spark", "inspect", "{input}", "-o", "{out}", "--master", "local[1]"],
    "local2": ["spark", "inspect", "{input}", "-o", "{out}", "--master", "local[2]"],
}
PLACES = ["阳光花园", "幸福里小区", "东湖路", "锦绣华庭", "和平里", "建设大道", "滨江苑", "翠竹园", "民主路", "金色家园",
          "光明街道", "新华路", "桂花巷", "长青小区", "南湖新村", "解放大道", "青山区", "梧桐路", "紫薇苑", "清水湾"]
CITIZEN_FILLERS = ["", "那个，", "就是，", "我想问一下，", "嗯，", "是这样的，", "麻烦问下，"]
AGENT_FILLERS = ["", "", "嗯，", "好的，", "明白，", "嗯嗯，", "是的，", "对，"]
AGENT_ENDINGS = ["您是{place}那边对吧？", "地址是{place}，我这边记下了。", "{place}这边我帮您登记。"]


def make_calls(n: int, seed: int = 17) -> list[dict]:
    from hotline.content import data_path
    from hotline.formats import read_calls

    samples = list(read_calls(data_path("samples", "calls")))
    rng = random.Random(seed)
    out = []
    for i in range(n):
        base = samples[i % len(samples)]
        turns = []
        for t in base.turns:
            text = re.sub(r"\d", lambda _: str(rng.randint(0, 9)), t.text)
            varied = rng.random() < 0.95
            place = f"{rng.choice(PLACES)}{rng.randint(1, 40)}栋"
            if t.speaker.value == "citizen":
                text = rng.choice(CITIZEN_FILLERS) + text
                if varied:
                    text += rng.choice([f"我这边是{place}{rng.randint(1, 6)}单元。",
                                        f"我电话是13{rng.randint(0, 999999999):09d}。"])
            else:
                text = rng.choice(AGENT_FILLERS) + text + (rng.choice(AGENT_ENDINGS).format(place=place) if varied else "")
            turns.append({"speaker": t.speaker.value, "text": text, "start": t.start, "end": t.end})
        meta = {"agent_id": str(1000 + rng.randint(0, 199)), "date": f"2026-05-{1 + i % 7:02d} 09:{i % 60:02d}"}
        out.append({"id": f"bench-{i:06d}", "turns": turns, "meta": meta})
    return out


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return pids


def _sample(pid: int, cpu: dict[int, float]) -> tuple[int, int]:
    """(sum of PSS, largest RSS) of a process tree in KiB; ``cpu`` keeps each process's CPU seconds."""
    pss = largest = 0
    tick = os.sysconf("SC_CLK_TCK")
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            cpu[p] = max(cpu.get(p, 0.0), (int(fields[11]) + int(fields[12])) / tick)
            with open(f"/proc/{p}/smaps_rollup") as fh:
                rollup = dict(line.split(":", 1) for line in fh if ":" in line)
            pss += int(rollup["Pss"].split()[0])
            largest = max(largest, int(rollup["Rss"].split()[0]))
        except (OSError, KeyError, ValueError, IndexError):
            continue
    return pss, largest


def _machine_busy() -> float:
    """CPU seconds every process on the machine has used since boot (from /proc/stat)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measure(argv: list[str]) -> dict:
    """Run ``argv``; CPU is the larger of what the reaped children report and what sampling /proc saw
    (the JVM Spark starts is not reaped by the command, so its CPU only shows in /proc). ``others``:
    the cores that other people's processes kept busy on average meanwhile (the machine is shared;
    wall times are only comparable when this is near 0)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = _machine_busy()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]
    seen: dict[int, float] = {}

    def sample() -> None:
        while proc.poll() is None:
            pss, rss = _sample(proc.pid, seen)
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = max((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), sum(seen.values()))
    others = max(0.0, _machine_busy() - busy - cpu) / wall
    started = re.search(r"Spark 已启动（.*?，([\d.]+) 秒）", err)
    summary = re.search(r"读取 \d+ 条记录：已检查 (\d+) 通", err)
    if proc.returncode not in (0, 1) or not summary:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err[-3000:]}")
    return {"wall": wall, "cpu": cpu, "pss_mb": peak[0] / 1024, "rss_mb": peak[1] / 1024,
            "calls": int(summary.group(1)), "startup": float(started.group(1)) if started else None,
            "others": others}


def datasets(folder: Path) -> tuple[list, list]:
    from hotline.formats.parquet import read_dataset

    key = lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True)  # noqa: E731
    return sorted(read_dataset(folder / "scorecards"), key=key), sorted(read_dataset(folder / "findings"), key=key)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--runs", default=",".join(RUNS))
    ap.add_argument("--keep", help="keep the generated input and outputs in this folder")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="hotline-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / "calls.jsonl"
    t0 = time.perf_counter()
    calls = make_calls(args.calls)
    with source.open("w", encoding="utf-8") as fh:
        for c in calls:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    texts = [t["text"] for c in calls for t in c["turns"]]
    print(f"input: {args.calls} calls, {len(texts)} turns ({len(set(texts)) / len(texts):.1%} distinct texts), "
          f"{source.stat().st_size / 1e6:.1f} MB, made in {time.perf_counter() - t0:.1f} s; machine: {os.cpu_count()} cores")
    results = {}
    for name in args.runs.split(","):
        out = work / f"out-{name}"
        shutil.rmtree(out, ignore_errors=True)
        argv = [HOTLINE, *(a.format(input=source, out=out) for a in RUNS[name])]
        results[name] = r = measure(argv)
        startup = f"  spark start-up {r['startup']:.1f} s" if r["startup"] is not None else ""
        print(f"{name:7s} wall {r['wall']:7.1f} s  cpu {r['cpu']:7.1f} s  {r['calls'] / r['cpu']:6.0f} calls/cpu-s  "
              f"{1000 * r['cpu'] / r['calls']:5.2f} ms cpu/call  peak {r['pss_mb']:6.0f} MB (PSS, tree)  "
              f"largest process {r['rss_mb']:5.0f} MB{startup}  others kept {r['others']:.1f} cores busy", flush=True)
    for one, two in (("jobs1", "jobs2"), ("local1", "local2")):
        if one in results and two in results:
            print(f"speed-up {one} -> {two}: {results[one]['wall'] / results[two]['wall']:.2f}x wall")
    for name, r in results.items():
        print(f"{name}: {args.calls} calls extrapolate to {100_000 * r['cpu'] / r['calls'] / 60:.1f} CPU-minutes for 100,000")
    names = list(results)
    reference = datasets(work / f"out-{names[0]}")
    same = {name: datasets(work / f"out-{name}") == reference for name in names[1:]}
    print(f"same scorecards and findings as {names[0]}: " + ", ".join(f"{n} {'yes' if s else 'NO'}" for n, s in same.items())
          + f" ({len(reference[0])} scorecards, {len(reference[1])} findings)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
