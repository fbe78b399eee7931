"""What the act layer and normalisation build at every start, read back from the start-up cache or built cheaper:
compiled regexes (``text.compiled_regexes``), the normalisation table, the segmenter's table of marks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotline import cache
from hotline import text as T
from hotline.acts.segment import Segmenter, SegmentSettings

PATTERNS = [r"[0-9][0-9*.]*", r"(?P<word>物业(?:公司|))(?![0-9])", "[\u4e00-\u9fff]+|\\s", "(a)|b(?<=b)"]
TEXTS = ["物业公司12.5*3", "找物业1", "", "ab a\tb", "繁體 字 99"]


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    return tmp_path / "xdg" / "hotline"


def _same(got: re.Pattern[str], want: re.Pattern[str]) -> None:
    assert (got.pattern, got.flags, got.groups, got.groupindex) == (want.pattern, want.flags, want.groups,
                                                                     want.groupindex)
    for text in TEXTS:
        assert [(m.span(), m.groups()) for m in got.finditer(text)] == [
            (m.span(), m.groups()) for m in want.finditer(text)]
        assert got.sub("#", text) == want.sub("#", text)


def test_regexes_read_back_are_those_re_compiles(own_cache: Path) -> None:
    """Built (and written), then read back from the cache: each behaves as ``re.compile`` of its pattern."""
    for _ in range(2):
        for got, p in zip(T.compiled_regexes("test", PATTERNS), PATTERNS, strict=True):
            _same(got, re.compile(p))
    assert len(list(own_cache.glob("*.pickle"))) == 1


def test_a_regex_is_taken_from_the_cache_only_for_its_own_pattern(own_cache: Path) -> None:
    """A slot holding another pattern's code (or something else) under the same name: what the cache holds is
    read back (the first pattern below, whose code it holds, behaves as the planted one), and an entry for another
    pattern or a damaged one is not taken: those patterns are compiled by ``re.compile`` (fails when the entry's
    pattern is not checked)."""
    patterns = ["a", "b", "c", "d"]
    planted = [(patterns[0], *T._regex_code("x")[1:]), T._regex_code("z"), ("c",), "d"]
    cache.cached(T.regex_slot("plant", patterns), (), lambda: planted, list)
    got = T.compiled_regexes("plant", patterns)
    assert got[0].search("x") is not None and got[0].search("a") is None  # read back: the cache is used
    for made, p in zip(got[1:], patterns[1:], strict=True):
        _same(made, re.compile(p))


def test_the_table_read_back_is_the_built_one(own_cache: Path) -> None:
    T._table.cache_clear()
    try:
        first = T._table()
        T._table.cache_clear()
        assert T._table() == first == T._built_table()
    finally:
        T._table.cache_clear()


@pytest.mark.parametrize("settings", [SegmentSettings(), SegmentSettings(separators=",.!?;:…~—", quote_pairs=[
    "「」", "“”", "『』", "‘’", '""']), SegmentSettings(separators="\u3000,,", quote_pairs=["<>", "\n\n"])])
def test_the_segmenters_table_of_marks_is_each_code_points_kind(settings: SegmentSettings) -> None:
    """1 a separator, 4 a quote mark (both: 5), 2 the newline, 0 anything else, up to one past the last one named."""
    seg = Segmenter(settings)
    opens = {q[0] for q in settings.quote_pairs if q}
    last = max(map(ord, settings.separators + "".join(opens) + "\n"))
    want = [(1 if chr(c) in settings.separators else 0) | (4 if chr(c) in opens else 0) for c in range(last + 2)]
    want[ord("\n")] = 2
    assert seg._kinds.tolist() == want
