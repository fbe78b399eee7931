"""The JSON reader's walk for huge floats reads a dict's values and a list's items each by their own loop (against a
simple recursive walk); a silence mark is looked up only for a text no longer than the longest mark; each label's role
is kept in a compiled dict. (The quick turn's one lookup a key, a key present with None still deciding, is held to
the general way by ``test_json_codec``'s turns.)"""

from __future__ import annotations

import random
from typing import Any

from huge_values import random_value, walks_alike  # tests/formats/huge_values.py

from hotline.formats.records import RawTurn

_FLOATS = [0.5, -3.0, 9.1e18, -9.1e18, 9.2e18, -9.2e18, 1e300, float("inf"), float("-inf"), float("nan"),
           12345678901234567890.0]


def _value(rng: random.Random, depth: int) -> Any:
    return random_value(rng, depth, _FLOATS, ["a", "", "9.2e18"], [None, True, 7, 2**63 - 1], kinds=7, deepest=4)


def test_the_walk_for_huge_floats_finds_what_the_simple_walk_finds() -> None:
    rng = random.Random(35)
    walks_alike(_value(rng, 0) for _ in range(4000))


def test_a_silence_mark_is_found_whatever_its_length() -> None:
    from hotline.formats.records import clean_text
    from hotline.formats.speakers import silence_marks

    marks = silence_marks()
    assert marks
    for mark in marks:
        assert clean_text(mark) == clean_text(f" {mark}\n") == ""
        assert clean_text(mark + "好") == mark + "好"
    longest = max(marks, key=len)
    assert clean_text("好" * (len(longest) + 1)) == "好" * (len(longest) + 1)


def test_each_label_gets_the_role_it_names_call_after_call() -> None:
    from hotline.formats import records
    from hotline.formats.speakers import speaker_of_text

    labels = ["坐席", "agent", " 市民 ", "citizen", "客服", "来电人", "AGENT"]
    named = [label for label in labels if speaker_of_text(label.strip()) is not None]
    assert len({speaker_of_text(label.strip()) for label in named}) == 2  # both roles among them
    rng = random.Random(5)
    for _ in range(300):
        chosen = [rng.choice(named).strip() for _ in range(rng.randint(1, 6))]
        raw = [RawTurn(label, "您好", None, None, "第 1 行 turns[", i) for i, label in enumerate(chosen)]
        call = records.finish_call("c1", raw, {}, "calls.jsonl", "第 1 行")
        assert [t.speaker for t in call.turns] == [speaker_of_text(label) for label in chosen]
