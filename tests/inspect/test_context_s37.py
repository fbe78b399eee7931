"""The call context's fast paths of session 37 give what the plain definitions give: spoken characters counted in a
map of the BMP filled a block at a time (``spoken_count``, ``_ALNUM_MAP``) are those ``str.isalnum`` holds."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.inspect import context
from hotline.inspect.context import spoken_count, spoken_counts


@pytest.fixture
def empty_map() -> Iterator[None]:
    """The map as a process starts with it (no block filled), put back afterwards."""
    kept = context._ALNUM_MAP[0]
    context._ALNUM_MAP[0] = bytes(65536)
    try:
        yield
    finally:
        context._ALNUM_MAP[0] = kept


def _plain(text: str) -> int:
    return sum(map(str.isalnum, text))


TEXTS = ["", "您好，12345热线，工号007！", "好的。\n好的。", "Ⅻ号楼 ½ 平方米…", "٣٤ abc\u0301 é_", "，。？！,.?!", "😤好的😤",
         "\U00020000\U0002a6d6𝟘𝟙", "a\ud800b\udfffc", "\x00\x7f\xa0\xaa\xb2\xff", "\u4e00\u9fff\u9ffc\u3400\u4dbf",
         "\uf8ff\ufffd\uffff\ufeff\uff10\uff21", "好" * 300, "“12:30”吧~"]


@pytest.mark.usefixtures("empty_map")
def test_spoken_count_fills_the_blocks_it_meets() -> None:
    """From an empty map, each text counts as ``isalnum`` counts it, again once its blocks are filled (fails when a
    code point of a block not filled yet is read as the map holds it)."""
    for text in TEXTS:
        assert spoken_count(text) == _plain(text), text
    for text in TEXTS:
        assert spoken_count(text) == _plain(text), text
    assert spoken_counts(TEXTS) == [_plain(t) for t in TEXTS]
    assert spoken_counts([]) == []


@pytest.mark.usefixtures("empty_map")
def test_the_map_holds_isalnum_of_every_code_point() -> None:
    """Every block filled (one text of every code point, past the BMP too): each code point's byte is 2 exactly when
    ``isalnum`` holds it, 1 when not (fails when a page of a block is filled from the wrong code points, or a piece
    of a page is taken as all alnum)."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert spoken_count(every) == _plain(every)
    table = context._ALNUM_MAP[0]
    assert len(table) == 65536
    assert [table[c] for c in range(65536)] == [2 if chr(c).isalnum() else 1 for c in range(65536)]


@pytest.mark.usefixtures("empty_map")
def test_a_block_filled_leaves_the_others_empty() -> None:
    """Filling one block (a hanzi's) sets its 4,096 bytes and no other (fails when a fill copies the map's other
    blocks to the wrong place)."""
    assert spoken_count("好") == 1
    table = context._ALNUM_MAP[0]
    block = ord("好") >> 12
    assert all(table[block << 12:(block + 1) << 12])
    assert not any(table[:block << 12]) and not any(table[(block + 1) << 12:])


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("好的12ab,.?!:;_ ~…“”、٣Ⅻ½\u0301\n😤\U00020000\x00\uffff")),
                        max_size=12) | st.text(max_size=12), max_size=6))
def test_spoken_counts_are_what_isalnum_counts(texts: list[str]) -> None:
    assert spoken_counts(texts) == [_plain(t) for t in texts]
    assert [spoken_count(t) for t in texts + texts] == [_plain(t) for t in texts + texts]
