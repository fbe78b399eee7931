"""``finish_call`` finds most turns' roles by the last two labels of the call that named one: every turn still
gets ``speaker_of_text``'s role of its own label, with labels alternating, repeated, three or more in a call,
labels with digits or emoji, and labels that do not say (then roles from what is said, as ``assign_roles``
decides); and a non-ASCII call id is still searched for a lone surrogate (an ASCII one holds none)."""

from __future__ import annotations

import random

import pytest

from hotline.errors import FormatError
from hotline.formats.records import RawTurn, finish_call
from hotline.formats.roles import assign_roles
from hotline.formats.speakers import speaker_of_text

_NAMED = ["坐席", "市民", "agent", "citizen", "客服", "来电人", "话务员", "user", "A", "B", "坐席1", "市民2", "😀"]


def _raw(labels: list[str]) -> list[RawTurn]:
    return [RawTurn(label, f"第{i}句话，您好", float(i), float(i) + 0.5, "第 1 行 turns[", i)
            for i, label in enumerate(labels)]


def test_roles_are_each_labels() -> None:
    named = [label for label in _NAMED if speaker_of_text(label) is not None]
    assert len({speaker_of_text(label) for label in named}) >= 2
    rng = random.Random(36)
    cases = [[named[0], named[1]] * 3, [named[0]] * 4, [named[0], named[1], named[2], named[1], named[0]],
             [named[1], named[0], named[0], named[1]], list(named), named[::-1]]
    cases += [[rng.choice(named) for _ in range(rng.randrange(1, 12))] for _ in range(200)]
    for labels in cases:
        call = finish_call("r-1", _raw(labels), {}, "s.jsonl", "第 1 行")
        assert [t.speaker for t in call.turns] == [speaker_of_text(label) for label in labels], labels
        assert [t.text for t in call.turns] == [f"第{i}句话，您好" for i in range(len(labels))]


def test_labels_that_do_not_say() -> None:
    named = [label for label in _NAMED if speaker_of_text(label) is not None]
    unnamed = [label for label in ["甲", "乙", "spk0", "spk1", "说话人3"] if speaker_of_text(label) is None]
    assert unnamed
    cases = [[named[0], named[1], unnamed[0]], [unnamed[0], named[0], unnamed[-1]], [named[0], named[0], unnamed[0]],
             [unnamed[0], unnamed[-1], unnamed[0]], [named[1], unnamed[0], named[1], unnamed[0]]]
    for labels in cases:
        raw = _raw(labels)
        try:
            expected = assign_roles(raw, "s.jsonl", "r-2")[0]
        except FormatError as exc:  # labels it cannot sort out: the same refusal
            with pytest.raises(FormatError) as got:
                finish_call("r-2", raw, {}, "s.jsonl", "第 1 行")
            assert str(got.value) == str(exc)
            continue
        call = finish_call("r-2", raw, {}, "s.jsonl", "第 1 行")
        assert [t.speaker for t in call.turns] == expected


@pytest.mark.parametrize("call_id", ["bad\ud800id", "通话\udfff", "\ud83d"])
def test_non_ascii_call_id_with_a_surrogate(call_id: str) -> None:
    with pytest.raises(FormatError, match="通话编号"):
        finish_call(call_id, _raw(["坐席", "市民"]), {}, "s.jsonl", "第 1 行")


@pytest.mark.parametrize("call_id", ["ascii-1", "12345", "", "通话-😀", "带\n换行"])
def test_call_ids_without_surrogates(call_id: str) -> None:
    assert finish_call(call_id, _raw(["坐席", "市民"]), {}, "s.jsonl", "第 1 行").id == call_id
