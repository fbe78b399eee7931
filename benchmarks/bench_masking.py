"""Speed of masking citizens' details (``hotline.masking``), the step every output of ``hotline inspect``
now runs on every call.

    python benchmarks/bench_masking.py [--calls 2000] [--turns 10] [--repeat 5]

Reports CPU microseconds per ``mask_text`` call (one turn) over the built-in sample calls' turns and
over generated turns that never repeat (``fresh.py``), and per ``mask_pair`` (a whole call and its
scorecard, as the writers receive it); medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fresh import cpu_and_wall, make_calls  # noqa: E402


def per_item(fn, items: list, repeat: int) -> float:  # noqa: ANN001
    def run() -> None:
        for x in items:
            fn(x)

    return statistics.median(cpu_and_wall(run)[0] for _ in range(repeat)) / len(items) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from hotline.content import data_path
    from hotline.formats import read_calls
    from hotline.formats.jsonfmt import call_from_obj
    from hotline.inspect import default_engine
    from hotline.masking import mask_pair, mask_text

    samples = list(read_calls(data_path("samples", "calls"), lambda e: None))
    sample_turns = [t.text for c in samples for t in c.turns]
    raw, _ = make_calls(args.calls, args.turns)
    fresh = [call_from_obj(c, "fresh", f"第 {i} 行", f"f{i}") for i, c in enumerate(raw, 1)]
    fresh_turns = [t.text for c in fresh for t in c.turns]
    engine = default_engine(semantic=False)
    pairs = list(zip(fresh, engine.inspect_batch(fresh), strict=True))
    print(f"mask_text, samples ({len(sample_turns)} turns, {sum(map(len, sample_turns)) / len(sample_turns):.0f} 字/turn): "
          f"{per_item(mask_text, sample_turns, args.repeat):.2f} µs CPU per turn")
    print(f"mask_text, fresh ({len(fresh_turns)} turns, {sum(map(len, fresh_turns)) / len(fresh_turns):.0f} 字/turn): "
          f"{per_item(mask_text, fresh_turns, args.repeat):.2f} µs CPU per turn")
    findings = sum(len(card.findings) for _, card in pairs) / len(pairs)
    print(f"mask_pair, fresh ({args.turns} turns, {findings:.1f} findings a call): "
          f"{per_item(lambda p: mask_pair(*p), pairs, args.repeat):.1f} µs CPU per call")


if __name__ == "__main__":
    main()
