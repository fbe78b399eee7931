"""Record what the inspection engine says, as one digest per case, to pin its judgments across a rewrite.

    python scripts/engine_record.py                      # writes tests/inspect/recorded/engine.json
    python scripts/engine_record.py --check              # compares with that file, lists what differs
    python scripts/engine_record.py --files ../shared/data/dev-calls/calls.jsonl --out /tmp/dev.json
                                                          # other calls instead (read in place, not recorded in
                                                          # the repository); then --check with the same arguments

Cases (all from data in the repository, so the test runs on a fresh clone):
- every bundled sample, whole (scorecard incl. citizen block and review triage);
- every partial prefix of every sample (live hints: findings and the reaction windows still open);
- ``check_utterance`` and ``acts`` on every sample turn, as agent and as citizen;
- 10,000 generated calls (``benchmarks/fresh.py``, turn texts never repeat): timed ones, every third
  without times, every fifth with a drill scenario's goals, every seventh a recording without words.

A digest is the SHA-1 of the scorecard's JSON (sorted keys). After a deliberate change of judgment (a rule,
a lexicon, a retrained model), re-record and read the list of changed cases first.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
RECORDING = ROOT / "tests" / "inspect" / "recorded" / "engine.json"
GENERATED = 10_000


def digest(obj: Any) -> str:
    return hashlib.sha1(json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:16]


def card_digest(card: Any) -> str:
    d = card.to_dict()
    d["pending"] = [dataclasses.astuple(p) for p in card.pending]
    return digest(d)


def generated_calls(n: int = GENERATED) -> list[Any]:
    from fresh import make_calls

    from hotline.formats.jsonfmt import call_from_obj
    from hotline.model import Call, Turn
    from hotline.simulate.goals import scenario_goals
    from hotline.simulate.library import default_library

    library = default_library()
    goals = [scenario_goals(library.get(i)).model_dump() for i in library.ids()]
    objs, _ = make_calls(n, 12, seed=2026)
    calls = []
    for i, obj in enumerate(objs):
        if i % 3 == 1:
            for t in obj["turns"]:
                t.pop("start"), t.pop("end")
        if i % 5 == 2:
            obj["meta"]["goals"] = goals[i % len(goals)]
        call = call_from_obj(obj, "generated", str(i), str(i))
        if i % 7 == 3:  # the speech segments of a recording, no words
            call = Call(call.id, [Turn(t.speaker, "", t.start, t.end) for t in call.turns], call.meta)
        calls.append(call)
    return calls


PARTS = ["samples", *(f"generated:{k}" for k in range(4))]  # the test runs each part on its own


def cases(engine: Any, part: str, generated: int = GENERATED) -> Iterator[tuple[str, str]]:
    """The cases of one part: ``samples`` (whole, every prefix, every turn alone) or ``generated:K``
    (the K-th quarter of the generated calls)."""
    from hotline.batch import inspect_chunked
    from hotline.content import data_path
    from hotline.formats import read_calls
    from hotline.model import Call, Speaker

    if part.startswith("generated:"):
        k = int(part.split(":")[1])
        calls = generated_calls(generated)
        quarter = (len(calls) + 3) // 4
        for call, card in inspect_chunked(engine, calls[k * quarter:(k + 1) * quarter]):
            yield f"generated:{call.id}", card_digest(card)
        return
    samples = list(read_calls(data_path("samples", "calls")))
    for call, card in inspect_chunked(engine, samples):
        yield f"sample:{call.id}", card_digest(card)
    for call in samples:
        for k in range(1, len(call.turns) + 1):
            part_call = Call(id=call.id, turns=call.turns[:k], meta=call.meta)
            yield f"prefix:{call.id}:{k}", card_digest(engine.inspect(part_call, partial=True))
        for k, turn in enumerate(call.turns):
            for speaker in (Speaker.AGENT, Speaker.CITIZEN):
                found = [f.to_dict() for f in engine.check_utterance(turn.text, speaker)]
                yield f"utterance:{call.id}:{k}:{speaker.value}", digest(found)
                yield f"acts:{call.id}:{k}:{speaker.value}", digest(sorted(engine.acts(turn.text, speaker, semantic=False)))


def file_cases(engine: Any, files: list[Path]) -> Iterator[tuple[str, str]]:
    from hotline.batch import inspect_chunked
    from hotline.formats import read_calls

    for path in files:
        for call, card in inspect_chunked(engine, read_calls(path)):
            yield f"{path.name}:{call.id}", card_digest(card)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the recording instead of writing it")
    ap.add_argument("--files", nargs="*", type=Path, default=[], help="more JSONL/transcript files of calls")
    ap.add_argument("--out", type=Path, default=RECORDING)
    ap.add_argument("--generated", type=int, default=GENERATED)
    args = ap.parse_args()
    from hotline.inspect import load_engine

    engine = load_engine(None, semantic=False)
    got: dict[str, str] = {}
    if args.files:
        got.update(file_cases(engine, args.files))
    else:
        for part in PARTS:
            got.update(cases(engine, part, args.generated))
    if not args.check:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(got, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(got)} cases recorded in {args.out}")
        return 0
    want = json.loads(args.out.read_text(encoding="utf-8"))
    differ = [k for k in got if want.get(k) != got[k]]
    missing = [k for k in want if k not in got]
    print(f"{len(got)} cases, {len(differ)} differ, {len(missing)} recorded but not produced")
    for k in (differ + missing)[:40]:
        print("  ", k)
    return 1 if differ or missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
