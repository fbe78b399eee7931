"""The drill score table: every scenario played by four scripted trainees (do nothing, hang up early, rude,
model answer) and scored by the engine, as tests/simulate/test_simulate_scripts.py does. Prints the score of
each run and the distribution per script.

    .venv/bin/python scripts/drill_scores.py [--seed 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from hotline.simulate.engines import reading_engine, scoring_engine
from hotline.simulate.library import default_library
from hotline.simulate.model_answer import play_script, scripts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    lib = default_library()
    engine, reader = scoring_engine(), reading_engine()
    rows = []
    for sid in lib.ids():
        for name in scripts(lib.get(sid), lib.defaults):
            d = play_script(sid, name, library=lib, engine=engine, reader=reader, seed=args.seed)
            total, outcome, vetoed = d.scorecard.total, d.outcome, d.scorecard.vetoed
            rows.append({"scenario": sid, "script": name, "total": total, "outcome": outcome, "vetoed": vetoed})
            print(f"{sid:28s} {name:14s} {total:6.1f} {outcome or '':12s}{' 一票否决' if vetoed else ''}")
    print()
    pass_mark = 80
    for name in ("do_nothing", "hang_up_early", "rude", "model_answer"):
        t = sorted(r["total"] for r in rows if r["script"] == name)
        passed = sum(x >= pass_mark for x in t)
        print(f"{name:14s} n={len(t)} min={t[0]:.1f} median={statistics.median(t):.1f} max={t[-1]:.1f} "
              f"mean={statistics.mean(t):.1f} passed(≥{pass_mark})={passed}")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
