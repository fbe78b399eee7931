"""The masker's scan (``masking.scan_regex``: the rules' alternation behind a class of their first characters,
searched from the end of each match) finds what the plain alternation finds, match for match, on any text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.masking import MaskingRules, MaskPattern, build_masker, default_rules
from hotline.redact import Masker

# what the rules look at: digits, Chinese numerals, the words after a house number, the agent's 工号…
_PIECES = list("0123456789零〇一二三四五六七八九十百幺两号楼栋幢单元室院层弄巷排工为您话务坐席Xx Aa-，。住在电的")
_PIECES += ["号楼", "号院", "工号", "工号 ", "为您服务", "138", "1381234", "0101234", "110101199003074518", "幺三八一二三四",
            "13812345678", "010-62345678"]
texts = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join) | st.text(max_size=40)


def matches(masker: Masker, text: str, scanned: bool) -> list[tuple[str, tuple[int, int], tuple[int, int] | None]]:
    """Each match as (its rule's group, the rule's span, the mask group's span)."""
    out = []
    if scanned:
        assert masker.scan is not None
        m = masker.scan.search(text)
        while m is not None:
            name = m.lastgroup
            assert name is not None
            out.append((name, m.span(name), m.span(f"m{name[1:]}") if f"m{name[1:]}" in m.re.groupindex else None))
            m = masker.scan.search(text, m.end(name))
    else:
        for m in masker.regex.finditer(text):
            name = m.lastgroup
            assert name is not None
            out.append((name, m.span(name), m.span(f"m{name[1:]}") if f"m{name[1:]}" in m.re.groupindex else None))
    return out


_DEFAULT = build_masker(default_rules())


@settings(max_examples=600, deadline=None)
@given(texts)
def test_the_scan_finds_the_alternations_matches(text):
    assert _DEFAULT.scan is not None
    assert matches(_DEFAULT, text, True) == matches(_DEFAULT, text, False)
    assert _DEFAULT.mask(text) == _DEFAULT._mask_plain(text)


# rules a city might write: look-behinds and look-aheads, alternatives, anchors, both cases
_CITY = [r"(?<![A-Z])[A-Z]{2}\d{3}(?!\d)", r"[Aa][Bb]\d+", r"(?<=工号)\d{2,}", r"^\d+", r"\b[Xx]\d\d\b", r"一(?:二|三)+",
         r"(?P<mask>\d)号(?=楼)", r"0\d*-?\d{3}", r"[幺两]{2}(?P<mask>\d+)"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CITY), min_size=1, max_size=4, unique=True), st.lists(st.sampled_from(
    _PIECES + ["AB", "ab", "Ab", "aB", "工号12", "X12", "x9 ", "一二三"]), max_size=25).map("".join))
def test_the_scan_equals_the_alternation_for_other_rules(regexes, text):
    masker = build_masker(MaskingRules(patterns=[MaskPattern(name=f"r{i}", regex=r, keep_head=1)
                                                 for i, r in enumerate(regexes)]))
    assert masker.scan is not None
    assert matches(masker, text, True) == matches(masker, text, False)
    assert masker.mask(text) == masker._mask_plain(text)


@pytest.mark.parametrize("text", ["AB12 与 ab34", "aB7号", "Ab5"])
def test_a_case_insensitive_group_may_begin_with_either_case(text):
    """(?i:…) is not known to begin with the characters it is written with (without the scan then)."""
    masker = build_masker(MaskingRules(patterns=[MaskPattern(name="r", regex=r"(?i:ab)\d+")]))
    assert masker.mask(text) == re.sub(r"(?i:ab)\d+", lambda m: "*" * len(m.group()), text)


def test_a_rule_whose_first_character_is_unknown_masks_without_the_scan():
    masker = build_masker(MaskingRules(patterns=[MaskPattern(name="r", regex=r"1\d{3}"),
                                                 MaskPattern(name="s", regex=r".?京A\d{2}")]))
    assert masker.scan is None
    assert masker.mask("电话1234，车牌京A12") == "电话****，车*****"
