"""How often the engine finds a service-taboo (服务禁语) or shirking (推诿) problem in an agent turn of
real customer-service dialogues, where agents are polite and such findings are mostly false alarms.

    python scripts/helpdesk_flags.py [--show] [--data ../shared/data/helpdesk-dialogues/stc3_dev_cn.jsonl]

The dialogues are read in place (never copied) and converted to calls exactly as
``benchmarks/bench_inspect.py --sets helpdesk`` does; the engine runs as ``hotline inspect`` runs it
(the default rulebook, the act layer on, the embedding layer off, chunks of 64). Prints the share of
dialogues with a 禁语 / 推诿 finding on an agent turn, and the share per rule; ``--show`` lists each
flagged agent turn with the rule, the layer that fired and the evidence."""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from bench_inspect import FILES, load_set  # noqa: E402

# the rule-id prefixes of each kind of finding (as the labelled-call scorer maps them)
KINDS = {"禁语": ("forbidden.",), "推诿": ("shirking.", "resolve.brushoff")}


def kind_of(rule_id: str) -> str | None:
    return next((kind for kind, prefixes in KINDS.items() if rule_id.startswith(prefixes)), None)


def flagged(calls: list[Any]) -> list[tuple[Any, list[Any]]]:
    """(call, its 禁语/推诿 findings on agent turns) for every call, in input order."""
    from hotline.batch import inspect_chunked
    from hotline.inspect import load_engine
    from hotline.model import Speaker

    engine = load_engine(None, semantic=False)
    out = []
    for call, card in inspect_chunked(engine, calls):
        found = [f for f in card.findings if kind_of(f.rule_id) and f.turn_index is not None
                 and call.turns[f.turn_index].speaker == Speaker.AGENT]
        out.append((call, found))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=FILES["helpdesk"], help="dialogues in the product's JSONL")
    ap.add_argument("--show", action="store_true", help="list the flagged agent turns")
    args = ap.parse_args(argv)
    FILES["helpdesk"] = args.data
    calls, note = load_set("helpdesk", args)
    results = flagged(calls)
    n = len(results)
    by_kind: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    for _, found in results:
        for kind in {kind_of(f.rule_id) for f in found}:
            by_kind[kind or ""] += 1
        for rule in {f.rule_id for f in found}:
            by_rule[rule] += 1
    any_flag = sum(1 for _, found in results if found)
    print(f"{n} dialogues ({note})")
    print(f"禁语 or 推诿 on an agent turn: {any_flag} dialogues, {any_flag / n:.1%}")
    for kind in KINDS:
        print(f"  {kind}: {by_kind[kind]} ({by_kind[kind] / n:.1%})")
    for rule, k in sorted(by_rule.items(), key=lambda kv: -kv[1]):
        print(f"    {rule:<32}{k:>4} ({k / n:.1%})")
    if args.show:
        for call, found in results:
            turns: dict[int, list[Any]] = defaultdict(list)
            for f in found:
                turns[f.turn_index].append(f)
            for i, fs in sorted(turns.items()):
                print(f"\n{call.id} turn {i}: {call.turns[i].text}")
                for f in fs:
                    conf = f" p={f.confidence:.2f}" if f.confidence is not None else ""
                    print(f"    {f.rule_id} [{f.layer}{conf}] {f.evidence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
