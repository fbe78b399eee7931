"""Web app speed, run by hand: import throughput (read + inspect + store) and page latency.

    python benchmarks/bench_web.py [--calls 500] [--requests 20] [--database-url postgresql://…]

Without --database-url a SQLite file in a temporary folder is used. The calls are generated with
turn texts that never repeat (``benchmarks/fresh.py``), so no cache keyed by text flatters the import;
accounts use the production password hashing. Prints calls per second of the import (CPU seconds of
this process beside wall seconds) and, per page over --requests requests, the median and 95th
percentile (nearest rank) milliseconds, wall and CPU."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fresh import make_calls, percentile  # noqa: E402


def write_calls(path: Path, n: int, seed: int = 7) -> None:
    """``n`` calls of eight turns whose texts never repeat, with agent ids and dates to filter on."""
    calls, _ = make_calls(n, 8, seed)
    with path.open("w", encoding="utf-8") as fh:
        for i, call in enumerate(calls):
            call["meta"] = {"agent_id": str(1000 + i % 50), "date": f"2026-05-{1 + i % 28:02d}"}
            fh.write(json.dumps(call, ensure_ascii=False) + "\n")


def bench_import(factory, path: Path) -> tuple[int, float, float]:  # noqa: ANN001
    """Calls imported, wall seconds and CPU seconds (this process: reading, inspecting, storing)."""
    from hotline.store.imports import create_batch, default_inspector, run_import

    inspector = default_inspector()
    with factory() as db:
        batch = create_batch(db, [path.name], None)
        db.commit()
    start, cpu = time.perf_counter(), time.process_time()
    run_import(factory, batch.id, [(path.name, path)], inspector)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    with factory() as db:
        from hotline.store.models import ImportBatch

        return db.get(ImportBatch, batch.id).calls_ok, elapsed, cpu


def bench_pages(app, requests: int) -> dict[str, tuple[list[float], list[float]]]:  # noqa: ANN001
    """Per page: wall and CPU milliseconds of each request (the app runs in this process)."""
    import re

    from fastapi.testclient import TestClient

    client = TestClient(app)
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "bench", "password": "Speed-test-01", "csrf_token": token})
    pages = {"结果列表 /calls": "/calls", "筛选 /calls?rule=…": "/calls?rule=forbidden.phrase.v1&score_max=90",
             "通话页 /calls/1": "/calls/1", "总览 /overview": "/overview", "规则 /rules": "/rules",
             "导出 /calls/export.xlsx": "/calls/export.xlsx"}
    times: dict[str, tuple[list[float], list[float]]] = {}
    for label, path in pages.items():
        client.get(path)  # warm
        times[label] = ([], [])
        for _ in range(requests):
            start, cpu = time.perf_counter(), time.process_time()
            assert client.get(path).status_code == 200
            times[label][0].append((time.perf_counter() - start) * 1000)
            times[label][1].append((time.process_time() - cpu) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from hotline.store.accounts import create_user
    from hotline.store.db import make_engine, migrate, session_factory
    from hotline.store.models import User
    from hotline.web.app import create_app
    from hotline.web.config import WebSettings

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        migrate(engine)
        factory = session_factory(engine)
        with factory() as db:
            if db.scalar(select(func.count()).select_from(User)):
                raise SystemExit("请用一个空数据库运行基准测试（该数据库中已有用户）")
            create_user(db, "bench", "Speed-test-01", "inspector")
            db.commit()
        path = Path(tmp) / "calls.jsonl"
        write_calls(path, args.calls)
        ok, elapsed, cpu = bench_import(factory, path)
        print(f"数据库：{engine.url.get_backend_name()}；导入并质检 {ok} 通：墙钟 {elapsed:.1f} 秒（{ok / elapsed:.1f} 通/秒），"
              f"CPU {cpu:.1f} 秒（{ok / cpu:.1f} 通/CPU 秒）")
        app = create_app(WebSettings(data_dir=Path(tmp), warm_engine=False), engine=engine)
        for label, (ms, cpu_ms) in bench_pages(app, args.requests).items():
            print(f"{label:<28} 墙钟 中位数 {statistics.median(ms):7.1f} ms  P95 {percentile(ms, 0.95):7.1f} ms   "
                  f"CPU 中位数 {statistics.median(cpu_ms):7.1f} ms  P95 {percentile(cpu_ms, 0.95):7.1f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
