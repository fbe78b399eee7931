"""Review load, run by hand: inspectors working the review queue at once against the web app on 127.0.0.1.

    python benchmarks/bench_web_review.py [--reviewers 30] [--calls 300] [--rounds 10] [--think 1] [--database-url postgresql://…]

Imports --calls generated calls into a fresh database (a SQLite file in a temporary folder unless
--database-url is given), starts ``hotline web serve``, and every reviewer logs in and does
--rounds rounds of: the queue, a page of the result list (filtered or searched now and then), one
call page, and a confirm or overturn of one of its findings (which recomputes the score), waiting
--think seconds on average between requests (passwords hashed as in production; call texts never
repeat). Prints the median, 95th percentile (nearest rank) and maximum
milliseconds per request type, wall time and the server's CPU time."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import write_calls  # noqa: E402
from bench_web_drills import free_port, hashing_note, report, server_cpu, start_server, stop  # noqa: E402

PASSWORD = "Review-load-1"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
FINDING = re.compile(r'action="/findings/(\d+)/review"')


def prepare(url: str, reviewers: int, calls: int, folder: Path) -> list[int]:
    from sqlalchemy import select

    from hotline.store.accounts import create_user
    from hotline.store.db import make_engine, migrate, session_factory
    from hotline.store.imports import create_batch, run_import
    from hotline.store.models import Call

    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with factory() as db:
        for i in range(reviewers + 1):
            create_user(db, f"r{i:03d}", PASSWORD, "inspector", display_name=f"质检员{i:03d}")
        batch = create_batch(db, ["calls.jsonl"], None)
        db.commit()
        batch_id = batch.id
    path = folder / "calls.jsonl"
    write_calls(path, calls)
    run_import(factory, batch_id, [(path.name, path)])
    with factory() as db:
        ids = list(db.scalars(select(Call.id)))
    engine.dispose()
    return ids


class Reviewer:
    def __init__(self, client, name: str, times: dict[str, list[float]], think: float, rng: random.Random):  # noqa: ANN001
        self.client, self.name, self.times, self.think, self.rng = client, name, times, think, rng
        self.csrf, self.failures = "", []

    async def request(self, kind: str, method: str, path: str, **kw: object):  # noqa: ANN201
        import httpx

        await asyncio.sleep(self.rng.uniform(0, 2 * self.think))
        start = time.perf_counter()
        try:
            resp = await self.client.request(method, path, **kw)
        except httpx.HTTPError as exc:
            self.failures.append(f"{kind}: {type(exc).__name__}")
            return None
        self.times[kind].append((time.perf_counter() - start) * 1000)
        if resp.status_code >= 400:
            self.failures.append(f"{kind}: HTTP {resp.status_code}")
            return None
        return resp

    async def login(self) -> bool:
        page = await self.request("登录页 GET /login", "GET", "/login")
        if page is None:
            return False
        await self.request("登录 POST /login", "POST", "/login",
                           data={"username": self.name, "password": PASSWORD, "csrf_token": TOKEN.search(page.text).group(1)})
        page = await self.request("复核队列 GET /review", "GET", "/review")
        match = TOKEN.search(page.text) if page is not None else None
        self.csrf = match.group(1) if match else ""
        return bool(self.csrf)

    async def round(self, call_ids: list[int], pages: int) -> None:
        await self.request("复核队列 GET /review", "GET", f"/review?page={self.rng.randint(1, 3)}")
        listing = self.rng.choice([f"/calls?page={self.rng.randint(1, pages)}", "/calls?rule=forbidden.shirking.v1&score_max=90",
                                   f"/calls?q={self.rng.randint(1000, 1049)}", "/calls?sort=score&status=unreviewed"])
        await self.request("结果列表 GET /calls…", "GET", listing)
        call = self.rng.choice(call_ids)
        page = await self.request("通话页 GET /calls/{id}", "GET", f"/calls/{call}")
        findings = FINDING.findall(page.text) if page is not None else []
        if findings:
            verdict = self.rng.choice(["confirmed", "confirmed", "overturned"])
            await self.request("复核 POST /findings/{id}/review", "POST", f"/findings/{self.rng.choice(findings)}/review",
                               data={"csrf_token": self.csrf, "verdict": verdict, "note": "压测"})


async def run(base: str, reviewers: int, rounds: int, think: float, call_ids: list[int]) -> tuple[dict, int, float]:
    import httpx

    times: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    limits = httpx.Limits(max_connections=reviewers + 10)
    pages = max(1, len(call_ids) // 50)

    async def one(i: int, pause: float, n: int) -> None:
        async with httpx.AsyncClient(base_url=base, follow_redirects=True, timeout=60, limits=limits) as client:
            r = Reviewer(client, f"r{i:03d}", times, pause, random.Random(i))
            if await r.login():
                for _ in range(n):
                    await r.round(call_ids, pages)
            failures.extend(r.failures)

    await one(reviewers, 0.0, 2)  # warm-up account, not measured
    times.clear()
    failures.clear()
    start = time.perf_counter()
    await asyncio.gather(*(one(i, think, rounds) for i in range(reviewers)))
    for text, n in Counter(failures).most_common():
        print(f"失败 {n} 次：{text}")
    return times, len(failures), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description="并发复核压测（本机 127.0.0.1）")
    parser.add_argument("--reviewers", type=int, default=30)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--target-ms", type=float, default=500.0)
    args = parser.parse_args()
    env = dict(os.environ)
    print(hashing_note())
    with tempfile.TemporaryDirectory(prefix="bench-review-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        env["HOTLINE_DATA_DIR"] = folder
        call_ids = prepare(url, args.reviewers, args.calls, Path(folder))
        port = free_port()
        before = os.times()
        server = start_server(url, port, env)
        try:
            times, errors, elapsed = asyncio.run(run(f"http://127.0.0.1:{port}", args.reviewers, args.rounds, args.think, call_ids))
        finally:
            stop(server)
        print(f"质检员 {args.reviewers} 名，每人 {args.rounds} 轮，平均思考 {args.think} 秒；通话 {len(call_ids)} 通；数据库 {url.split(':')[0]}")
        report(times, errors, elapsed, args.target_ms)
        print(server_cpu(before, elapsed))


if __name__ == "__main__":
    main()
