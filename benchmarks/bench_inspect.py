"""Inspection cost in CPU time, beside a raw scan of the same normalised text, in the same run.

    python benchmarks/bench_inspect.py [--calls 1000] [--turns 12] [--repeat 5] [--sets fresh,samples,dev,helpdesk]
    python benchmarks/bench_inspect.py --process [--process-calls 2000] [--repeat 5]
    python benchmarks/bench_inspect.py --make-jsonl big.jsonl --calls 1000000 --turns 6

In-process (default): each set of calls goes through the engine the way ``hotline inspect`` runs it
(``batch.inspect_chunked``: chunks of 64, the act model once per chunk, the citizen block and the
review triage on every scorecard), ``--repeat`` times; it prints the median CPU seconds
(``time.process_time``) per 1,000 calls with wall seconds beside them, and the ratio of the engine to
a bare pass of the engine's own phrase automaton (daachorse) over the same normalised turn texts
(normalisation is timed apart, and is not in the raw scan); when pyahocorasick is importable, also the ratio to
a pass of a pyahocorasick automaton of the same phrases (the automaton the engine used before daachorse, the
reference figure), else that column says "-". Sets:

- ``fresh``: generated calls whose turn texts never repeat (``benchmarks/fresh.py``);
- ``samples``: the bundled sample calls, each once per pass;
- ``dev`` and ``helpdesk``: ``../shared/data/dev-calls/calls.jsonl`` and
  ``../shared/data/helpdesk-dialogues/stc3_dev_cn.jsonl``, read in place (never copied).

Caches keyed by turn text are emptied before every pass, so a repeated pass costs what the first did.
The machine is shared: read CPU time, not wall time, and the median of the repeats.

``--process`` times whole ``hotline inspect`` processes (their CPU time from the kernel, children
included): start-up (``hotline --help``; ``hotline inspect`` of one call with the start-up cache warm, and
cold as at a first start) and calls per CPU-second of
``hotline inspect FILE --format jsonl -o /dev/null`` over fresh calls and the helpdesk dialogues, with
the act layer on (the default).

The third form writes a large JSONL of fresh calls for the streaming/memory check:
    /usr/bin/time -v hotline inspect big.jsonl --format jsonl -o /dev/null   (Maximum resident set size)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from fresh import FreshWords, cpu_and_wall, make_calls  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
FILES = {"dev": SHARED / "dev-calls" / "calls.jsonl",
         "helpdesk": SHARED / "helpdesk-dialogues" / "stc3_dev_cn.jsonl"}


def clear_text_caches() -> None:
    """Empty every cache keyed by text (clause act probabilities and explanations, sentence embeddings, the
    per-turn cache where there is one), so a repeated pass costs what the first did."""
    import sys as _sys

    model = _sys.modules.get("hotline.acts.model")
    if model is not None and model._default.cache_info().currsize:
        for speaker_model in model._default().speakers.values():
            speaker_model._cache.clear()
            speaker_model._explained.clear()
    semantic = _sys.modules.get("hotline.inspect.semantic")
    if semantic is not None:
        semantic._cache.clear()
    turns = _sys.modules.get("hotline.inspect.turns")
    if turns is not None:
        turns.clear()


def engine_pass(engine: Any, calls: list[Any]) -> int:
    from hotline.batch import inspect_chunked

    return sum(len(card.findings) for _, card in inspect_chunked(engine, calls))


def raw_scan(automaton: Any, texts: list[str]) -> int:
    """The matches of the engine's automaton (daachorse) in ``texts``."""
    n = 0
    find = automaton.find_overlapping
    for text in texts:
        n += len(find(text))
    return n


def aho_automaton(phrases: tuple[str, ...]) -> Any:
    """A pyahocorasick automaton of ``phrases`` (None when it is not installed): the reference scan."""
    try:
        import ahocorasick
    except ImportError:
        return None
    automaton = ahocorasick.Automaton()
    for i, phrase in enumerate(phrases):
        automaton.add_word(phrase, i)
    automaton.make_automaton()
    return automaton


def aho_scan(automaton: Any, texts: list[str]) -> int:
    """The matches of a pyahocorasick automaton (``aho_automaton``) in ``texts``."""
    n = 0
    it = automaton.iter
    for text in texts:
        if text:
            for _ in it(text):
                n += 1
    return n


def load_set(name: str, args: argparse.Namespace) -> tuple[list[Any], str]:
    from hotline.formats import read_calls
    from hotline.formats.jsonfmt import call_from_obj

    if name == "fresh":
        objs, words = make_calls(args.calls, args.turns, seed=11)
        calls = [call_from_obj(o, "bench", str(i), str(i)) for i, o in enumerate(objs)]
        return calls, f"distinct turn texts {words.distinct_share():.0%}"
    if name == "samples":
        from hotline.content import data_path

        return list(read_calls(data_path("samples", "calls"))), "each sample once per pass"
    path = FILES[name]
    if not path.exists():
        raise SystemExit(f"{path} not found (the shared data sits beside the repository)")
    return list(read_calls(path)), f"read in place from {path.relative_to(SHARED.parent.parent)}"


def bench_set(name: str, engine: Any, args: argparse.Namespace) -> dict[str, Any]:
    from hotline.text import normalize

    calls, note = load_set(name, args)
    turns = [t.text for c in calls for t in c.turns]
    distinct = len(set(turns)) / max(1, len(turns))
    engine_cpu, engine_wall, norm_cpu, scan_cpu, aho_cpu, findings = [], [], [], [], [], 0
    aho = aho_automaton(engine.compiled.phrases)
    for _ in range(args.repeat):
        clear_text_caches()
        c, w, findings = cpu_and_wall(lambda: engine_pass(engine, calls))
        engine_cpu.append(c)
        engine_wall.append(w)
        clear_text_caches()
        c, _, normed = cpu_and_wall(lambda: [normalize(t).text for t in turns])
        norm_cpu.append(c)
        loops = max(1, 20_000 // max(1, len(turns)))  # a scan of a small set is too quick to time once
        c, _, _ = cpu_and_wall(lambda: [raw_scan(engine.compiled.automaton, normed) for _ in range(loops)])  # noqa: B023
        scan_cpu.append(c / loops)
        if aho is not None:
            c, _, _ = cpu_and_wall(lambda: [aho_scan(aho, normed) for _ in range(loops)])  # noqa: B023
            aho_cpu.append(c / loops)
    per_k = 1000 / len(calls)
    e, s = statistics.median(engine_cpu), statistics.median(scan_cpu)
    a = statistics.median(aho_cpu) if aho_cpu else None
    return {"set": name, "calls": len(calls), "turns/call": len(turns) / len(calls), "distinct": distinct,
            "note": note, "findings": findings, "cpu_per_1k": e * per_k, "wall_per_1k": statistics.median(engine_wall) * per_k,
            "calls_per_cpu_s": len(calls) / e, "norm_per_1k": statistics.median(norm_cpu) * per_k,
            "scan_per_1k": s * per_k, "ratio": e / s, "aho_ratio": e / a if a else None, "spread": (min(engine_cpu) * per_k, max(engine_cpu) * per_k)}


# what the engine's CPU goes to: (label, module, attribute); each is timed exclusive of the others
STAGES = [
    ("normalise + context", "hotline.inspect.context", "CallContext.__init__"),
    ("act model (clauses)", "hotline.inspect.engine", "prepare_acts"),
    ("act firing per call", "hotline.inspect.context", "CallContext.act_firing"),
    ("phrase automaton scan", "hotline.inspect.context", "CallContext._scan"),
    ("guards", "hotline.inspect.context", "CallContext.guarded"),
    ("act guards", "hotline.inspect.context", "CallContext.act_guarded"),
    ("citizen block", "hotline.citizen", "citizen_block"),
    ("verdict pass (turn masks)", "hotline.inspect.verdicts", "slot_verdict"),
    ("tree walk (evidence, other ops)", "hotline.inspect.operators", "evaluate"),
    ("findings (act evidence incl.)", "hotline.inspect.engine", "Engine._finding"),
    ("findings (missing)", "hotline.inspect.engine", "Engine._missing"),
    ("scoring", "hotline.inspect.engine", "score"),
    ("review triage", "hotline.citizen", "triage"),
]


def breakdown(engine: Any, calls: list[Any]) -> None:
    """CPU shares of the engine's stages over one pass (instrumented, so the total runs slower). It times
    functions by replacing them in their modules: compiled code calls its functions directly, so this needs
    the plain-Python engine (``HOTLINE_NATIVE=0``)."""
    import importlib

    from hotline import native

    if native.active("hotline.inspect.operators"):
        print("  where the CPU goes: run with HOTLINE_NATIVE=0 (the compiled engine calls its stages directly, "
              "so they cannot be timed one by one)")
        return
    spent: dict[str, int] = dict.fromkeys([s[0] for s in STAGES], 0)
    stack: list[int] = []  # CPU ns of nested timed calls, per open frame

    def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*a: Any, **kw: Any) -> Any:
            stack.append(0)
            t0 = time.process_time_ns()
            try:
                return fn(*a, **kw)
            finally:
                took = time.process_time_ns() - t0
                inner = stack.pop()
                spent[label] += took - inner
                if stack:
                    stack[-1] += took
        return run

    undo = []
    for label, module_name, attr in STAGES:
        owner: Any = importlib.import_module(module_name)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)
        setattr(owner, name, timed(label, original))
        undo.append((owner, name, original))
    engine_module = importlib.import_module("hotline.inspect.engine")
    undo.append((engine_module, "evaluate", engine_module.evaluate))
    engine_module.evaluate = importlib.import_module("hotline.inspect.operators").evaluate
    undo.append((engine_module, "verdict", engine_module.verdict))
    engine_module.verdict = importlib.import_module("hotline.inspect.verdicts").verdict
    try:
        clear_text_caches()
        total, _, _ = cpu_and_wall(lambda: engine_pass(engine, calls))
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)
    rest = total * 1e9 - sum(spent.values())
    print(f"  where the CPU goes ({len(calls)} calls, instrumented pass {total:.2f} CPU-s):")
    for label, ns in sorted([*spent.items(), ("everything else", rest)], key=lambda kv: -kv[1]):
        print(f"    {label:<32}{ns / 1e9:8.3f} s {100 * ns / (total * 1e9):6.1f} %")


def child_cpu(argv: list[str], env: dict[str, str] | None = None) -> float:
    """CPU seconds (user + system) of one child process and its own children."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed")
    return usage.ru_utime + usage.ru_stime


def hotline_argv() -> list[str]:
    script = Path(sys.executable).parent / "hotline"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from hotline.cli import main; main()"]


def bench_start_up(hotline: list[str], one: Path, tmp: Path, repeat: int) -> None:
    """``hotline --help`` and ``hotline inspect`` of one call, as installed: Python's bytecode cached (a first
    run writes it, whatever PYTHONDONTWRITEBYTECODE says), the start-up cache (``hotline.cache``) filled by a
    previous run ("warm") or empty ("cold": a first start, or one after the data or code changed, which
    validates everything and writes the cache). The three kinds of run take turns, so a busy machine slows
    each alike."""
    inspect = [*hotline, "inspect", str(one), "--format", "jsonl", "-o", os.devnull]
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "HOTLINE_CACHE")}
    warm = {**base, "XDG_CACHE_HOME": str(tmp / "warm-cache")}
    child_cpu(inspect, warm)  # writes the bytecode and fills the warm cache
    runs: dict[str, list[float]] = {"hotline --help": [], "hotline inspect (1 call), warm": [],
                                    "hotline inspect (1 call), cold": []}
    for i in range(repeat):
        runs["hotline --help"].append(child_cpu([*hotline, "--help"], base))
        runs["hotline inspect (1 call), warm"].append(child_cpu(inspect, warm))
        runs["hotline inspect (1 call), cold"].append(child_cpu(inspect, {**base, "XDG_CACHE_HOME": str(tmp / f"c{i}")}))
    print(f"start-up, CPU seconds (median of {repeat}; bytecode cached; runs take turns):")
    for label, times in runs.items():
        print(f"  {label:<34} {statistics.median(times):.3f} CPU-s  (min {min(times):.3f}, max {max(times):.3f})")


def bench_process(args: argparse.Namespace) -> None:
    hotline = hotline_argv()
    with tempfile.TemporaryDirectory(prefix="bench-inspect-") as tmp:
        one, many = Path(tmp) / "one.jsonl", Path(tmp) / "fresh.jsonl"
        objs, words = make_calls(args.process_calls + 1, args.turns, seed=13)
        one.write_text(json.dumps(objs[0], ensure_ascii=False) + "\n", encoding="utf-8")
        with many.open("w", encoding="utf-8") as fh:
            for o in objs[1:]:
                fh.write(json.dumps(o, ensure_ascii=False) + "\n")
        bench_start_up(hotline, one, Path(tmp), args.repeat)
        inputs = {f"fresh ({args.process_calls} calls, {args.turns} turns)": (many, args.process_calls)}
        if FILES["helpdesk"].exists():
            inputs["helpdesk dialogues (in place)"] = (FILES["helpdesk"], sum(1 for _ in FILES["helpdesk"].open()))
        modes = {"compiled": "1", "plain Python": "0"}  # hotline.native: the same modules, compiled or not
        print(f"whole-process hotline inspect --format jsonl, act layer on (median of {args.repeat}; "
              f"compiled-module state: {native_state()}; the two modes take turns):")
        for label, (path, n) in inputs.items():
            times: dict[str, list[float]] = {m: [] for m in modes}
            for _ in range(args.repeat):
                for mode, switch in modes.items():
                    env = {**os.environ, "HOTLINE_NATIVE": switch}
                    times[mode].append(child_cpu([*hotline, "inspect", str(path), "--format", "jsonl", "-o", os.devnull],
                                                 env))
            for mode in modes:
                t = statistics.median(times[mode])
                print(f"  {label:<36} {mode:<13} {t:6.2f} CPU-s  {n / t:7,.0f} calls per CPU-second")


def native_state() -> str:
    from hotline import native

    return native.state()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=1000, help="fresh calls generated")
    ap.add_argument("--turns", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sets", default="fresh,samples,dev,helpdesk")
    ap.add_argument("--semantic", action="store_true", help="keep the sentence-embedding operator on")
    ap.add_argument("--process", action="store_true", help="time whole hotline processes instead")
    ap.add_argument("--process-calls", type=int, default=2000)
    ap.add_argument("--breakdown", action="store_true", help="also print where each set's CPU goes")
    ap.add_argument("--make-jsonl")
    args = ap.parse_args()
    if args.make_jsonl:
        words = FreshWords(7)
        with open(args.make_jsonl, "w", encoding="utf-8") as fh:
            for i in range(args.calls):
                fh.write(json.dumps(words.call(i, args.turns), ensure_ascii=False) + "\n")
        print(f"wrote {args.calls} calls to {args.make_jsonl} (distinct turn texts {words.distinct_share():.0%})")
        return
    if args.process:
        bench_process(args)
        return
    from hotline.inspect import load_engine

    engine = load_engine(None, semantic=args.semantic)
    warm, _ = load_set("samples", args)
    engine_pass(engine, warm[:2])  # load the act model (and the embedding model with --semantic)
    print(f"semantic={'on' if args.semantic else 'off'}  acts={'off' if os.environ.get('HOTLINE_ACTS') == '0' else 'on'}  "
          f"repeat={args.repeat} (median; CPU = time.process_time)")
    head = (f"{'set':<9}{'calls':>6}{'turns':>6}{'distinct':>9}{'CPU-s/1k':>10}{'wall-s/1k':>10}{'calls/CPU-s':>12}"
            f"{'norm/1k':>9}{'scan/1k':>9}{'engine÷scan':>12}{'engine÷aho':>11}")
    print(head)
    for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        r = bench_set(name, engine, args)
        aho_ratio = f"{r['aho_ratio']:.1f}x" if r["aho_ratio"] else "-"
        print(f"{r['set']:<9}{r['calls']:>6}{r['turns/call']:>6.1f}{r['distinct']:>9.0%}{r['cpu_per_1k']:>10.3f}"
              f"{r['wall_per_1k']:>10.3f}{r['calls_per_cpu_s']:>12,.0f}{r['norm_per_1k']:>9.4f}{r['scan_per_1k']:>9.4f}"
              f"{r['ratio']:>11.1f}x{aho_ratio:>10}   ({r['findings']} findings; CPU-s/1k from {r['spread'][0]:.3f} to "
              f"{r['spread'][1]:.3f}; {r['note']})")
        if args.breakdown:
            breakdown(engine, load_set(name, args)[0])


if __name__ == "__main__":
    main()
