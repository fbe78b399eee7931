"""The C character sets (``hotline._kernels.chars``, ``regexscan.char_set``) and the scans made with them: ``find`` is
a regex class's search (the same members: characters, ranges, \\d \\w \\s as sre reads them, lone surrogates and
characters past the BMP, a start before 0 or past the end), ``Literals.find`` the search of an alternation of words
and of a run of some characters (``text._asr_literals``: the ASR scan); ``regexscan.starts`` of a pattern lets its search begin where its first match may (the same match as the search
from the start, on patterns opening with look-behinds, alternations, repeats, categories); the masker (``Masker.mask``)
and the normaliser (``normalize_all``, ``normalize``) give what their plain definitions give with them (texts with
digits, Chinese numerals, ASR words, mapped characters, whitespace, newlines, emoji, empty and repeated texts). It
survives a pickle and leaks nothing. Skipped only when the kernels are not built and the compiled modules are off
(``HOTLINE_NATIVE=0``): a build always makes it."""

from __future__ import annotations

import copy
import gc
import os
import pickle
import random
import re
import sys
from typing import Any

import pytest

from hotline import masking
from hotline import text as T
from hotline.redact import Masker
from hotline.regexscan import char_set, starts

try:
    from hotline._kernels.chars import Literals
except ImportError:  # (not built: skipped below when the compiled modules are off, else the tests say so)
    Literals = None

pytestmark = pytest.mark.skipif(char_set("a") is None and os.environ.get("HOTLINE_NATIVE") == "0",
                                reason="the compiled modules are off")

# characters of every kind: ASCII, digits of other scripts, CJK, numerals, whitespace, controls, lone surrogates,
# characters past the BMP
ALPHABET = ["a", "Z", "0", "7", "_", "-", " ", "\t", "\n", "\x00", "\x1f", "\u00a0", "\u3000", "\u0663", "\uff11", "一",
            "二", "两", "幺", "零", "号", "楼", "您", "好", "請", "\ud800", "\udfff", "😀", "𠀀", "\U0010ffff", "\U0001d7d8"]


def _random_char(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return rng.choice(ALPHABET)
    return chr(rng.choice([rng.randrange(0, 0x100), rng.randrange(0x100, 0x10000), rng.randrange(0x10000, 0x110000)]))


def _text(rng: random.Random, size: int = 30) -> str:
    return "".join(_random_char(rng) for _ in range(rng.randrange(0, size)))


def _at(match: re.Match[str] | None) -> int:
    return -1 if match is None else match.start()


def test_find_is_the_search_of_a_class_of_the_same_members() -> None:
    rng = random.Random(38)
    for _ in range(1500):
        chars = "".join(_random_char(rng) for _ in range(rng.randrange(0, 6)))
        ranges = []
        for _ in range(rng.randrange(0, 3)):
            a, b = sorted((ord(_random_char(rng)), ord(_random_char(rng))))
            ranges.append((a, b))
        categories = rng.randrange(0, 8)
        made = char_set(chars, tuple(ranges), categories)
        parts = [re.escape(c) for c in chars] + [f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges]
        parts += [name for bit, name in ((1, r"\d"), (2, r"\w"), (4, r"\s")) if categories & bit]
        regex = re.compile(f"[{''.join(parts)}]") if parts else None
        again = pickle.loads(pickle.dumps(made))
        for _ in range(6):
            text = _text(rng)
            start = rng.randrange(-3, 35)
            want = -1 if regex is None else _at(regex.search(text, start))
            assert made.find(text, start) == want == again.find(text, start), (chars, ranges, categories, text, start)
            assert made.find(text) == (-1 if regex is None else _at(regex.search(text)))
            ch = _random_char(rng)
            assert made.holds(ch) == (regex is not None and regex.fullmatch(ch) is not None)


def test_literals_find_where_the_alternation_of_words_and_runs_matches() -> None:
    rng = random.Random(380)
    for _ in range(1500):
        words = tuple(dict.fromkeys("".join(_random_char(rng) for _ in range(rng.randrange(1, 4)))
                                    for _ in range(rng.randrange(0, 6))))
        runs = "".join(_random_char(rng) for _ in range(rng.randrange(0, 4)))
        min_run = rng.randrange(1, 4)
        made = Literals(words, runs, min_run)
        parts = [re.escape(w) for w in words] + ([f"[{re.escape(runs)}]{{{min_run},}}"] if runs else [])
        regex = re.compile("|".join(parts)) if parts else None
        pieces = [*words, *runs, *ALPHABET[:8], "\n", "😀", "\ud800"]
        for _ in range(4):
            text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 16)))
            start = rng.randrange(-2, 20)
            want = -1 if regex is None else _at(regex.search(text, start))
            assert made.find(text, start) == want, (words, runs, min_run, text, start)
        again = pickle.loads(pickle.dumps(made))
        assert again.find("".join(words)) == made.find("".join(words))


def test_a_set_refuses_what_is_no_set() -> None:
    made = char_set("a")
    with pytest.raises(ValueError):
        char_set("a", ((3, 1),))
    with pytest.raises(ValueError):
        char_set("a", ((0, 0x110000),))
    with pytest.raises(TypeError):
        char_set("a", ((1,),))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        char_set("a", (), 8)
    with pytest.raises(TypeError):
        made.find(b"a")
    with pytest.raises(ValueError):
        Literals(("a", ""), "", 2)
    with pytest.raises(ValueError):
        Literals(("a",), "", 0)
    with pytest.raises(TypeError):
        Literals(("a",), "", 2).find(b"a")
    with pytest.raises(RuntimeError):
        type(made).__new__(type(made)).find("a")
    assert made.find("") == -1 and made.find("ba", 5) == -1 and made.find("ba", -9) == 1


# patterns whose first characters ``first_chars`` knows: look-behinds, alternations, repeats, categories, groups
PATTERNS = [r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}", r"(?<!\d)1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)",
            r"[零〇一二三四五六七八九幺两]{3,}", r"(?<!工号)(?P<mask>[0-9]+|[一二三]+)(?=号|楼)", r"\d+", r"\w\s", r"\s+x",
            r"(?:ab|😀c|\ud800)", r"[\U00010000-\U0010ffff]+", r"\b好", r"(?=您)您好|一二", r"a{2,}|(?:b)+"]


def test_the_search_begins_where_a_match_may() -> None:
    rng = random.Random(3800)
    for source in PATTERNS:
        pattern = re.compile(source)
        first = starts(pattern)
        assert first is not None, source
        pieces = [*ALPHABET, "12345678901", "13912345678", "110101199001011234", "一二三四", "3号楼", "工号12号", "ab",
                  "😀c", "您好"]
        for _ in range(400):
            text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 10)))
            pos = rng.randrange(-1, len(text) + 2)
            at = first.find(text, pos)
            got = None if at < 0 else pattern.search(text, at)
            want = pattern.search(text, pos)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), (source, text, pos)


def test_no_set_where_a_match_may_begin_anywhere() -> None:
    for source, flags in [(r"a?", 0), (r"(?:a|)", 0), (r"(?=a)", 0), (r"a", re.IGNORECASE), (r"\d", re.ASCII),
                          (r"(?a)\d", 0), (r"(?i:a)b", 0), (r"[^a]", 0), (r".", 0), (r"", 0)]:
        assert starts(re.compile(source, flags)) is None, source
    assert starts(re.compile(rb"a")) is None  # type: ignore[arg-type]


def _masker_texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    pieces = ["您好", "一下", "两个", "3471号话务员", "工号1024", "1024号为您服务", "13912345678", "139 1234 5678",
              "010-12345678", "110101199001011234", "11010119900101123X", "幺三九一二三四五六七八", "三号楼", "12栋",
              "5单元", "301室", "7号院", "12层", "弄", "巷", "9", "99", "\n", " ", "😀", "\ud800", "a", "Z", "零", "百",
              "十", "号", "\u0663\u0663\u0663"]
    out = [""]
    for _ in range(n):
        out.append("".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12))))
    return out + out[:20]  # repeated texts


def test_the_masker_masks_as_its_regex_alone() -> None:
    fast = masking.build_masker(masking.default_rules())
    assert fast.starts is not None, "the default rules' first characters are known"
    plain = Masker(fast.regex, fast.plan, fast.mask_char)
    for text in _masker_texts(38, 3000):
        assert fast.mask(text) == plain.mask(text), text


def test_a_rule_of_any_first_character_is_masked_with_no_set() -> None:
    base = masking.default_rules()
    texts = [*_masker_texts(380, 300), "这是机密，电话13912345678", "秘密", "x机密"]
    for extra, known in [(r"[秘机]密", True), (r".?机密", False), (r"(?:x|)机密", False)]:
        rules = masking.MaskingRules(mask_char=base.mask_char, patterns=[
            *base.patterns, masking.MaskPattern(name="extra", regex=extra)])
        made = masking.build_masker(rules)
        assert (made.starts is not None) == known, extra
        plain = Masker(made.regex, made.plan, made.mask_char)
        for text in texts:
            assert made.mask(text) == plain.mask(text), (extra, text)
    assert made.mask("电话13912345678") == "电话139****5678"


def _normalized_plain(text: str) -> str:
    """The definition: every character mapped (``str.translate``), whitespace gone, the ASR words then the runs of
    spoken digits put right (``text._asr``'s regexes, as written)."""
    words, table, runs, digits = T._asr()
    fixed = "".join(text.translate(T._table()).split())
    if words is not None:
        fixed = words.sub(lambda m: table[m.group()], fixed)
    if runs is not None:
        fixed = runs.sub(lambda m: m.group().translate(digits), fixed)
    return fixed


NORMAL_PIECES = ["好", "的", "您", "请问", "1", "12345", ",", "。", "，", "？", " ", "\t", "\u3000", "\u00a0", "不知到", "不知",
                 "幺零二四", "幺", "零二", "以后在说", "以後在說", "請", "ＡＢＣ", "Ａ", "A", "Z", "😀", "𠀀", "\U0010ffff",
                 "晓得", "\n", "一", "两", "不", "知", "到", "\ud800", "", "0"]


def test_the_normaliser_scans_with_the_sets_as_with_its_regexes() -> None:
    assert T._rest_set() is not None and T._asr_literals() is not None
    _, mapped = T._mapping()
    _, _, either = T._asr_scan()
    assert either is not None
    rng = random.Random(3801)
    for _ in range(1500):
        texts = ["".join(rng.choice(NORMAL_PIECES) for _ in range(rng.randrange(0, 7))) for _ in range(rng.randrange(0, 6))]
        texts += texts[:rng.randrange(0, 2)]
        got = T.normalize_all(texts)
        assert got == [T.normalize(t) for t in texts], texts
        assert [n.text for n in got] == [_normalized_plain(t) for t in texts], texts
        for t in texts:
            assert T._rest_set().find(t) == _at(mapped.search(t)), t
            assert T._asr_at(t, either) == _at(either.search(t)), t


def test_it_survives_a_pickle_and_a_copy() -> None:
    made = char_set("一二", ((0x30, 0x39), (0x10000, 0x10FFFF)), 4)
    for again in (pickle.loads(pickle.dumps(made)), copy.copy(made), copy.deepcopy(made)):
        assert type(again) is type(made)
        for text in ["", "abc", "ab1", "x二", "😀", " ", "\u3000"]:
            assert again.find(text) == made.find(text)


def test_it_keeps_no_reference_and_frees_what_it_made() -> None:
    text = "您好，我的电话是13912345678。😀" * 3
    words, runs = ("您好", "电话", "😀x"), "一二三"
    refs = sys.getrefcount(text), sys.getrefcount(words), sys.getrefcount(runs)
    gc.collect()
    before = _rss()
    for _ in range(20000):
        made: Any = char_set("您一", ((0x30, 0x39), (0x1F600, 0x1F64F)))
        made.find(text, 2)
        pickle.loads(pickle.dumps(made))
        literals = Literals(words, runs, 2)
        literals.find(text, 1)
        pickle.loads(pickle.dumps(literals))
    del made, literals
    gc.collect()
    assert (sys.getrefcount(text), sys.getrefcount(words), sys.getrefcount(runs)) == refs
    assert _rss() - before < 8 << 20  # (20,000 sets of 8 KB each, freed: far less than they would hold)


def _rss() -> int:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
