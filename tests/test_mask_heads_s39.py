"""Where a match of the masking rules may begin, read closer than by its first character (``regexscan.head_rules``,
the C kernel ``_kernels.mask.Heads``, ``Masker.mask_at_heads``):

- the kernel's ``find`` is its definition (a place passes a rule when the characters from there are in the rule's
  sets and the one before is not in its not_before set) on random sets and rules: characters, ranges, \\d \\w \\s,
  lone surrogates, characters past the BMP, more classes than a byte holds, starts before 0 and past the end;
- no match of a pattern begins at a place ``find`` passes over, for the default masking rules, patterns a city might
  write and random patterns of every construct (look-arounds, repeats, lazy and possessive ones, alternations,
  groups with flags of their own, anchors, classes with categories and negations);
- the masker gives with it what its regex alone gives (texts with phone, ID and house numbers, spoken digits,
  工号, newlines, emoji and non-BMP characters, empty and repeated texts), and no kernel where the rules cannot
  be read (a case-insensitive one, one that may match the empty string);
- it survives a pickle and a copy, refuses what is no rule, and leaks nothing.

Skipped only when the kernels are not built and the compiled modules are off (``HOTLINE_NATIVE=0``): a build always
makes it."""

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

from hotline import masking, regexscan
from hotline.redact import Masker
from hotline.regexscan import head_rules, heads

try:
    from hotline._kernels.mask import Heads
except ImportError:  # (not built: skipped below when the compiled modules are off, else the tests say so)
    Heads = None

pytestmark = pytest.mark.skipif(Heads is None and os.environ.get("HOTLINE_NATIVE") == "0",
                                reason="the compiled modules are off")

ALPHABET = ["a", "Z", "x", "0", "1", "3", "7", "9", "_", "-", " ", "\t", "\n", "\u00a0", "\u3000", "\u0663", "\uff11", "一",
            "二", "三", "两", "幺", "零", "十", "百", "号", "楼", "栋", "单", "元", "室", "院", "工", "为", "您", "好",
            "\ud800", "\udfff", "😀", "𠀀", "\U0010ffff", "\U0001d7d8"]


def _random_char(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return rng.choice(ALPHABET)
    return chr(rng.choice([rng.randrange(0, 0x100), rng.randrange(0x100, 0x10000), rng.randrange(0x10000, 0x110000)]))


# ── the kernel against its definition ──────────────────────────────────────────────────────────────────────────
def _class(chars: str, ranges: tuple[tuple[int, int], ...], categories: int) -> re.Pattern[str] | None:
    parts = [re.escape(c) for c in chars] + [f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges]
    parts += [name for bit, name in ((1, r"\d"), (2, r"\w"), (4, r"\s")) if categories & bit]
    return re.compile(f"[{''.join(parts)}]") if parts else None


def _find_by_definition(sets: list[Any], rules: list[tuple[int, tuple[int, ...]]], text: str, start: int) -> int:
    classes = [_class(*s) for s in sets]

    def holds(s: int, ch: str) -> bool:
        return s < 0 or (classes[s] is not None and classes[s].fullmatch(ch) is not None)  # type: ignore[union-attr]

    for i in range(max(start, 0), len(text)):
        for before, reads in rules:
            if i + len(reads) > len(text) or not all(holds(s, text[i + j]) for j, s in enumerate(reads)):
                continue
            if before >= 0 and i > 0 and holds(before, text[i - 1]):
                continue
            return i
    return -1


def _random_set(rng: random.Random) -> tuple[str, tuple[tuple[int, int], ...], int]:
    chars = "".join(_random_char(rng) for _ in range(rng.randrange(0, 5)))
    ranges = []
    for _ in range(rng.randrange(0, 3)):
        a, b = sorted((ord(_random_char(rng)), ord(_random_char(rng))))
        ranges.append((a, b))
    return chars, tuple(ranges), rng.choice([0, 0, 0, 1, 2, 4, 3, 7])


def test_find_is_its_definition() -> None:
    rng = random.Random(39)
    for _ in range(600):
        sets = [_random_set(rng) for _ in range(rng.randrange(1, 6))]
        rules = [(rng.randrange(-1, len(sets)), tuple(rng.randrange(-1, len(sets)) for _ in range(rng.randrange(1, 5))))
                 for _ in range(rng.randrange(1, 7))]
        made = Heads(sets, rules)
        again = pickle.loads(pickle.dumps(made))
        pieces = [*ALPHABET, *(s[0] for s in sets if s[0])]
        for _ in range(8):
            text = "".join(rng.choice(pieces) if rng.random() < 0.85 else _random_char(rng)
                           for _ in range(rng.randrange(0, 14)))
            start = rng.randrange(-3, len(text) + 3)
            want = _find_by_definition(sets, rules, text, start)
            assert made.find(text, start) == want == again.find(text, start), (sets, rules, text, start)
            assert made.find(text) == _find_by_definition(sets, rules, text, 0)


def test_find_with_more_classes_than_a_byte_holds() -> None:
    """64 rules of 5 places, each place a character of its own: 320 classes, past 254 characters are read through
    their sets; each rule's word is still found, and a word with a character of another rule's is not; the last rule
    may not follow any of them (a set read after the classes ran out)."""
    singles = [chr(0x4E00 + 3 * i) for i in range(320)]
    sets = [(c, (), 0) for c in singles] + [("".join(singles), (), 0)]
    rules = [(320 if r == 63 else -1, tuple(5 * r + j for j in range(5))) for r in range(64)]
    made = Heads(sets, rules)
    rng = random.Random(390)
    for r in range(64):
        word = "".join(singles[5 * r:5 * r + 5])
        assert made.find(word) == 0 and made.find(f"好{word}") == 1, r
        assert made.find(f"{singles[rng.randrange(320)]}{word}") == (-1 if r == 63 else 1), r
        for j in range(5):
            other = singles[(5 * r + j + 5 * rng.randrange(1, 64)) % 320]
            assert made.find(word[:j] + other + word[j + 1:]) == -1, (r, j)


def test_find_at_the_edges() -> None:
    sets, rules = [("1", (), 0), ("", (), 1)], [(1, (0, 1, 1))]
    made = Heads(sets, rules)
    assert made.find("") == -1 and made.find("123") == 0 and made.find("123", 1) == -1 and made.find("12") == -1
    assert made.find("a123", -5) == 1 and made.find("5123") == -1 and made.find("x123", 9) == -1
    assert made.find("😀123") == 1 and made.find("\u0663123") == -1  # (ARABIC-INDIC THREE is \d: it kills, before)
    for text in ["1\u0663\uff11", "1\U0001d7d81", "\U0001d7d8123", "11\U0001d7d8", "😀1😀1", "\ud8001\udfff1"]:
        assert made.find(text) == _find_by_definition(sets, rules, text, 0), text
    anywhere = Heads([("", (), 0)], [(-1, (-1,))])
    assert anywhere.find("ab", 1) == 1 and anywhere.find("") == -1 and anywhere.find("😀") == 0


def test_a_kernel_refuses_what_is_no_rule() -> None:
    with pytest.raises(ValueError):
        Heads([("a", (), 0)], [])
    with pytest.raises(ValueError):
        Heads([("a", (), 0)], [(-1, (0,))] * 65)
    with pytest.raises(ValueError):
        Heads([("a", (), 0)], [(-1, ())])
    with pytest.raises(ValueError):
        Heads([("a", (), 0)], [(-1, (1,))])
    with pytest.raises(ValueError):
        Heads([("a", (), 0)], [(3, (0,))])
    with pytest.raises(ValueError):
        Heads([("a", ((5, 1),), 0)], [(-1, (0,))])
    with pytest.raises(ValueError):
        Heads([("a", (), 8)], [(-1, (0,))])
    with pytest.raises(TypeError):
        Heads([("a", (), 0)], [(-1, [0])])
    with pytest.raises(TypeError):
        Heads(["a"], [(-1, (0,))])
    made = Heads([("a", (), 0)], [(-1, (0,))])
    with pytest.raises(TypeError):
        made.find(b"a")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        made.find()  # type: ignore[call-arg]
    with pytest.raises(RuntimeError):
        Heads.__new__(Heads).find("a")


def test_a_kernel_survives_a_copy_and_leaks_nothing() -> None:
    sets, rules = head_rules(masking.build_masker(masking.default_rules()).regex) or ([], [])
    made = Heads(sets, rules)
    texts = ["我住3号楼", "电话13912345678", "好的", "", "😀一二三四五六七八"]
    for other in (copy.copy(made), copy.deepcopy(made), pickle.loads(pickle.dumps(made))):
        assert [other.find(t) for t in texts] == [made.find(t) for t in texts]
    text = "我住在" + "3号楼" * 5
    before = sys.getrefcount(text), sys.getrefcount(made)
    for _ in range(20000):
        made.find(text, 3)
        made.find(text, 900)
    assert (sys.getrefcount(text), sys.getrefcount(made)) == before
    gc.collect()
    held = sys.getrefcount(sets[0]), sys.getrefcount(rules[0])
    for _ in range(300):
        Heads(sets, rules)  # (a kernel made and freed: what it held is let go)
    assert (sys.getrefcount(sets[0]), sys.getrefcount(rules[0])) == held


# ── no match begins where the kernel passes over ───────────────────────────────────────────────────────────────
CITY = [r"(?<![A-Z])[A-Z]{2}\d{3}(?!\d)", r"[Aa][Bb]\d+", r"(?<=工号)\d{2,}", r"^\d+", r"\b[Xx]\d\d\b", r"一(?:二|三)+",
        r"(?P<mask>\d)号(?=楼)", r"0\d*-?\d{3}", r"[幺两]{2}(?P<mask>\d+)", r"([0-9一二三半]+?)个?(工作日|天)内?",
        r"(?:[0-9]+|[一二三]+)号|工号", r"(?<!\d)\d+?(?=号)", r"(?<!\d)1[3-9]\d", r"^您", r"\b号", r"a(?=b)|c(?=d)x",
        r"(?:ab){2,5}c?", r".号", r"[^0-9]号\d", r"\d(?:(?=a)|b)", r"(?>1\d+)号", r"1\d++", r"(?s:.)号", r"(?i:a)1",
        r"(?<!\d)(?=\d{3})\d+", r"(?!1)\d{2}", r"\d{2,}?(?=楼|栋)", r"(?:(?<!x)1|2)3", r"\w+\s\d", r"[\d\s]{2}号",
        r"(?m:^)1\d", r"1(?=\d*号)", r"(?:一|二){20}", r"(?:a|b|c|d|e|f|g|h)(?:a|b|c|d|e|f|g|h)(?:a|b|c|d|e|f|g|h)\d"]


def _pieces(rng: random.Random) -> list[str]:
    return [*ALPHABET, "号楼", "号院", "工号", "工号 ", "为您服务", "138", "1381234", "0101234", "110101199003074518",
            "幺三八一二三四", "13812345678", "010-62345678", "AB", "ab", "X12", "\n", "个工作日", "天内", "3号楼", "12345"]


def _texts(rng: random.Random, n: int, size: int = 14) -> list[str]:
    pieces = _pieces(rng)
    out = ["", *("".join(rng.choice(pieces) for _ in range(rng.randrange(0, size))) for _ in range(n))]
    return out + out[:5]


def _every_match_passes(pattern: re.Pattern[str], texts: list[str]) -> None:
    made = heads(pattern)
    assert made is not None, pattern.pattern
    for text in texts:
        for i in range(len(text) + 1):
            if pattern.match(text, i) is not None:
                assert made.find(text, i) == i, (pattern.pattern, text, i)


def test_no_match_of_the_masking_rules_begins_where_the_kernel_passes_over() -> None:
    regex = masking.build_masker(masking.default_rules()).regex
    _every_match_passes(regex, _texts(random.Random(391), 3000))


@pytest.mark.parametrize("source", CITY)
def test_no_match_of_a_city_pattern_begins_where_the_kernel_passes_over(source: str) -> None:
    pattern = re.compile(source)
    if heads(pattern) is None:
        assert source in (r"(?i:a)1", r"^\d+", r"^您", r"\b号", r"(?m:^)1\d") or head_rules(pattern) is None
        return
    _every_match_passes(pattern, _texts(random.Random(source), 300))


_ATOMS = ["1", "3", "号", "楼", "一", "二", "a", "x", " ", r"\d", r"\w", r"\s", "[0-9]", "[一二三]", "[^1]", ".", "[13号]",
          r"[\d号]", "[a-z]", "😀", "工号"]


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    out = []
    for _ in range(rng.randrange(1, 4)):
        kind = rng.random()
        if kind < 0.4 or depth > 2:
            piece = rng.choice(_ATOMS)
        elif kind < 0.55:
            piece = f"(?:{_random_pattern(rng, depth + 1)}|{_random_pattern(rng, depth + 1)})"
        elif kind < 0.65:
            piece = f"({_random_pattern(rng, depth + 1)})"
        elif kind < 0.73:
            piece = f"(?={_random_pattern(rng, depth + 1)})"
        elif kind < 0.79:
            piece = f"(?!{_random_pattern(rng, depth + 1)})"
        elif kind < 0.85:
            piece = rng.choice([r"(?<!\d)", "(?<!工号)", "(?<=号)", "(?<![一二])", r"\b", "^", "$", r"(?<!\w)"])
        elif kind < 0.9:
            piece = rng.choice(["(?i:a)", "(?s:.)", f"(?>{_random_pattern(rng, depth + 1)})"])
        else:
            piece = f"(?:{_random_pattern(rng, depth + 1)})"
        if rng.random() < 0.35:
            piece = f"(?:{piece})" + rng.choice(["*", "+", "?", "{2}", "{1,3}", "{2,}", "*?", "+?", "{0,2}?", "++", "{3,5}"])
        out.append(piece)
    return "".join(out)


def test_no_match_of_a_random_pattern_begins_where_the_kernel_passes_over() -> None:
    rng = random.Random(3901)
    tried = 0
    while tried < 400:
        branches = [_random_pattern(rng) for _ in range(rng.randrange(1, 4))]
        source = "|".join(f"(?P<p{i}>{b})" for i, b in enumerate(branches))
        try:
            pattern = re.compile(source)
        except re.error:
            continue
        if head_rules(pattern) is None:
            continue
        tried += 1
        _every_match_passes(pattern, _texts(rng, 40, 10))


# ── the masker ───────────────────────────────────────────────────────────────────────────────────────────────────
def _masker_texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    pieces = ["您好", "一下", "两个", "3471号话务员", "工号1024", "1024号为您服务", "13912345678", "139 1234 5678",
              "010-12345678", "110101199001011234", "11010119900101123X", "幺三九一二三四五六七八", "三号楼", "12栋",
              "5单元", "301室", "7号院", "12层", "弄", "巷", "9", "99", "100–300", "语速 305 字/分钟", "\n", " ", "😀",
              "\ud800", "a", "Z", "零", "百", "十", "号", "\u0663\u0663\u0663", "12345", "第 1 句"]
    out = [""]
    for _ in range(n):
        out.append("".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12))))
    return out + out[:20]  # repeated texts


def test_the_masker_masks_at_heads_as_its_regex_alone() -> None:
    fast = masking.build_masker(masking.default_rules())
    assert fast.heads is not None, "the default rules are read"
    plain = Masker(fast.regex, fast.plan, fast.mask_char)
    assert plain.heads is None
    for text in _masker_texts(39, 4000):
        got = fast.mask(text)
        assert got == plain.mask(text), text
        if got == text:
            assert got is text  # nothing masked: the very text


def test_other_rules_mask_at_heads_as_their_regex_alone() -> None:
    base = masking.default_rules()
    texts = [*_masker_texts(392, 400), "这是机密，电话13912345678", "秘密", "x机密", "AB123 与 ab45", "工号55号楼"]
    for extra in [r"[秘机]密", r"(?<![A-Z])[A-Z]{2}\d{3}", r"(?P<mask>\d+)号(?=楼)", r"(?:[0-9]+|[一二三]+)号|工号",
                  r"1(?=\d*号)", r"(?<!\d)\d+?(?=号)"]:
        rules = masking.MaskingRules(mask_char=base.mask_char, patterns=[
            masking.MaskPattern(name="extra", regex=extra, keep_tail=1), *base.patterns])
        made = masking.build_masker(rules)
        assert made.heads is not None, extra
        plain = Masker(made.regex, made.plan, made.mask_char)
        for text in texts:
            assert made.mask(text) == plain.mask(text), (extra, text)


def test_no_kernel_where_the_rules_cannot_be_read() -> None:
    base = masking.default_rules()
    for extra in [r"(?i:ab)\d+", r"(?:x|)机密", r".?机密"]:
        rules = masking.MaskingRules(mask_char=base.mask_char, patterns=[
            *base.patterns, masking.MaskPattern(name="extra", regex=extra)])
        made = masking.build_masker(rules)
        assert made.heads is None, extra
        assert made.mask("AB12机密 ab3") == Masker(made.regex, made.plan, made.mask_char).mask("AB12机密 ab3")
    for source, flags in [(r"a?", 0), (r"(?=a)", 0), (r"a", re.IGNORECASE), (r"\d", re.ASCII), (r"(?a)\d", 0),
                          (r"(?i)a", 0), (r"", 0), (r"(?i:a)b|c", 0)]:
        assert head_rules(re.compile(source, flags)) is None, source
    assert head_rules(re.compile(rb"a")) is None  # type: ignore[arg-type]


def test_a_branch_of_many_alternatives_is_read_less_deep() -> None:
    words = [f"{a}{b}{c}" for a in "一二三四五六七" for b in "号楼栋单" for c in "甲乙丙"]
    pattern = re.compile(f"(?P<p0>(?:{'|'.join(words)})\\d)|(?P<p1>(?<!\\d)1[3-9]\\d{{9}})")
    made = head_rules(pattern)
    assert made is not None
    sets, rules = made
    assert 1 < len(rules) <= regexscan.HEAD_RULES
    assert max(len(reads) for _, reads in rules) == regexscan.HEAD_CHARS  # (the phone branch still read deep)
    _every_match_passes(pattern, _texts(random.Random(393), 200) + [f"{w}5" for w in words])


# ── the rules kept in the start-up cache ─────────────────────────────────────────────────────────────────────────
@pytest.fixture
def fresh_cache(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A cache folder of its own and a process view of it not read yet (written by the test, not at its exit)."""
    from hotline import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setattr(regexscan, "_KEPT_HEADS", regexscan._KeptHeads())
    monkeypatch.setattr(regexscan.atexit, "register", lambda *a: None)
    cache.package_fingerprint.cache_clear()
    yield tmp_path / "xdg"
    cache.package_fingerprint.cache_clear()


def test_the_rules_are_read_back_by_the_next_start(fresh_cache: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    patterns = [masking.build_masker(masking.default_rules()).regex, *(re.compile(c) for c in CITY)]
    want = [head_rules(p) for p in patterns]
    assert [regexscan.kept_head_rules(p) for p in patterns] == want
    regexscan._keep_heads(regexscan._KEPT_HEADS)  # (what the exit writes)
    monkeypatch.setattr(regexscan, "_KEPT_HEADS", regexscan._KeptHeads())  # the next start

    def unread(pattern: re.Pattern[str]) -> Any:
        raise AssertionError(f"read again: {pattern.pattern}")

    monkeypatch.setattr(regexscan, "head_rules", unread)
    assert [regexscan.kept_head_rules(p) for p in patterns] == want
    text = "我住3号楼，电话13912345678"
    assert heads(patterns[0]).find(text) == Heads(*want[0]).find(text) == 2  # type: ignore[misc]


def test_the_rules_of_another_pattern_are_read_and_the_cache_off_reads_each_time(
        fresh_cache: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    regexscan.kept_head_rules(re.compile(r"1\d"))
    regexscan._keep_heads(regexscan._KEPT_HEADS)
    monkeypatch.setattr(regexscan, "_KEPT_HEADS", regexscan._KeptHeads())
    assert regexscan.kept_head_rules(re.compile(r"2\d")) == head_rules(re.compile(r"2\d"))
    assert regexscan.kept_head_rules(re.compile(r"1\d", re.IGNORECASE)) is None  # (another key: its flags)
    monkeypatch.setenv("HOTLINE_CACHE", "0")
    monkeypatch.setattr(regexscan, "_KEPT_HEADS", regexscan._KeptHeads())
    read: list[str] = []
    real = regexscan.head_rules
    monkeypatch.setattr(regexscan, "head_rules", lambda p: read.append(p.pattern) or real(p))
    for _ in range(2):
        regexscan.kept_head_rules(re.compile(r"1\d"))
    assert read == [r"1\d", r"1\d"]
