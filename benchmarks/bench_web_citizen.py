"""Query time of the triage queue, the citizen dashboard, rule agreement and re-triage, run by hand:

    python benchmarks/bench_web_citizen.py [--calls 20000] [--reviewed 0.1] [--repeat 5] [--database-url postgresql://…] [--no-analyze]

Imports the bundled sample calls (the demo data) with the engine, then copies their calls,
scorecards (citizen block and triage included) and findings until there are --calls calls, spread
over 50 agents and 12 weeks; a --reviewed share of the calls get every finding reviewed (one in
four overturned). Like an import of that many calls, the load ends with ``analyze_after_bulk`` (the
planner's statistics; ``--no-analyze`` leaves them to PostgreSQL's autovacuum, to see the difference).
Prints the median, the slowest and the first of --repeat runs of each query, in milliseconds."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def prepare(url: str, calls: int, reviewed: float, analyze: bool = True) -> None:
    from sqlalchemy import insert, select

    from hotline.store.accounts import create_user
    from hotline.store.db import IMPORTED_TABLES, analyze_after_bulk, make_engine, migrate, session_factory
    from hotline.store.demo import sample_files
    from hotline.store.imports import create_batch, run_import
    from hotline.store.models import Call, FindingRow, Review, Scorecard

    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with factory() as db:
        batch = create_batch(db, ["samples"], None)
        db.commit()
        batch_id = batch.id
    run_import(factory, batch_id, [(p.name, p) for p in sample_files()])
    rng = random.Random(12)
    with factory() as db:
        reviewer = create_user(db, "bench-reviewer", "Bench-review-1", "inspector")
        cards = db.scalars(select(Scorecard)).all()
        originals = [(db.get(Call, c.call_id), c, list(c.findings)) for c in cards]
        n = len(originals)
        skip = {"id", "call_id", "scorecard_id"}

        def row(obj: object) -> dict:
            return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in skip}  # type: ignore[attr-defined]

        start_day = date(2026, 3, 2)
        for first in range(n, calls, 2000):
            chunk = range(first, min(calls, first + 2000))
            call_rows, picks = [], []
            for i in chunk:
                call, card, findings = originals[i % n]
                picks.append((card, findings))
                call_rows.append({**row(call), "external_id": f"{call.external_id}-x{i}", "agent_code": str(1000 + i % 50),
                                  "call_date": start_day + timedelta(days=i % 84), "caller_phone": f"138{i:08d}"[:11]})
            call_ids = list(db.scalars(insert(Call).returning(Call.id), call_rows))
            card_ids = list(db.scalars(insert(Scorecard).returning(Scorecard.id),
                                       [{**row(card), "call_id": cid} for cid, (card, _) in zip(call_ids, picks, strict=True)]))
            finding_rows = [{**row(f), "scorecard_id": sid} for sid, (_, fs) in zip(card_ids, picks, strict=True) for f in fs]
            finding_ids = list(db.scalars(insert(FindingRow).returning(FindingRow.id), finding_rows)) if finding_rows else []
            review_rows, k = [], 0
            for _, fs in picks:
                judged = rng.random() < reviewed
                for _ in fs:
                    if judged:
                        review_rows.append({"finding_id": finding_ids[k], "reviewer_id": reviewer.id, "note": "",
                                            "verdict": "overturned" if rng.random() < 0.25 else "confirmed"})
                    k += 1
            if review_rows:
                db.execute(insert(Review), review_rows)
            db.commit()
        if analyze:
            start = time.perf_counter()
            if analyze_after_bulk(db, calls - n, (*IMPORTED_TABLES, "reviews")):
                print(f"统计信息（ANALYZE）{(time.perf_counter() - start) * 1000:.0f} ms")
    engine.dispose()


def timed(fn, repeat: int) -> tuple[float, float, float]:  # noqa: ANN001
    """Median, slowest and first run (the first after a bulk load may meet a database without statistics)."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), max(runs), runs[0]


def measure(url: str, repeat: int) -> None:
    from sqlalchemy import func, select

    from hotline.store.agreement import engine_agreement
    from hotline.store.citizen_figures import figures
    from hotline.store.dashboard import Filters
    from hotline.store.db import make_engine, session_factory
    from hotline.store.models import Call, Scorecard, User
    from hotline.store.queries import CallFilter, count_calls, list_calls
    from hotline.store.triage import effective_settings, retriage_all

    engine = make_engine(url)
    factory = session_factory(engine)
    with factory() as db:
        viewer = db.scalar(select(User).where(User.username == "bench-reviewer"))
        total = db.scalar(select(func.count(Call.id)))
        levels = dict(db.execute(select(Scorecard.review_level, func.count()).group_by(Scorecard.review_level)).all())
        risk = effective_settings(db).mandatory_escalation
        cases = {
            "对照：结果列表第 1 页（日期排序，不按分流）":
                lambda: (list_calls(db, viewer, CallFilter()), count_calls(db, viewer, CallFilter())),
            "复核队列第 1 页（默认：未复核、必须复核与抽检，优先级排序）":
                lambda: (list_calls(db, viewer, CallFilter(status="unreviewed", level="queue"), default_sort="priority"),
                         count_calls(db, viewer, CallFilter(status="unreviewed", level="queue"))),
            "复核队列第 20 页": lambda: list_calls(db, viewer, CallFilter(status="unreviewed", level="queue", page=20),
                                             default_sort="priority"),
            "复核队列 仅必须复核": lambda: list_calls(db, viewer, CallFilter(level="mandatory"), default_sort="priority"),
            "市民感受看板（全部）": lambda: figures(db, Filters(), risk),
            "市民感受看板（一名坐席）": lambda: figures(db, Filters(agent="1007"), risk),
            "规则一致性": lambda: engine_agreement(db),
        }
        print(f"通话 {total} 通；分流 {levels}；数据库 {url.split(':')[0]}")
        for name, fn in cases.items():
            median, worst, first = timed(fn, repeat)
            print(f"{name}: 中位 {median:.0f} ms，最慢 {worst:.0f} ms（首次 {first:.0f} ms）")
        start = time.perf_counter()
        changed = retriage_all(db)
        db.rollback()
        print(f"保存分流设置后全部重新分流: {(time.perf_counter() - start) * 1000:.0f} ms（{changed} 通变化）")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="复核队列与市民感受看板查询耗时（演示数据放大）")
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--reviewed", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-analyze", action="store_true", help="不在装载后更新统计信息（对照）")
    args = parser.parse_args()
    os.environ.setdefault("HOTLINE_ARGON2_TIME_COST", "1")
    os.environ.setdefault("HOTLINE_ARGON2_MEMORY_KIB", "1024")
    with tempfile.TemporaryDirectory(prefix="bench-citizen-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        start = time.perf_counter()
        prepare(url, args.calls, args.reviewed, analyze=not args.no_analyze)
        print(f"准备数据 {time.perf_counter() - start:.0f} 秒")
        measure(url, args.repeat)


if __name__ == "__main__":
    main()
