"""How much of the act corpus repeats wording of a labelled call set (it must not: the calls measure
generalisation). Lists corpus records that share a long stretch of characters with any turn.

usage: python scripts/acts_overlap.py CALLS.jsonl [--min 8]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hotline.acts.corpus import load_corpus
from hotline.text import normalize


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("calls", type=Path)
    ap.add_argument("--min", type=int, default=8, help="shared stretch length that counts as copied")
    args = ap.parse_args()
    n = args.min
    grams: dict[str, str] = {}
    for line in args.calls.read_text(encoding="utf-8").splitlines():
        if line.strip():
            call = json.loads(line)
            for turn in call["turns"]:
                text = "".join(ch for ch in normalize(turn["text"]).text if ch.isalnum())
                for i in range(len(text) - n + 1):
                    grams.setdefault(text[i:i + n], f"{call['id']}: {turn['text'][:40]}")
    hits = 0
    examples = load_corpus()
    for ex in examples:
        text = "".join(ch for ch in normalize(ex.text).text if ch.isalnum())
        for i in range(len(text) - n + 1):
            where = grams.get(text[i:i + n])
            if where:
                hits += 1
                print(f"{ex.where}\t{ex.text}\t← {where}")
                break
    print(f"{hits} of {len(examples)} corpus records share {n}+ characters with {args.calls.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
