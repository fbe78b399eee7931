"""Normalisation's faster forms of session 36 against their plain definitions: the ASR scan's opening lookahead
(``text._asr_opening``) finds every match the alternation alone finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline import text as T

TABLE, DIGITS = T._asr_tables()
READINGS = [chr(d) for d in DIGITS]
# every ASR word, its first two characters, spoken digits alone and in runs, words that share a first or second
# character with one (已经 against 已近, 以后 against 以经), digits, newlines, emoji past the BMP
PIECES = [*TABLE, *(w[:2] for w in TABLE), *READINGS, "幺零", "幺零二四", "一二", "已经", "请问", "以后", "您说", "不知",
          "在不", "一个", "冇", "0", "12", "\n", "😀", "𠀀", " ", "号", "栋"]


def _plain_first(text: str) -> int | None:
    """Where the first match of a word or a run begins (``_asr``'s definitions, each searched alone)."""
    words, _, runs, _ = T._asr()
    starts = [m.start() for m in (words.search(text) if words else None, runs.search(text) if runs else None) if m]
    return min(starts) if starts else None


@settings(max_examples=3000, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=12))
def test_asr_either_finds_the_first_match_of_the_words_or_the_runs(parts: list[str]) -> None:
    """Fails when the lookahead leaves out a word's second character, the spoken digits (a run), or the words of
    one character."""
    text = "".join(parts)
    either = T._asr_scan()[2]
    assert either is not None
    found = either.search(text)
    assert (found.start() if found else None) == _plain_first(text)


def test_asr_either_known_cases() -> None:
    either = T._asr_scan()[2]
    assert either is not None
    for text in ["", "已经", "请问您说", "12345", "😀\n𠀀"]:
        assert either.search(text) is None
    for text, at in [("我不知到", 1), ("冇", 0), ("号码幺零二四", 2), ("已经以经", 2), ("😀冇", 1), ("一二\n三四五", 3)]:
        found = either.search(text)
        assert found is not None and found.start() == at, text
    # every word and every run of the shortest length is found where it stands, after any text
    run = T._asr_fixes().spoken_digit_min_run
    for w in [*TABLE, READINGS[0] * run, READINGS[-1] + READINGS[0] * (run - 1)]:
        found = either.search("请问" + w)
        assert found is not None and found.start() == 2, w


def test_asr_opening_of_made_up_tables() -> None:
    """The lookahead of other tables: only words of one character; no spoken digits; no words."""
    cases = [({"甲": "乙"}, {}), ({"甲乙": "丙丁", "戊": "己"}, {}), ({}, {"幺": "1"}), ({"a.": "b,"}, {"^": "1"})]
    for words, digits in cases:
        opening = re.compile(T._asr_opening(words, digits))
        for w in [*words, *(d + e for d in digits for e in digits)]:
            assert opening.match(w), (words, digits, w)
        assert opening.match("x") is None
