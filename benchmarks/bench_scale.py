"""Province scale: ``hotline inspect`` with ``--jobs 1`` and ``--jobs 2`` against the Spark job on
``local[1]`` and ``local[2]``, on the same generated calls, all writing the Parquet datasets.

    python benchmarks/bench_scale.py [--calls 1000] [--turns 12] [--repeat 3] [--runs jobs1,jobs2,local1,local2] [--keep DIR]

The calls come from ``benchmarks/fresh.py`` (as in ``bench_inspect.py``): no turn text repeats, so
the caches keyed by text (act model, per-turn cache) save nothing a real day of calls would not.
The runs are interleaved (jobs1, jobs2, local1, local2, jobs1, …) ``--repeat`` times, each its own
process tree, and for each the benchmark prints the median over the repeats (with the smallest and
largest value) of:

- wall time;
- CPU time (user + system) of the whole process tree, from the kernel's rusage of reaped children:
  the benchmark makes itself a child subreaper (``PR_SET_CHILD_SUBREAPER``), so a descendant that
  outlives its parent (the JVM that PySpark starts is not waited for by the driver) is handed to the
  benchmark, which waits for it and reaps it; its CPU, and that of every process it reaped in turn
  (the ``--jobs`` workers reaped by ``hotline inspect``, Spark's Python daemon), is then in the
  total. One kind of process escapes rusage: the children of a process that ignores SIGCHLD are
  reaped by the kernel and their CPU is added to no one (Spark's Python daemon does this to its
  workers); for those, the CPU (with their own reaped children) that ``/proc`` showed at the last
  0.1 s sample is added and printed apart ("unreaped workers": it misses up to 0.1 s of each).
  Counted: every process and thread descended from the command (driver, JVM, Python daemon and
  workers, pool workers), from start to exit. Not counted: kernel threads working for it (page
  cache write-back of the Parquet files, for one), and a descendant still alive 60 s after the
  command exited (the benchmark says so when that happens). The CPU that sampling ``/proc`` every
  0.1 s saw is printed beside it as a cross-check (it misses processes shorter than a sample and
  the last fraction of a second of each);
- calls per CPU-second and CPU milliseconds per call (what extrapolates to 100,000 calls a day);
- peak memory of the whole tree (the sum of PSS over its processes, sampled every 0.1 s: shared
  copy-on-write pages are counted once) and the largest single process (RSS);
- for Spark the start-up time the command prints;
- the 1-minute load average before the run and how many cores other people's processes kept busy
  meanwhile (the machine may be shared: compare wall times only when that is near 0).

Then the speed-up from one to two cores (ratio of the median wall times) and whether all runs wrote
the same scorecards and findings. Medians of a few repeats only: no percentile is printed (one would
be computed with ``fresh.percentile``, nearest rank)."""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from fresh import make_calls  # noqa: E402

HOTLINE = str(Path(sys.executable).with_name("hotline"))
RUNS = {
    "jobs1": ["inspect", "{input}", "--format", "parquet", "-o", "{out}"],
    "jobs2": ["inspect", "{input}", "--format", "parquet", "-o", "{out}", "--jobs", "2"],
    "local1": ["spark", "inspect", "{input}", "-o", "{out}", "--master", "local[1]"],
    "local2": ["spark", "inspect", "{input}", "-o", "{out}", "--master", "local[2]"],
}
PR_SET_CHILD_SUBREAPER = 36
ORPHAN_WAIT = 60.0  # seconds to wait for descendants that outlive the command (the JVM shuts down in a few)


def fresh_calls(n: int, turns: int) -> tuple[list[dict], float]:
    """``n`` calls of fresh wording with a date each (the findings dataset is partitioned by date)."""
    calls, words = make_calls(n, turns, seed=17)
    for i, call in enumerate(calls):
        call["meta"]["date"] = f"2026-05-{1 + i % 7:02d} 09:{i % 60:02d}"
    return calls, words.distinct_share()


def become_subreaper() -> bool:
    """Orphaned descendants of our children are re-parented to this process (Linux ≥ 3.4)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans(deadline: float, reaped: set[int]) -> int:
    """Wait for the descendants handed to us (their pids go to ``reaped``); how many were still alive
    at ``deadline``."""
    while True:
        try:
            pid, _, _ = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid:
            reaped.add(pid)
        elif time.monotonic() > deadline:
            return len(_tree(os.getpid())) - 1
        else:
            time.sleep(0.05)


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


SIGCHLD_BIT = 1 << (17 - 1)  # SIGCHLD is signal 17 on Linux; /proc/PID/status SigIgn is a mask of signal - 1


def _discards_children(pid: int) -> bool:
    """Whether ``pid`` ignores SIGCHLD: its children are then reaped by the kernel and their CPU is
    never added to anyone's rusage (Spark's Python daemon does this to its workers)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("SigIgn:"):
                    return bool(int(line.split()[1], 16) & SIGCHLD_BIT)
    except (OSError, ValueError, IndexError):
        pass
    return False


def _sample(pid: int, seen: dict[int, tuple[float, float, bool]], skip_root: bool = False) -> tuple[int, int]:
    """(sum of PSS, largest RSS) of a process tree in KiB; ``seen`` keeps for each process its own CPU
    seconds, those with its reaped children, and whether its parent discards its accounting."""
    pss = largest = 0
    tick = os.sysconf("SC_CLK_TCK")
    for p in _tree(pid)[1 if skip_root else 0:]:
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            own = (int(fields[11]) + int(fields[12])) / tick
            with_children = own + (int(fields[13]) + int(fields[14])) / tick
            seen[p] = (max(seen.get(p, (0.0,))[0], own), with_children, _discards_children(int(fields[1])))
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


def measure(argv: list[str]) -> dict[str, Any]:
    """Run ``argv`` to its end and wait for the descendants it left behind (see the module text)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy, load = _machine_busy(), os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]
    seen: dict[int, tuple[float, float, bool]] = {}
    reaped: set[int] = set()
    done = threading.Event()

    def sample() -> None:  # every descendant of this process: the command's tree and its orphans
        while not done.is_set():
            pss, rss = _sample(os.getpid(), seen, skip_root=True)
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    left = reap_orphans(time.monotonic() + ORPHAN_WAIT, reaped)
    elapsed = time.perf_counter() - t0
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    # processes whose parent ignored SIGCHLD (and that we did not reap ourselves): from /proc
    discarded = sum(total for p, (_, total, lost) in seen.items() if lost and p not in reaped)
    cpu = user + system + discarded
    others = max(0.0, _machine_busy() - busy - cpu) / elapsed
    started = re.search(r"Spark 已启动（.*?，([\d.]+) 秒）", err)
    summary = re.search(r"读取 \d+ 条记录：已检查 (\d+) 通", err)
    if proc.returncode not in (0, 1) or not summary:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err[-3000:]}")
    return {"wall": wall, "cpu": cpu, "user": user, "system": system, "discarded": discarded,
            "sampled": sum(own for own, _, _ in seen.values()),
            "pss_mb": peak[0] / 1024, "rss_mb": peak[1] / 1024, "calls": int(summary.group(1)),
            "startup": float(started.group(1)) if started else None, "load": load, "others": others,
            "after_exit": elapsed - wall, "orphans": len(reaped), "left": left}


def datasets(folder: Path) -> tuple[list, list]:
    from hotline.formats.parquet import read_dataset

    key = lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True)  # noqa: E731
    return sorted(read_dataset(folder / "scorecards"), key=key), sorted(read_dataset(folder / "findings"), key=key)


def spread(values: list[float], fmt: str) -> str:
    """The median, with the smallest and largest value when there are several."""
    med = format(statistics.median(values), fmt)
    return med if len(values) == 1 else f"{med} [{min(values):{fmt}}–{max(values):{fmt}}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--turns", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--runs", default=",".join(RUNS))
    ap.add_argument("--keep", help="keep the generated input and outputs in this folder")
    args = ap.parse_args()
    names = [n.strip() for n in args.runs.split(",") if n.strip()]
    if unknown := [n for n in names if n not in RUNS]:
        raise SystemExit(f"unknown runs {unknown}; choose from {','.join(RUNS)}")
    if not become_subreaper():
        print("warning: cannot become a child subreaper; CPU of the JVM left behind by Spark is not counted")
    work = Path(args.keep or tempfile.mkdtemp(prefix="hotline-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / "calls.jsonl"
    t0 = time.perf_counter()
    calls, distinct = fresh_calls(args.calls, args.turns)
    with source.open("w", encoding="utf-8") as fh:
        for c in calls:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    turns = sum(len(c["turns"]) for c in calls)
    print(f"input: {args.calls} calls, {turns} turns ({distinct:.1%} distinct texts, benchmarks/fresh.py), "
          f"{source.stat().st_size / 1e6:.1f} MB, made in {time.perf_counter() - t0:.1f} s; machine: {os.cpu_count()} cores, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.repeat} repeats, interleaved")
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for k in range(args.repeat):
        for name in names:
            out = work / f"out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            argv = [HOTLINE, *(a.format(input=source, out=out) for a in RUNS[name])]
            r = measure(argv)
            results[name].append(r)
            startup = f"  spark start-up {r['startup']:.1f} s" if r["startup"] is not None else ""
            tail = f"  ({r['left']} processes still alive {ORPHAN_WAIT:.0f} s after exit: not counted)" if r["left"] else ""
            if r["orphans"]:
                tail += f"  ({r['orphans']} processes left behind, reaped {r['after_exit']:.1f} s after exit)"
            print(f"  {k + 1}/{args.repeat} {name:7s} wall {r['wall']:6.1f} s  cpu {r['cpu']:6.1f} s (user {r['user']:.1f}, "
                  f"sys {r['system']:.1f}, unreaped workers {r['discarded']:.1f}; /proc sampling saw {r['sampled']:.1f})  peak {r['pss_mb']:5.0f} MB PSS{startup}  "
                  f"load {r['load']:.2f}, others kept {r['others']:.1f} cores busy{tail}", flush=True)
    print(f"median of {args.repeat} [smallest–largest]:")
    for name, rs in results.items():
        def col(key: str, rs: list[dict[str, Any]] = rs) -> list[float]:
            return [r[key] for r in rs]

        per_call = [1000 * r["cpu"] / r["calls"] for r in rs]
        rate = [r["calls"] / r["cpu"] for r in rs]
        startups = [r["startup"] for r in rs if r["startup"] is not None]
        startup = f"  spark start-up {spread(startups, '.1f')} s" if startups else ""
        print(f"{name:7s} wall {spread(col('wall'), '.1f')} s  cpu {spread(col('cpu'), '.1f')} s  "
              f"{spread(rate, '.0f')} calls/cpu-s  {spread(per_call, '.2f')} ms cpu/call  "
              f"peak {spread(col('pss_mb'), '.0f')} MB (PSS, tree)  largest process {spread(col('rss_mb'), '.0f')} MB{startup}  "
              f"others kept {spread(col('others'), '.1f')} cores busy")
    wall = {name: statistics.median(r["wall"] for r in rs) for name, rs in results.items()}
    for one, two in (("jobs1", "jobs2"), ("local1", "local2")):
        if one in wall and two in wall:
            print(f"speed-up {one} -> {two}: {wall[one] / wall[two]:.2f}x (median wall)")
    for name, rs in results.items():
        cpu = statistics.median(r["cpu"] / r["calls"] for r in rs)
        fixed = " (Spark's start-up included: a small input overstates it)" if name.startswith("local") else ""
        print(f"{name}: extrapolates to {100_000 * cpu / 60:.1f} CPU-minutes for 100,000 calls{fixed}")
    reference = datasets(work / f"out-{names[0]}")
    same = {name: datasets(work / f"out-{name}") == reference for name in names[1:]}
    print(f"same scorecards and findings as {names[0]}: " + ", ".join(f"{n} {'yes' if s else 'NO'}" for n, s in same.items())
          + f" ({len(reference[0])} scorecards, {len(reference[1])} findings)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
