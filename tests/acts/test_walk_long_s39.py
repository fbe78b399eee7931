"""Session 39: the C walk (``hotline._kernels.features.walk``, through ``Segmenter._walk``) reads a text holding a
clause longer than ``long_clause`` as ``Segmenter.spans`` does (``_unquoted``: cut before the markers found by the
markers regex, pieces of at least ``min_piece`` either side of a cut, the last keeping the mark; ``spans``: windows
over a piece still longer) instead of handing it back to ``spans``: the same spans for run-ons with and without
markers, markers that begin others or overlap, markers at the edges, markers beginning past the BMP, runs of marks after a long clause, digits,
newlines, emoji and other non-BMP characters, empty texts, and for segmenters of other settings (no markers, windows
longer than the clause, strides past the window, a large ``min_piece``). A marker list with an empty marker leaves
such texts to ``spans``; without the split the kernel hands them back (None) as before. Nothing leaks. Skipped only
when the compiled modules are switched off (``HOTLINE_NATIVE=0``): a build always makes it."""

from __future__ import annotations

import gc
import os
import random
import sys

import pytest

from hotline import native
from hotline.acts.features import Featurizer
from hotline.acts.segment import Segmenter, kernel
from hotline.acts.settings import SegmentSettings

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")

FILLER = ["我", "就", "打电话", "给他们", "一直不接", "没办法", "热线", "反映", "1", "23", "3.5", "😡", "𠀀", "a", "\n", "然",
          "但", "你", "您", "自己", "可以"]
MARKS = [",", ".", "?", "!", "…", "—", ",,", "?!", "……", "——", ";"]


def _plain(seg: Segmenter, texts: list[str]) -> list[tuple[tuple[int, int, str], ...]]:
    """``spans`` of each text, by its definition (the regexes; the lru cache cleared so each is computed)."""
    Segmenter.spans.cache_clear()
    return [seg.spans(t) for t in texts]


def _texts(markers: list[str], rng: random.Random, count: int) -> list[str]:
    pieces = FILLER + markers * 3 + [m[:1] for m in markers if m]
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(0, 6)):
            parts.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))))
            parts.append(rng.choice(MARKS) if rng.random() < 0.8 else "")
        out.append("".join(parts))
    return out


@pytest.mark.parametrize("settings", [
    SegmentSettings(),
    Featurizer().settings.segment,  # (the shipped markers)
    SegmentSettings(markers=["然后", "然", "但是", "但是你", "你去", "你自己", "您自己", "自己", "我就", "自己,", "就?"]),
    SegmentSettings(markers=["然后", "但是"], min_piece=1, window=30, stride=50),
    SegmentSettings(markers=["😡", "𠀀a", "1"], long_clause=4, min_piece=9, window=4, stride=1),
    SegmentSettings(markers=["ab", "ba", "aba"], long_clause=5, window=19, stride=3),
    SegmentSettings(markers=["好,", "的?", "的"], min_piece=1),  # (a marker never matches past the clause)
])
def test_walk_reads_long_clauses_as_spans(settings: SegmentSettings) -> None:
    """Fails when a marker is matched wrongly (not the regex's first alternative, past the clause's end, overlapping
    a match), a cut ignores ``min_piece``, the mark goes to another piece, a window is off by one or missing, or a run
    of marks after a long clause is not joined to its last piece."""
    assert kernel() is not None, f"make install builds the kernel: {native.state()[1]}"
    seg = Segmenter(settings)
    assert seg._split is not None
    rng = random.Random(39)
    markers = list(settings.markers) or ["然后"]
    texts = _texts(markers, rng, 600) + [
        "然后我就打电话给他们但是他们一直不接我也没办法所以只能打你们这个热线反映一下然后他们说不归他们管让我找物业",
        "我反映一下,然后我就打电话给他们但是他们一直不接我也没办法所以只能打你们这个热线反映一下然后他们说不归他们管.好",
        "然后" * 20, "然" * 40 + "..!?", "", "好", "ab" * 30, "aba" * 12 + ",", "😡" * 25 + "?", "𠀀a" * 12,
    ]
    got = seg._walk(texts)
    assert got == _plain(seg, texts)
    assert any(len(row) > 1 and max(e - s for s, e, _ in row) > settings.long_clause for row in got)  # (windows)


def test_without_the_split_long_texts_are_handed_back() -> None:
    """An empty marker (the regex would match anywhere): no split, the texts go to ``spans``; the kernel given no
    split gives None for them, and refuses an empty marker or a stride below 1."""
    native_kernel = kernel()
    assert native_kernel is not None
    seg = Segmenter(SegmentSettings(markers=["然后", ""]))
    assert seg._split is None
    texts = ["然后" * 15, "好,然后"]
    assert seg._walk(texts) == _plain(seg, texts)
    plain = Segmenter(SegmentSettings(markers=["然后"]))
    assert native_kernel.walk(texts, plain._seps, 18) == [None, ((0, 1, ","), (2, 4, ""))]
    with pytest.raises(ValueError):
        native_kernel.walk(texts, plain._seps, 18, (["然后", ""], 4, 14, 7))
    with pytest.raises(ValueError):
        native_kernel.walk(texts, plain._seps, 18, (["然后"], 4, 14, 0))
    with pytest.raises(TypeError):
        native_kernel.walk(texts, plain._seps, 18, (["然后"], 4))


def test_long_walk_leaks_nothing() -> None:
    """10,000 walks of long texts leave the reference counts of the texts and markers where they were."""
    native_kernel = kernel()
    assert native_kernel is not None
    seg = Featurizer().segmenter
    assert seg._split is not None
    texts = ["然后我就打电话给他们但是他们一直不接我也没办法所以只能打你们这个热线反映一下然后他们说不归他们管让我找物业,,好",
             "好的" * 30 + "?!", "你好"]
    markers = seg._split[0]
    gc.collect()
    before = [sys.getrefcount(t) for t in texts] + [sys.getrefcount(m) for m in markers] + [sys.getrefcount(markers)]
    for _ in range(10_000):
        native_kernel.walk(texts, seg._seps, seg.settings.long_clause, seg._split)
    gc.collect()
    after = [sys.getrefcount(t) for t in texts] + [sys.getrefcount(m) for m in markers] + [sys.getrefcount(markers)]
    assert after == before
