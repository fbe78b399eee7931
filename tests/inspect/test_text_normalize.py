"""``hotline.text.normalize`` takes shortcuts (the common full-width marks replaced and a regex deciding whether
``str.translate`` has anything left to do, an array for it, ``str.split`` for whitespace and a regex for the
offsets, the ASR substitutions with no scan before them); its output must stay what the plain definition gives."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline import text as T
from hotline.text import Normalized, normalize


def reference(text: str) -> Normalized:
    """The plain definition: translate with the dict, drop \\s, then the two ASR substitutions."""
    mapped = text.translate(T._table())
    kept = [(i, ch) for i, ch in enumerate(mapped) if not re.match(r"\s", ch)]
    compact = "".join(ch for _, ch in kept)
    words, table, runs, digits = T._asr()
    if words is not None:
        compact = words.sub(lambda m: table[m.group()], compact)
    if runs is not None:
        compact = runs.sub(lambda m: m.group().translate(digits), compact)
    offsets = None if len(kept) == len(mapped) else tuple(i for i, _ in kept)
    return Normalized(compact, text, offsets)


def some_keys(n: int) -> list[str]:
    return [chr(c) for c in sorted(T._table())[:: max(1, len(T._table()) // n)]]


# characters the table maps (full-width forms, capitals, traditional hanzi, beyond the BMP too), whitespace of
# every kind, spoken digits, the ASR words' characters, and ordinary text
PIECES = [*some_keys(200), *(chr(c) for c in T._table() if c > 0xFFFF), " ", "\u3000", "\t", "\n", "\u00a0",
          "\u2003", "\u200b", "\x1c", *T._asr()[1], *map(chr, T._asr()[3]), "您好", "请问", "不知到", "幺零二四",
          "a", "Z", "，", "。", "😀", "𠀀"]


@settings(max_examples=2000, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=12))
def test_normalize_is_the_plain_definition(parts: list[str]) -> None:
    text = "".join(parts)
    assert normalize(text) == reference(text)


def test_every_character_the_table_maps_is_mapped() -> None:
    """Each mapped character (BMP or beyond, a common mark or not) alone, beside a common mark and beside
    unmapped text is translated as ``str.translate`` with the table does it."""
    table = T._table()
    for code in table:
        for text in (chr(code), f"您好{chr(code)}，", f"，{chr(code)}。好的", f"好{chr(code)}{chr(code)}"):
            assert T._mapped(text) == text.translate(table), hex(code)
    for text in ["您好，请问。", "好的！？：；", "𠀀你好", "你好😀，", ""]:
        assert T._mapped(text) == text.translate(table)


def test_offsets_skip_every_run_of_whitespace() -> None:
    for text in ["a b", "  a  b  ", "\u3000您好\t请问\n", "a\u00a0\u2003b", "您 好 吗 ？ ", " "]:
        got = normalize(text)
        assert got == reference(text) and got.offsets is not None
        assert "".join(text[i] for i in got.offsets).translate(T._table()) == "".join(text.translate(T._table()).split())


def test_known_texts() -> None:
    for text in ["", " ", "您好，請問有什麼可以幫您？", "ＡＢＣ　ｄｅｆ", "我不知到，号码是幺零二四五", "a\u3000b\tc",
                 "𠀀你好😀", "以后在说吧"]:
        assert normalize(text) == reference(text)
    assert normalize("请 稍后在\u3000打").offsets is not None
    assert normalize("以后在说").text == "以后再说"
    assert normalize("幺零二四").text != "幺零二四"


def test_spoken_characters_are_counted_as_isalnum_counts_them() -> None:
    """Speech rate counts a turn's letters, digits and hanzi with one regex (what ``\\w`` is not, and "_"):
    the same count as ``str.isalnum`` for every code point, and so for every text."""
    import sys

    from hotline.inspect import default_engine
    from hotline.inspect.context import MARKS, NOT_ALNUM, CallContext
    from hotline.model import Call, Speaker, Turn

    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert (NOT_ALNUM.match(ch) is None) == ch.isalnum(), hex(code)
    texts = ["您好，12345热线_工号 007！", "Ⅻ号楼 ½ 平方米…", "", "٣٤ abc\u0301 é", "好的，好的。", "，。？！", "对吗?",
             "“12:30”吧~"]
    ctx = CallContext(Call("c", [Turn(Speaker.AGENT, t) for t in texts]), default_engine(semantic=False).compiled)
    assert [ctx.alnum_count(i) for i in range(len(texts))] == [sum(map(str.isalnum, n.text)) for n in ctx.norm]
    assert all(not mark.isalnum() for mark in MARKS)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("好的12ab,.?!:;_ ~…“”、٣Ⅻ½\u0301")), max_size=20) | st.text(max_size=20))
def test_spoken_count_is_what_isalnum_counts(text: str) -> None:
    from hotline.inspect.context import spoken_count

    assert spoken_count(text) == sum(map(str.isalnum, text))


@settings(max_examples=1500, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from([p for p in PIECES if p != "\n"]) | st.text(max_size=2), max_size=6).map(
    "".join), max_size=8), st.booleans())
def test_normalize_all_is_normalize_of_each(texts: list[str], newline: bool) -> None:
    """A call's texts normalised at once (joined a newline apart) as each alone: mapped characters, whitespace runs,
    ASR words and digit runs in some texts and not others, and a text that holds a newline itself (fails when the
    joined scans' results are taken for a text they do not hold, or the newline guard is dropped)."""
    if newline and texts:
        texts[len(texts) // 2] += "\n幺零二四"
    assert T.normalize_all(texts) == [normalize(t) for t in texts]


def test_normalize_all_known_texts() -> None:
    texts = ["您好，請問", "我不知到", "幺零二四五", "好 的\u3000", "", "ＡＢＣ"]
    assert T.normalize_all(texts) == [normalize(t) for t in texts]
    assert T.normalize_all(texts[:1]) == [normalize(texts[0])] and T.normalize_all([]) == []
    assert [n.text for n in T.normalize_all(["好的", "好的"])] == ["好的", "好的"]
