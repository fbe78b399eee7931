"""``regexscan.scannable``: a pattern compiled with the characters its matches begin with finds what the pattern
finds, match for match (spans, groups, the last group), on any text; the masker's rules and the rulebook's
regexes are compiled so."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.masking import MaskingRules, MaskPattern, build_masker, default_rules
from hotline.regexscan import scannable

# what the masking rules look at: digits, Chinese numerals, the words after a house number, the agent's 工号…
_PIECES = list("0123456789零〇一二三四五六七八九十百幺两号楼栋幢单元室院层弄巷排工为您话务坐席Xx Aa-，。住在电的")
_PIECES += ["号楼", "号院", "工号", "工号 ", "为您服务", "138", "1381234", "0101234", "110101199003074518", "幺三八一二三四",
            "13812345678", "010-62345678", "AB", "ab", "aB", "X12", "x9 ", "\n", "个工作日", "天内", "半个月"]
texts = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join) | st.text(max_size=40)


def found(pattern: re.Pattern[str], text: str) -> list[tuple[object, ...]]:
    return [(m.span(), m.lastgroup, m.lastindex, *(m.span(g) for g in range(pattern.groups + 1)))
            for m in pattern.finditer(text)]


def same(fast: re.Pattern[str], text: str) -> None:
    plain = re.compile(fast.pattern, fast.flags)
    assert found(fast, text) == found(plain, text)
    assert fast.sub("*", text) == plain.sub("*", text)
    assert [m and m.span() for m in (fast.match(text), fast.search(text, 1))] == \
        [m and m.span() for m in (plain.match(text), plain.search(text, 1))]


_MASKER = build_masker(default_rules())


def test_the_default_masking_rules_are_scanned():
    assert _MASKER.regex is not re.compile(_MASKER.regex.pattern)


@settings(max_examples=500, deadline=None)
@given(texts)
def test_the_masking_rules_match_as_their_plain_alternation(text):
    same(_MASKER.regex, text)


# patterns a city might write (masking rules or a rulebook's): look-behinds and look-aheads, alternatives opening
# with repeats, anchors, groups, lazy repeats, both cases
_CITY = [r"(?<![A-Z])[A-Z]{2}\d{3}(?!\d)", r"[Aa][Bb]\d+", r"(?<=工号)\d{2,}", r"^\d+", r"\b[Xx]\d\d\b", r"一(?:二|三)+",
         r"(?P<mask>\d)号(?=楼)", r"0\d*-?\d{3}", r"[幺两]{2}(?P<mask>\d+)", r"([0-9一二三半]+?)个?(工作日|天)内?",
         r"(?:[0-9]+|[一二三]+)号|工号", r"$", r"(?<!\d)\d+?(?=号)", r"(?<!\d)1[3-9]\d", r"^您", r"\b号"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_CITY), texts)
def test_any_pattern_matches_as_itself(regex, text):
    same(scannable(re.compile(regex)), text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([r for r in _CITY if "(?P<mask>" not in r and "(" not in r.replace("(?", "")]),
                min_size=1, max_size=4, unique=True), texts)
def test_masking_with_other_rules_masks_as_the_plain_alternation(regexes, text):
    masker = build_masker(MaskingRules(patterns=[MaskPattern(name=f"r{i}", regex=r, keep_head=1)
                                                 for i, r in enumerate(regexes)]))
    plain = build_masker(MaskingRules(patterns=[MaskPattern(name=f"r{i}", regex=r, keep_head=1)
                                                for i, r in enumerate(regexes)]))
    plain.regex = re.compile(masker.regex.pattern)
    assert masker.mask(text) == plain.mask(text)


@pytest.mark.parametrize("text", ["AB12 与 ab34", "aB7号", "Ab5"])
def test_a_case_insensitive_group_may_begin_with_either_case(text):
    """(?i:…) is not known to begin with the characters it is written with (the pattern is then left as it is)."""
    masker = build_masker(MaskingRules(patterns=[MaskPattern(name="r", regex=r"(?i:ab)\d+")]))
    assert masker.mask(text) == re.sub(r"(?i:ab)\d+", lambda m: "*" * len(m.group()), text)


def test_a_pattern_sre_already_scans_or_that_may_begin_anywhere_is_left_as_it_is():
    for regex in [r"abc", r"[0-9]x", r"a|b", r".?x", r"\d*", r"(?i)ab", "(?:a|)b"]:
        pattern = re.compile(regex)
        assert scannable(pattern) is pattern


def test_the_scanned_pattern_is_the_same_pattern_to_its_readers():
    pattern = re.compile(r"(?P<n>[0-9]+)(天|日)")
    fast = scannable(pattern)
    assert fast is not pattern
    assert (fast.pattern, fast.flags, fast.groups, fast.groupindex) == (pattern.pattern, pattern.flags, pattern.groups,
                                                                        pattern.groupindex)
    assert pickle.loads(pickle.dumps(fast)).pattern == pattern.pattern
