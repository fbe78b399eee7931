"""Throughput of work-order classification and extraction, run by hand:

    .venv/bin/python benchmarks/bench_workorder.py [--n 200] [--semantic]

Prints texts (or calls) per second for: request type, zero-shot category (keywords only, and with
sentence embeddings when --semantic), a trained model, and full extraction from a call (the median
and slowest call too). Texts are the taxonomy's example sentences, calls the work-order test calls,
each repeated with a counter so no cache helps."""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "workorder"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fresh import cpu_and_wall  # noqa: E402


def _texts(n: int) -> tuple[list[str], list[str]]:
    from hotline.workorder.schema import load_taxonomy

    base = [(ex, c.name) for c in load_taxonomy().categories for ex in c.examples]
    rows = [(f"{ex}（第{i}次反映）", lab) for i, (ex, lab) in enumerate(base * (n // len(base) + 1))][:n]
    return [t for t, _ in rows], [lab for _, lab in rows]


def _rate(name: str, n: int, fn: Callable[[], object]) -> None:
    cpu, secs, _ = cpu_and_wall(fn)
    print(f"{name:<36} {n:>5} 条  {secs:7.2f} 秒  {n / secs:9.1f} 条/秒  {1000 * secs / n:7.2f} 毫秒/条  "
          f"CPU {1000 * cpu / n:7.2f} 毫秒/条")


def main(argv: list[str] | None = None) -> int:
    from wo_helpers import COMPLAINT_CALL, GAS_CALL, make_call

    from hotline.workorder.classify import ZeroShotClassifier
    from hotline.workorder.order import extract
    from hotline.workorder.request_type import classify_text
    from hotline.workorder.train import CategoryModel, ModelConfig

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--semantic", action="store_true", help="也测语义向量（首次加载模型较慢）")
    args = ap.parse_args(argv)
    texts, labels = _texts(args.n)
    _rate("诉求类型（提示词）", len(texts), lambda: [classify_text(t) for t in texts])
    kw = ZeroShotClassifier(semantic=False)
    _rate("事项分类：零样本（关键词）", len(texts), lambda: [kw.predict(t) for t in texts])
    model = CategoryModel(ModelConfig(embeddings=args.semantic)).fit(texts, labels)
    _rate("事项分类：训练模型（批量）", len(texts), lambda: model.predict(texts))
    if args.semantic:
        sem = ZeroShotClassifier(semantic=True)
        sem.predict("预热")
        fresh = [t + "。" for t in texts]
        _rate("事项分类：零样本（关键词+语义向量）", len(fresh), lambda: [sem.predict(t) for t in fresh])
    from test_wo_calls import CALLS

    scripts = [GAS_CALL, COMPLAINT_CALL, *CALLS.values()]
    calls = [make_call([*scripts[i % len(scripts)][:-1], scripts[i % len(scripts)][-1] + f"（{i}）"], call_id=str(i))
             for i in range(max(len(scripts), args.n // 4))]
    extract(calls[0])  # loads jionlp and the engine
    _rate("整通抽取（字段+分类+派单+摘要）", len(calls), lambda: [extract(c) for c in calls])
    per_call, per_call_cpu = [], []
    for c in calls:
        cpu, wall, _ = cpu_and_wall(lambda c=c: extract(c))
        per_call.append(1000 * wall)
        per_call_cpu.append(1000 * cpu)
    print(f"{'整通抽取：每通':<30} 中位 {statistics.median(per_call):.1f} 毫秒（CPU {statistics.median(per_call_cpu):.1f}），"
          f"最慢 {max(per_call):.1f} 毫秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
