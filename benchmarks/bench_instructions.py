"""Instructions per call, counted by valgrind's callgrind: a measure that does not move with the load of a
shared machine, for comparing two versions of the engine (the same number twice for the same code and input).

    python benchmarks/bench_instructions.py [--set fresh|samples|dev|helpdesk] [--calls 300] [--layers all|no-citizen|no-acts]

It runs one Python process twice under callgrind: both read the same calls and warm the engine on five other
calls; only the second then inspects the calls (``batch.inspect_chunked``, as ``hotline inspect`` does). The
difference, divided by the number of calls, is what inspecting one call costs in instructions. ``--layers``
turns the citizen block or the whole act layer off, to see what each costs.

Instructions are not seconds: memory stalls (the cycle collector's walks, cache misses) do not show. Read it
beside ``bench_inspect.py``'s CPU time, not instead of it. Needs ``valgrind`` (Debian package ``valgrind``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(which: str, n: int, inspect: bool, layers: str) -> None:
    """The measured process: read the calls, warm up, and inspect them only when asked."""
    sys.path.insert(0, str(HERE))
    from bench_inspect import load_set
    from fresh import make_calls

    from hotline.batch import inspect_chunked
    from hotline.formats.jsonfmt import call_from_obj
    from hotline.inspect import Engine, load_engine

    calls, _ = load_set(which, argparse.Namespace(calls=n, turns=12))
    calls = calls[:n]
    engine = load_engine(None, semantic=False)
    if layers == "no-citizen":
        rb = engine.rulebook
        engine = Engine(rb.model_copy(update={"settings": rb.settings.model_copy(update={"citizen": False})}))
    warm = [call_from_obj(o, "warm", str(i), str(i)) for i, o in enumerate(make_calls(5, 12, seed=99)[0])]
    list(inspect_chunked(engine, warm))
    if inspect:
        list(inspect_chunked(engine, calls))


def count(which: str, n: int, inspect: bool, layers: str) -> int:
    # no start-up cache: one of the two runs would otherwise build it and the other read it
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0", HOTLINE_CACHE="0")
    if layers == "no-acts":
        env["HOTLINE_ACTS"] = "0"
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
            "--child", which, str(n), "1" if inspect else "0", layers]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run failed:\n{out.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        which, n, inspect, layers = sys.argv[2:6]
        child(which, int(n), inspect == "1", layers)
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="fresh", choices=["fresh", "samples", "dev", "helpdesk"])
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--layers", default="all", choices=["all", "no-citizen", "no-acts"])
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind not found (apt install valgrind)")
    base = count(args.set, args.calls, False, args.layers)
    full = count(args.set, args.calls, True, args.layers)
    print(f"{args.set}: {args.calls} calls, layers={args.layers}: "
          f"{(full - base) / args.calls / 1e6:.2f} M instructions per call "
          f"(process {full / 1e9:.2f} G, without the inspection {base / 1e9:.2f} G)")


if __name__ == "__main__":
    main()
