"""CPU time of the citizen block alone, stage by stage, on calls whose speech acts are already judged:

    python benchmarks/bench_citizen.py [--sets fresh,helpdesk] [--calls 1000] [--repeat 5]

Each set is read and cut into chunks of 64 as ``hotline inspect`` cuts it, and the act model judges every
chunk once, before any timing. Then, ``--repeat`` times, each chunk goes through ``hotline.citizen.prepare``'s
stages — act statistics and emotions (``emotion.prepare``), the dissatisfaction model's n-grams
(``prepare_text_buckets``), predictions and drivers' pulls (``SatisfactionModel.prepare``) — and every call's
block is built (``CallContext.citizen``). It prints the fastest pass of each stage in microseconds of CPU
time per call: the rest of the engine does not dilute what the citizen side costs. Compare two versions
by alternating runs on a shared machine (compiled or plain: ``HOTLINE_NATIVE=0``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_inspect import load_set  # noqa: E402

STAGES = ("emotions", "text_buckets", "predictions", "blocks")


def chunks_of(calls: list[Any], engine: Any) -> list[list[Any]]:
    from hotline.inspect.context import CallContext, prepare_acts

    out = []
    for i in range(0, len(calls), 64):
        contexts = [CallContext(call, engine.compiled) for call in calls[i:i + 64]]
        prepare_acts(contexts)
        out.append([ctx for ctx in contexts if not ctx.no_text and ctx.call.turns])
    return out


def one_pass(chunks: list[list[Any]]) -> dict[str, float]:
    from hotline.citizen import default_model, load_settings
    from hotline.citizen.emotion import prepare as prepare_emotions
    from hotline.citizen.satisfaction import prepare_text_buckets

    model = default_model()
    assert model is not None
    settings = load_settings()
    spent = dict.fromkeys(STAGES, 0.0)
    for chunk in chunks:
        for ctx in chunk:  # what a pass made before: made again
            ctx.prepared.clear()
            ctx._citizen = None
        t0 = time.process_time()
        feats = prepare_emotions(chunk, settings)
        t1 = time.process_time()
        grams = prepare_text_buckets(chunk, model.settings)
        t2 = time.process_time()
        model.prepare(chunk, feats, grams)
        t3 = time.process_time()
        for ctx in chunk:
            ctx.citizen()
        t4 = time.process_time()
        for stage, took in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            spent[stage] += took
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="fresh,helpdesk")
    ap.add_argument("--calls", type=int, default=1000, help="fresh calls generated")
    ap.add_argument("--turns", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from hotline.inspect import load_engine
    from hotline.native import state

    engine = load_engine(None, semantic=False)
    print(state()[1])
    for name in args.sets.split(","):
        calls, _ = load_set(name, args)
        chunks = chunks_of(calls, engine)
        one_pass(chunks)  # warm: models, settings, patterns
        best = dict.fromkeys(STAGES, float("inf"))
        for _ in range(args.repeat):
            for stage, took in one_pass(chunks).items():
                best[stage] = min(best[stage], took)
        per_call = {stage: 1e6 * took / len(calls) for stage, took in best.items()}
        print(f"{name} ({len(calls)} calls): " + "  ".join(f"{s} {v:.1f}" for s, v in per_call.items())
              + f"  total {sum(per_call.values()):.1f} µs CPU per call")


if __name__ == "__main__":
    main()
