"""What the act layer and normalisation build at every start, read back from the start-up cache or built cheaper:
the normalisation table, the segmenter's table of marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline import cache
from hotline import text as T
from hotline.acts.segment import Segmenter, SegmentSettings


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    return tmp_path / "xdg" / "hotline"


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
    """1 a separator, 0 anything else (a quote mark, the newline), up to the last separator."""
    seg = Segmenter(settings)
    last = max(map(ord, settings.separators))
    want = bytes(1 if chr(c) in settings.separators else 0 for c in range(last + 1))
    assert seg._seps == want
