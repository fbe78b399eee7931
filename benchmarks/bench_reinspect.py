"""重新质检 cost, run by hand: CPU seconds and peak memory of ``hotline web reinspect`` over a store.

    python benchmarks/bench_reinspect.py [--calls 2000] [--chunk-size 200] [--database-url postgresql://…]
    bash tests/store/pg_cluster.sh sh -c '.venv/bin/python benchmarks/bench_reinspect.py --database-url "$HOTLINE_TEST_POSTGRES_URL"'

Without --database-url a SQLite file in a temporary folder is used (a PostgreSQL URL must name an
empty database: the benchmark migrates it). The store is filled by the import path with calls whose
turn texts never repeat (``benchmarks/fresh.py``), one finding in ten reviewed (every twentieth
overturned, every fortieth appealed); then a city version is saved that changes only the version, so
every call is judged again and gets a new scorecard, its reviews carried. The command runs as its own
process, and its CPU time (user + system) and peak resident memory are read from the operating system
when it ends: what an administrator's server would spend."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import bench_import, write_calls  # noqa: E402

OVERRIDE = 'extends: default\nversion: "基准-重新质检-1"\nname: 基准\nrules: []\ndisable: []\n'


def fill(url: str, calls: int, folder: Path) -> tuple[int, float]:
    """Import ``calls`` fresh calls, review some, save a new version; calls stored and import CPU-s."""
    from sqlalchemy import select

    from hotline.store.accounts import create_user
    from hotline.store.db import make_engine, migrate, session_factory
    from hotline.store.models import FindingRow, Role, Verdict
    from hotline.store.reviews import appeal_finding, review_finding
    from hotline.store.rulebooks import save_override

    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    path = folder / "calls.jsonl"
    write_calls(path, calls)
    stored, _, cpu = bench_import(factory, path)
    with factory() as db:
        admin = create_user(db, "bench", "Speed-test-01", Role.ADMIN)
        agents = {}
        for i, finding in enumerate(db.scalars(select(FindingRow).where(FindingRow.id % 10 == 0)).all()):
            verdict = Verdict.OVERTURNED if i % 2 else Verdict.CONFIRMED
            review_finding(db, finding.id, admin, verdict)
            if verdict == Verdict.CONFIRMED and i % 4 == 0:
                code = finding.scorecard.call.agent_code
                agents[code] = agents.get(code) or create_user(db, f"agent{code}", "Speed-test-01", Role.TRAINEE, agent_code=code)
                appeal_finding(db, finding.id, agents[code], "基准申诉")
        save_override(db, OVERRIDE, admin)
        db.commit()
    engine.dispose()
    return stored, cpu


def measure(url: str, chunk: int) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak resident MB of one ``hotline web reinspect --all`` run."""
    cmd = [str(Path(sys.executable).with_name("hotline")), "web", "reinspect", "--all", "--operator", "bench",
           "--chunk-size", str(chunk), "--database-url", url]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"hotline web reinspect 失败：\n{out}")
    summary = next((line.strip() for line in out.splitlines() if line.strip().startswith("选中")), out[-300:])
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--chunk-size", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reinspect-") as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        stored, import_cpu = fill(url, args.calls, folder)
        print(f"库中通话 {stored} 通（导入 CPU {import_cpu:.1f} s）；数据库 {url.split('://')[0]}")
        wall, cpu, peak, summary = measure(url, args.chunk_size)
        print(f"重新质检 --all，每批 {args.chunk_size}：墙钟 {wall:.1f} s，CPU {cpu:.1f} s"
              f"（{stored / cpu:.0f} 通/CPU 秒，含进程启动与引擎编译），峰值内存 {peak:.0f} MB")
        print(summary)


if __name__ == "__main__":
    main()
