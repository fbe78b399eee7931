"""Session 36 (second round on the call context): one character of a text looked up in a bit map of a set of
characters (``holds_char``) against ``text[i] in chars``, and the negation guards that read it."""

from __future__ import annotations

from hotline.inspect import default_engine
from hotline.inspect.context import _CHAR_MAPS, _CHAR_MAPS_MAX, CallContext, char_map, holds_char
from hotline.model import Call, Speaker, Turn

TEXTS = ["", "不", "没有不是别", "您好，这里是12345热线。\n不要着急", "我不知道😀没😁有", "abc,.?!\u00ff\u0100\uffff",
         "\U0001f600\U0001f601不\U00020000", "别别别别", "1不2没3别4", "\ud800不",
         "与丐丑丒-+/*\u00fe\ufffe"]  # (neighbours of characters of CHARS, in the same byte of the map)
CHARS = ["", "不", "不没别", "没有別", ",.", "\U0001f600", "\U00020000不", "\uffff\u00ff", "abcxyz", "\ud800",
         "丁七", "\u4e00\u4e01\u4e02\u4e03\u4e04\u4e05\u4e06\u4e07"]


def test_holds_char_is_in() -> None:
    """Every position of varied texts (hanzi, digits, newlines, Latin-1 edge, the BMP's last code point, non-BMP
    emoji and ideographs, a lone surrogate) against varied sets (empty, neighbours in one byte of the map, non-BMP)."""
    for chars in CHARS:
        bits = char_map(chars)
        assert char_map(chars) is bits  # made once
        for text in TEXTS:
            for i in range(len(text)):
                assert holds_char(text, i, chars, bits) == (text[i] in chars), (chars, text, i)


def test_the_maps_are_bounded() -> None:
    for n in range(_CHAR_MAPS_MAX * 2):
        char_map(chr(0x4E00 + n))
        assert len(_CHAR_MAPS) <= _CHAR_MAPS_MAX
    assert holds_char("丁", 0, "丁", char_map("丁"))


def _plain_negated(ctx: CallContext, text: str, start: int) -> bool:
    prefixes = ctx.compiled.negation_prefixes
    return bool(prefixes) and text[max(0, start - 4):start].endswith(prefixes)


def _plain_clause_negated(ctx: CallContext, clause: str) -> bool:
    negations = ctx.compiled.clause_negations
    return bool(negations) and clause.startswith(negations)


def test_the_negation_guards_read_the_maps_as_the_plain_definition() -> None:
    engine = default_engine()
    compiled = engine.compiled
    words = sorted(set(compiled.negation_prefixes) | set(compiled.clause_negations))
    texts = TEXTS + ["这个" + w + "处理，" + w + "吧" for w in words] + ["".join(words), "😀".join(words)]
    turns = [Turn(speaker=Speaker.AGENT if i % 2 == 0 else Speaker.CITIZEN, text=t) for i, t in enumerate(texts)]
    ctx = CallContext(Call(id="c", turns=turns), compiled)
    assert compiled.negation_ends and compiled.clause_starts
    for t in range(len(texts)):
        text = ctx.norm[t].text
        for start in range(len(text) + 1):
            assert ctx._negated(text, start) == _plain_negated(ctx, text, start), (text, start)
            for end in range(start, min(len(text), start + 6) + 1):
                clause = text[start:end]
                assert ctx._clause_negated(text, start, clause) == _plain_clause_negated(ctx, clause), (text, start)
