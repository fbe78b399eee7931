"""``Masker.quote`` masks a quote found nowhere in its turn (or of no turn), and ``Masker.mask_value`` a string of the
meta, by ``mask_recurring`` (remembered: they recur from call to call): the same texts as ``mask`` of each, asked
once or again and again, with digits, phone and ID numbers, house numbers, newlines, emoji and non-BMP characters,
empty texts, texts past the memory's length and a full memory (fails when a remembered answer is another text's, or
is not the masked text)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hotline.masking import build_masker, default_rules
from hotline.redact import MEMO_CHARS, Masker

TEXTS = ["", "好的", "1000", "1001", "2024-05-01 10:00", "市民说「打了好几次」之后", "市民说「我已经打过2次电话了」之后",
         "我的电话是13812345678", "电话 138 1234 5678", "身份证110101199003071234", "住在3号楼2单元501室",
         "幺三八一二三四五六七八", "工号1024为您服务", "第一\n第二13912345678", "😀13712345678😀", "𠀀𠀁 5号院",
         "语速 305 字/分钟，过快", "x" * (MEMO_CHARS + 1) + "13812345678", "1" * (MEMO_CHARS + 5)]


@pytest.fixture()
def masker() -> Masker:
    return build_masker(default_rules(), memo_texts=5)  # a small memory: it fills and starts over


def _quote_by_definition(m: Masker, text: str, turn: int | None, span: tuple[int, int] | None, turns: list[str],
                         masked: list[str]) -> str:
    if not text:
        return text
    if turn is not None and 0 <= turn < len(turns):
        original = turns[turn]
        if span is not None and original[span[0]:span[1]] == text:
            got = masked[turn][span[0]:span[1]]
        else:
            at = original.find(text)
            got = masked[turn][at:at + len(text)] if at >= 0 else m.mask(text)
        return text if got == text else got
    return m.mask(text)


def _mask_value_by_definition(m: Masker, value: Any) -> Any:
    if isinstance(value, str):
        return m.mask(value)
    if isinstance(value, dict):
        return {k: _mask_value_by_definition(m, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_value_by_definition(m, v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1_000_000:
        text = str(value)
        masked = m.mask(text)
        return value if masked == text else masked
    return value


def test_quotes_found_nowhere_in_their_turn_are_masked_as_alone(masker: Masker) -> None:
    turns = ["您好，请讲", "我的电话是13812345678，住在3号楼"]
    masked = [masker.mask(t) for t in turns]
    for _ in range(3):  # asked again: remembered answers
        for text in TEXTS + list(reversed(TEXTS)):
            for turn, span in [(None, None), (0, None), (1, None), (1, (0, 3)), (5, None), (-1, None)]:
                got = masker.quote(text, turn, span, turns, masked)
                assert got == _quote_by_definition(masker, text, turn, span, turns, masked)
                if got == text:
                    assert got is text  # nothing masked: the very text given
    assert len(masker.memo) <= 5


def test_meta_strings_are_masked_as_by_mask(masker: Masker) -> None:
    metas: list[Any] = [{"agent_id": t} for t in TEXTS]
    metas += [{"a": TEXTS, "b": {"c": t, "d": [t, 13812345678, 1234, True, None, 2.5]}} for t in TEXTS]
    for _ in range(3):
        for meta in metas:
            assert masker.mask_value(meta) == _mask_value_by_definition(masker, meta)
        for text in TEXTS:
            got = masker.mask_value(text)
            assert got == masker.mask(text)
            if got == text:
                assert got is text
    assert len(masker.memo) <= 5


def test_a_remembered_quote_is_its_own_text() -> None:
    # every digit masked: texts differing only in their digits must not share an answer
    alone, elsewhere, metas = (Masker(re.compile(r"(?P<p0>\d)"), [(None, 0, 0)], "#") for _ in range(3))
    for text in ["电话1", "电话2", "电话1", "无", "电话22"]:
        assert alone.quote(text, None, None, [], []) == re.sub(r"\d", "#", text)
        assert elsewhere.quote(text, 0, None, ["好"], ["好"]) == re.sub(r"\d", "#", text)
        assert metas.mask_value({"k": text}) == {"k": re.sub(r"\d", "#", text)}
    assert alone.memo == elsewhere.memo == metas.memo == {"电话1": "电话#", "电话2": "电话#", "无": None,
                                                          "电话22": "电话##"}
