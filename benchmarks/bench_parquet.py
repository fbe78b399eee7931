"""Peak memory and CPU of ``hotline inspect --format parquet`` beside ``--format jsonl`` (the reference),
each a whole process on the same file of calls, and what the Parquet run wrote (files, row groups).

    python benchmarks/bench_inspect.py --make-jsonl /tmp/big.jsonl --calls 50000 --turns 6
    python benchmarks/bench_parquet.py /tmp/big.jsonl [--dates 30] [--jobs 2] [--formats jsonl,parquet]

``--dates N`` first copies the file with its calls spread over N dates, interleaved (call i on day i mod N,
every 17th call without a date), so that both datasets are written in N + 1 partitions at once. Peak RSS
and CPU seconds come from the kernel (``os.wait4``): with ``--jobs`` the RSS is that of the largest
process (the parent or one worker) and the CPU that of all of them. Keep big files out of the repository.
Measured on the shared 2-core machine (fresh calls of 6 turns;
files: scorecards and findings; CPU-s are noisy there):

    calls                 before (20,000 rows buffered,    after (row groups,          JSONL
                          a file per flush)                one file per partition)
    10,000                508 MB  29.3 CPU-s   5 files     239 MB  28.6 CPU-s  2 files  134 MB  30.0 CPU-s
    50,000                842 MB 144.4 CPU-s  23 files     251 MB 116.7 CPU-s  2 files  148 MB 115.5 CPU-s
    10,000 over 30 dates  634 MB  34.8 CPU-s 155 files     245 MB  35.4 CPU-s 62 files
    10,000 --jobs 2       299 MB  32.5 CPU-s  20 files     196 MB  30.6 CPU-s 20 files  106 MB  25.5 CPU-s

JSONL with pyarrow merely imported peaks at ~200 MB for 10,000 calls: most of what Parquet adds is pyarrow."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_inspect import hotline_argv  # noqa: E402


def dated_copy(source: Path, target: Path, days: int) -> None:
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            record = json.loads(line)
            if i % 17 != 5:
                record.setdefault("meta", {})["date"] = (dt.date(2026, 1, 1) + dt.timedelta(days=i % days)).isoformat()
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def run(argv: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, CPU seconds) of one process and its children."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed")
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def written(folder: Path) -> str:
    import pyarrow.parquet as pq

    parts = []
    for name in ("scorecards", "findings", "rejected"):
        files = sorted((folder / name).rglob("*.parquet"))
        groups = sum(pq.ParquetFile(f).metadata.num_row_groups for f in files)
        parts.append(f"{name} {len(files)} files / {groups} row groups")
    return "; ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("calls", type=Path, help="a JSONL of calls (bench_inspect.py --make-jsonl)")
    ap.add_argument("--dates", type=int, default=0, help="spread the calls over this many dates first")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--formats", default="jsonl,parquet")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-parquet-") as tmp:
        source = args.calls
        if args.dates:
            source = Path(tmp) / "dated.jsonl"
            dated_copy(args.calls, source, args.dates)
        lines = sum(1 for _ in source.open(encoding="utf-8"))
        print(f"{source.name}: {lines} lines, --jobs {args.jobs}" + (f", {args.dates} dates" if args.dates else ""))
        for fmt in args.formats.split(","):
            out = Path(tmp) / "out" if fmt == "parquet" else Path(os.devnull)
            rss, cpu = run([*hotline_argv(), "inspect", str(source), "--format", fmt, "-o", str(out),
                            "--jobs", str(args.jobs)])
            print(f"  {fmt:<8} peak RSS {rss:7.0f} MB   {cpu:7.1f} CPU-s" + (f"   {written(out)}" if fmt == "parquet" else ""))


if __name__ == "__main__":
    main()
