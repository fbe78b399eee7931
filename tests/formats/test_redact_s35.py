"""``Masker.mask_texts`` searches a call's texts joined by newlines once to skip the texts with nothing to mask, when
no item of the masking patterns can match a newline (``masking.blind_to_newlines``, checked when the masker is
built). It must give what masking each text alone gives, at every edge between texts: a number cut by the edge, a
look-behind or look-ahead that would reach into the next text, an empty text, a text holding a newline itself."""

from __future__ import annotations

import random

import pytest

from hotline.masking import blind_to_newlines, build_masker, default_rules
from hotline.redact import Masker

# pieces that put a maskable number (or one that must stay, as a 工号) at a text's start or end
PIECES = ["13812345678", "1381234", "5678", "0755-12345678", "110101199003071234", "工号", "工号 ", "1024", "号为您服务",
          "3栋", "8号楼", "12", "单元", "五零一二三四五六七", "幺三八", "九九九九", "号", "您好", " ", "-", "\n", "X", "a", ""]


def _texts(rng: random.Random) -> list[str]:
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(0, 8))]


def test_the_default_rules_may_be_searched_joined() -> None:
    assert build_masker(default_rules()).joinable


@pytest.mark.parametrize("seed", range(4))
def test_joined_search_masks_as_each_text_alone(seed: int) -> None:
    masker = build_masker(default_rules())
    rng = random.Random(seed)
    for _ in range(1500):
        texts = _texts(rng)
        got = masker.mask_texts(texts)
        assert got == [masker.mask(t) for t in texts], texts
        assert all(g is t for g, t in zip(got, texts, strict=True) if g == t)  # unmasked: the very text


def test_a_pattern_that_sees_newlines_is_searched_text_by_text() -> None:
    # a digit run after nothing but "a" (or at a text's start): a newline before a text is not "a", the start is
    regex = r"(?<![^a])\d{3}"
    assert not blind_to_newlines(f"(?P<p0>{regex})")
    rules = default_rules().model_copy(update={"patterns": [default_rules().patterns[0].model_copy(
        update={"regex": regex, "keep_head": 0, "keep_tail": 0})]})
    masker = build_masker(rules)
    assert not masker.joinable
    texts = ["好的", "123号"]
    assert masker.mask_texts(texts) == ["好的", "***号"] == [masker.mask(t) for t in texts]
    # joined anyway, the newline before "123" hides it: the check is what keeps the two alike
    forced = Masker(masker.regex, masker.plan, masker.mask_char, joinable=True)
    assert forced.mask_texts(texts) != [masker.mask(t) for t in texts]


@pytest.mark.parametrize(("regex", "blind"), [
    (r"(?<![0-9])1\d{10}(?!\d)", True), (r"[零一二]{7,}", True), (r"\S+", True), (r"(?>\d+)x", True),
    (r"[\w-]+", True), (r"(?:a|b\d)+?", True),
    (r"[^a]", False), (r".", False), (r"\s", False), (r"\D", False), (r"^1", False), (r"1$", False), (r"a\b", False),
    (r"\n", False), (r"[\x00-\x20]", False), (r"(?i)abc", False), (r"(?i:a)b", False), (r"(?P<x>a)(?P=x)", False),
    (r"(?<![^a])\d", False), (r"(?=\s)", False),
])
def test_blind_to_newlines(regex: str, blind: bool) -> None:
    assert blind_to_newlines(regex) is blind
