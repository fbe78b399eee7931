"""Session 37: a batch of turns without quote marks is cut by ``Segmenter._walk`` (each text's characters walked,
separators told by their code point in ``_seps``) instead of the numpy pass over the joined texts; each text must
be cut exactly as ``spans`` cuts it alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.acts.features import Featurizer
from hotline.acts.segment import Segmenter
from hotline.acts.settings import SegmentSettings
from hotline.text import normalize

RAW = [
    "您好，12345热线，请问有什么可以帮您？",
    "好的，好的？好的！好的。好的",
    "嗯?嗯!嗯.嗯,嗯",
    "嗯!?嗯?!嗯!!嗯..嗯,,,",
    "我家楼下😡太吵了！！每天到2点……你们管不管？",
    "价格是69.9元，一共1,200块，还有3.5.",
    ".5元,3.",
    "你——行，你等着",
    "——好，…嗯…，……",
    "然后我就打电话给他们但是他们一直不接我也没办法所以只能打你们这个热线反映一下然后他们说不归他们管让我找物业",
    "我反映一下，然后我就打电话给他们但是他们一直不接我也没办法所以只能打你们这个热线反映一下然后他们说不归他们管。好",
    "𠀀𠀁，𠀀𠀁？𠀀𠀁😡",
    "第一行\n第二行，还有\n",
    "\n",
    "",
    "好的",
    ",",
    "。。。",
    "好的,",
    ",,,好的",
    "a.b,c;d:e~f",
    "‧…‧，‧",  # (U+2027: the code point just past the separators' table)
]


def _texts() -> list[str]:
    return [normalize(t).text for t in RAW] + [t for t in RAW if "\n" in t]  # (raw: newlines inside a text)


def test_walk_cuts_each_text_as_spans_does() -> None:
    """``_walk`` of texts with every separator, points and commas between digits and at the ends, dashes and
    ellipses cutting a word short, runs of marks, long run-ons (windows), newlines inside a text, emoji and
    non-BMP ideographs, empty and mark-only texts, and repeats gives each text's ``spans`` (fails when a separator
    is missed, a code point past the table is read, or a long clause is not read by ``spans``)."""
    seg = Featurizer().segmenter
    texts = _texts()
    for batch in (texts, texts * 2, list(reversed(texts)), [t for t in texts if t]):
        assert seg._walk(batch) == [seg.spans(t) for t in batch]
    assert any(len(row) > 3 for row in seg._walk(texts))  # (windows of a run-on, several clauses)


def test_batches_without_quotes_are_walked_and_others_are_not() -> None:
    """``batch_quoted`` of a batch without quote marks is ``_walk`` (whether or not a text holds a newline, which
    the numpy pass cannot read), and one with a quote mark still reads the quoted text by ``spans``."""
    seg = Featurizer().segmenter
    texts = _texts()
    assert seg.batch_quoted(texts) == (seg._walk(texts), False) == ([seg.spans(t) for t in texts], False)
    assert seg.batch_quoted([]) == ([], False)
    quoted = normalize("他说「不归我们管，你找别人」就挂了，我很生气").text
    for batch in ([quoted, *texts], [*texts[:3], quoted, *texts[3:]], [*texts, quoted]):
        got, has_quote = seg.batch_quoted(batch)
        assert got == [seg.spans(t) for t in batch] and has_quote


def test_seps_is_each_separator_and_nothing_else() -> None:
    """``_seps`` marks exactly the separators' code points (the last one is its last byte), for the shipped
    settings and for a segmenter with other separators (fails when a separator past the table is read as none)."""
    seg = Featurizer().segmenter
    for s in (seg, Segmenter(SegmentSettings(separators="。x", quote_pairs=["「」"], markers=[]))):
        assert len(s._seps) == max(map(ord, s.settings.separators)) + 1
        assert {chr(i) for i, b in enumerate(s._seps) if b} == set(s.settings.separators)
    odd = Segmenter(SegmentSettings(separators="。x", quote_pairs=["「」"], markers=[]))
    texts = ["ax。b", "x", "。。", "axbx", "😡x😡"]
    assert odd.batch_quoted(texts) == ([odd.spans(t) for t in texts], False)
    assert odd.batch_quoted(texts)[0] == [((0, 1, "x。"), (3, 4, "")), (), (),
                                          ((0, 1, "x"), (2, 3, "x")), ((0, 1, "x"), (2, 3, ""))]


PIECES = ["好的", "行", "‧", ",", ".", "?", "!", "!?", "…", "——", "69.9", "1,2", "12345", "😡", "𠀀", "\n", "嗯" * 30, ""]


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=8).map("".join), max_size=8))
def test_walk_is_spans_on_any_mix(texts: list[str]) -> None:
    """Any mix of marks, digits, dashes, ellipses, emoji, newlines and long runs: ``_walk`` is ``spans``."""
    seg = Featurizer().segmenter
    assert seg._walk(texts) == [seg.spans(t) for t in texts]
    assert seg.batch_quoted(texts) == ([seg.spans(t) for t in texts], False)
