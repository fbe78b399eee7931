"""Web app speed, run by hand: import throughput (read + inspect + store) and page latency.

    python benchmarks/bench_web.py [--calls 500] [--requests 20] [--database-url postgresql://…]

Without --database-url a SQLite file in a temporary folder is used. Prints calls/s for the
import and the median / 95th-percentile milliseconds of each page over --requests requests."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HOTLINE_ARGON2_TIME_COST", "1")
os.environ.setdefault("HOTLINE_ARGON2_MEMORY_KIB", "1024")

AGENT = [
    "您好，12345政务服务便民热线，{n}号为您服务，请问有什么可以帮您？",
    "好的，请问您贵姓？方便留一个联系电话吗？",
    "这个不归我们管，你去找别的部门吧。",
    "我跟您确认一下：您反映的是小区噪音，对吗？",
    "我已为您登记，转交区城管局处理，5个工作日内给您回复。",
    "请问还有其他可以帮您的吗？感谢您的来电，再见！",
]
CITIZEN = ["我要反映一下，小区晚上噪音很大。", "我姓王，电话是13800001234。", "你们到底管不管？", "没有了，谢谢。"]


def write_calls(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            turns = []
            for k in range(8):
                pool, speaker = (AGENT, "agent") if k % 2 == 0 else (CITIZEN, "citizen")
                turns.append({"speaker": speaker, "text": rng.choice(pool).format(n=1000 + i % 50)})
            meta = {"agent_id": str(1000 + i % 50), "date": f"2026-05-{1 + i % 28:02d}"}
            fh.write(json.dumps({"id": f"bench-{i}", "meta": meta, "turns": turns}, ensure_ascii=False) + "\n")


def bench_import(factory, path: Path) -> tuple[int, float]:  # noqa: ANN001
    from hotline.store.imports import create_batch, default_inspector, run_import

    inspector = default_inspector()
    with factory() as db:
        batch = create_batch(db, [path.name], None)
        db.commit()
    start = time.perf_counter()
    run_import(factory, batch.id, [(path.name, path)], inspector)
    elapsed = time.perf_counter() - start
    with factory() as db:
        from hotline.store.models import ImportBatch

        return db.get(ImportBatch, batch.id).calls_ok, elapsed


def bench_pages(app, requests: int) -> dict[str, list[float]]:  # noqa: ANN001
    import re

    from fastapi.testclient import TestClient

    client = TestClient(app)
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "bench", "password": "Speed-test-01", "csrf_token": token})
    pages = {"结果列表 /calls": "/calls", "筛选 /calls?rule=…": "/calls?rule=forbidden.phrase.v1&score_max=90",
             "通话页 /calls/1": "/calls/1", "总览 /overview": "/overview", "规则 /rules": "/rules",
             "导出 /calls/export.xlsx": "/calls/export.xlsx"}
    times: dict[str, list[float]] = {}
    for label, path in pages.items():
        client.get(path)  # warm
        times[label] = []
        for _ in range(requests):
            start = time.perf_counter()
            assert client.get(path).status_code == 200
            times[label].append((time.perf_counter() - start) * 1000)
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
        ok, elapsed = bench_import(factory, path)
        print(f"数据库：{engine.url.get_backend_name()}；导入并质检 {ok} 通用时 {elapsed:.1f} 秒，{ok / elapsed:.1f} 通/秒")
        app = create_app(WebSettings(data_dir=Path(tmp), warm_engine=False), engine=engine)
        for label, ms in bench_pages(app, args.requests).items():
            p95 = sorted(ms)[max(0, int(len(ms) * 0.95) - 1)]
            print(f"{label:<28} 中位数 {statistics.median(ms):7.1f} ms   P95 {p95:7.1f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
