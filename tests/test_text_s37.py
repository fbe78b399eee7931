"""``normalize_all``'s one scan of a call's joined texts for the first mapped character or ASR match (``_first_scan``)
instead of one scan for each: the same normalised texts as ``normalize`` of each text, whichever of the two comes first
(a mapped character before, after or inside the text of an ASR match, an ASR match alone, neither), with whitespace,
digits, newlines inside a text, emoji and other characters past the BMP, empty and repeated texts (fails when the
mapped character after an ASR match is not looked for, or the place of a mapped character is taken for an ASR
match's); and the scan begins its match where the first of the two regexes' matches begins."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hotline import text as T

# pieces: unmapped, whitespace, ASR words and spoken-digit runs (mapped and not), mapped characters (full-width,
# traditional, capitals, the common marks), characters past the BMP, a newline (such texts are normalised one by one)
PIECES = ["好", "的", "您", "请问", "1", "12345", ",", "。", "，", "？", " ", "\t", "\u3000", "\u00a0", "不知到", "不知",
          "幺零二四", "幺", "零二", "以后在说", "以後在說", "請", "ＡＢＣ", "Ａ", "A", "Z", "😀", "𠀀", "\U0010ffff",
          "晓得", "\n", "一", "两", "不", "知", "到"]


@settings(max_examples=1500, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=6).map("".join), max_size=7))
@example([])
@example([""])
@example(["", ""])
@example(["不知到", "請"])
@example(["請", "不知到"])
@example(["不知到請"])
@example(["您好", "不知到", "好的 請"])
@example(["以後在說", "以後在說"])
@example(["😀", "幺零二四"])
@example(["幺零二四", "😀"])
@example(["好", "幺 零二四", "請"])
@example(["好", "不 知到"])
@example(["好 ", "不知到"])
def test_normalize_all_is_normalize_of_each(texts: list[str]) -> None:
    assert T.normalize_all(texts) == [T.normalize(t) for t in texts]


@settings(max_examples=1500, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
@example("")
@example("不知到請")
@example("請不知到")
@example("😀不知到")
def test_first_scan_begins_where_the_first_of_the_two_begins(text: str) -> None:
    scan = T._first_scan()
    assert scan is not None
    _, _, either = T._asr_scan()
    assert either is not None
    starts = [m.start() for m in (T._mapping()[1].search(text), either.search(text)) if m is not None]
    got = scan.search(text)
    assert (got.start() if got is not None else None) == (min(starts) if starts else None)


def test_the_pieces_hold_both_kinds() -> None:
    _, _, either = T._asr_scan()
    assert either is not None
    assert all(either.search(p) for p in ["不知到", "幺零二四", "晓得"])
    assert all(T._mapping()[1].search(p) for p in ["請", "ＡＢＣ", "A", "😀", "𠀀"])
    assert T._first_scan() is not None and T._first_scan() is T._first_scan()  # compiled once
