"""Text normalisation before matching: full-width → half-width, traditional → simplified, ASCII
lower-case, whitespace removed, then what speech-to-text gets wrong (homophones such as 不知到,
dialect words such as 晓得, spoken digits such as 幺零二四) put right from ``data/text/asr.yaml``.
Every replacement has the length of what it replaces, and the mapping keeps offsets, so a match in
the normalised text points back into the original text a user sees."""

from __future__ import annotations

import array
import functools
import os
import re
from typing import Any, Final

from hotline.asr_fixes import AsrFixes
from hotline.content import data_path, load_yaml_model
from hotline.regexcache import compile_pattern
from hotline.regexscan import char_set

# a lone UTF-16 surrogate ("\ud800" in JSON): text no file, page or spreadsheet can hold (the readers refuse it) and
# the phrase automaton cannot read (it reads UTF-8: ``compiled.around_surrogates``)
SURROGATE: Final = compile_pattern(r"[\ud800-\udfff]")


@functools.cache
def _asr_fixes() -> AsrFixes:
    return load_yaml_model(data_path("text", "asr.yaml"), AsrFixes)


@functools.cache
def _asr() -> tuple[re.Pattern[str] | None, dict[str, str], re.Pattern[str] | None, dict[int, str]]:
    """What ``_fix_asr`` puts right, by definition: a regex of the ASR words (longest first) and what each becomes,
    a regex of a run of spoken digits and what each digit becomes (``_asr_scan``: the regexes the scan uses)."""
    fixes = _asr_fixes()
    table, digits = _asr_tables()
    words = compile_pattern("|".join(map(re.escape, sorted(table, key=len, reverse=True)))) if table else None
    runs = None
    if digits:
        chars = re.escape("".join(fixes.spoken_digits))
        runs = compile_pattern(f"[{chars}]{{{fixes.spoken_digit_min_run},}}")
    return words, table, runs, digits


@functools.cache
def _asr_tables() -> tuple[dict[str, str], dict[int, str]]:
    """``_asr``'s tables alone (what each ASR word and each spoken digit becomes): a start compiles only the
    regexes ``_asr_scan`` scans with, not ``_asr``'s definitions."""
    fixes = _asr_fixes()
    return {_plain(k): _plain(v) for k, v in fixes.replacements.items()}, {
        ord(k): v for k, v in fixes.spoken_digits.items()}


def by_first_character(words: list[str], digit_guard: bool = False) -> str:
    """A regex of the alternation of ``words`` (literal, in this order: the first that matches at a position wins)
    that finds the same matches, with the words grouped by their first character and each group in the order
    given: the pattern then opens with one literal per group, so sre skips the positions whose character starts
    no word in a fast scan of its own (an alternation whose branches do not all open with a literal, or a
    lookahead before it, runs the whole matcher at every position), and at the others tries one group, not every
    word. With ``digit_guard`` a word that starts with a digit matches only where no ASCII digit is next to it
    (``(?<![0-9])word(?![0-9])``; the lookbehind is read once the first character is consumed)."""
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[0], []).append(w)
    parts = []
    for first, group in groups.items():
        head = re.escape(first)
        tail = ""
        if digit_guard and first.isdigit():
            head += f"(?<![0-9]{head})"
            tail = "(?![0-9])"
        parts.append(f"{head}(?:{'|'.join(re.escape(w[1:]) + tail for w in group)})")
    return "|".join(parts)


@functools.cache
def _asr_scan() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None]:
    """``_asr``'s two regexes in forms sre scans faster, with the same matches, and one regex that finds a match of
    either (most turns hold none: one scan then says there is nothing to put right). The words by their first
    character (``by_first_character``); a run of spoken digits as one digit, then the rest of the run (a pattern
    opening with a repeat is tried at every position, one opening with a literal or a set is not); the two
    together as one alternation whose every branch opens with a literal (a run: one branch per digit), behind
    ``_asr_opening``'s lookahead (told to sre as the characters a match begins with: ``regexscan.scannable``)."""
    table, _ = _asr_tables()
    fixes = _asr_fixes()
    ordered = sorted(table, key=len, reverse=True)
    words = compile_pattern(by_first_character(ordered)) if table else None
    runs = None
    if fixes.spoken_digits:
        chars = f"[{re.escape(''.join(fixes.spoken_digits))}]"
        runs = compile_pattern(chars + _digits_rest(chars, fixes.spoken_digit_min_run))
    either = _asr_either()
    return words, runs, None if either is None else compile_pattern(either, scan=True)


def _digits_rest(chars: str, min_run: int) -> str:
    """The rest of a run of spoken digits once its first (``chars``: their class) is read: a run is two or more
    (``AsrFixes``)."""
    return f"{chars}{{{min_run - 1},}}"


def _asr_either() -> str | None:
    """The source of ``_asr_scan``'s ``either`` (None when there is nothing to put right)."""
    table, _ = _asr_tables()
    fixes = _asr_fixes()
    either = [by_first_character(sorted(table, key=len, reverse=True))] if table else []
    if fixes.spoken_digits:
        rest = _digits_rest(f"[{re.escape(''.join(fixes.spoken_digits))}]", fixes.spoken_digit_min_run)
        either.extend(re.escape(d) + rest for d in fixes.spoken_digits)
    if not either:
        return None
    return f"{_asr_opening(table, fixes.spoken_digits)}(?:{'|'.join(either)})"


def _asr_opening(words: dict[str, str], digits: dict[str, str]) -> str:
    """A lookahead every match of ``_asr_scan``'s ``either`` passes where it begins, so the same matches: one of its
    first characters, then one of its second characters (a word of two or more characters, or a run of spoken
    digits, two or more: ``AsrFixes``), or a word of one character. The first characters are common ones (您, 一, 不,
    在, 以…): without it sre tries the alternation of some forty literals at each of them (~550 instructions), with
    it one lookahead of two sets, which nearly always fails there (~250; ~11K instructions a call of 365 characters).
    The sets are of every word's first and of every word's second character, not of the pairs: a lookahead of the
    pairs would be the alternation again."""
    first = {w[0] for w in words if len(w) > 1} | set(digits)
    second = {w[1] for w in words if len(w) > 1} | set(digits)
    alone = {w for w in words if len(w) == 1}
    parts = [f"[{re.escape(''.join(sorted(first)))}][{re.escape(''.join(sorted(second)))}]"] if first else []
    if alone:
        parts.append(f"[{re.escape(''.join(sorted(alone)))}]")
    return f"(?={'|'.join(parts)})"


@functools.cache
def _asr_literals() -> Any:
    """``_asr_scan``'s ``either`` as the C ``Literals`` (``_kernels.chars``) of the ASR words and the spoken digits,
    or None when the kernel is not built (or there is nothing to put right). ``either`` is the alternation of the
    words, literal, and of a run of ``spoken_digit_min_run`` or more spoken digits (behind a lookahead each of them
    passes, and grouped by first character: the same matches), so it matches at a place exactly when a word is there
    or such a run begins there; ``Literals.find`` tells the first such place at a few instructions a character (sre's
    scan costs ~60, its lookahead ~250 at each common character that may begin a word: 您, 一, 不, 以…)."""
    if _asr_either() is None:
        return None
    try:
        from hotline._kernels.chars import Literals
    except ImportError:
        return None
    table, _ = _asr_tables()
    fixes = _asr_fixes()
    return Literals(tuple(table), "".join(fixes.spoken_digits), fixes.spoken_digit_min_run)


def _asr_at(text: str, either: re.Pattern[str]) -> int:
    """Where the first match of ``_asr_scan``'s ``either`` in ``text`` begins (-1: none): ``_asr_literals`` when
    built."""
    literals = _asr_literals()
    if literals is not None:
        found: int = literals.find(text)
        return found
    match = either.search(text)
    return -1 if match is None else match.start()


def _plain(text: str) -> str:
    return text.translate(_table())


def _fix_asr(text: str) -> str:
    """The ASR words, then the runs of spoken digits, put right. One scan for a match of either first (``_asr_scan``:
    every regex looks only at the characters that may start a match); a text it finds nothing in is handed back."""
    words, runs, either = _asr_scan()
    if either is None or _asr_at(text, either) < 0:
        return text
    table, digits = _asr_tables()
    if words is not None:
        text = words.sub(lambda m: table[m.group()], text)
    if runs is not None:
        text = runs.sub(lambda m: m.group().translate(digits), text)
    return text


@functools.cache
def _lookup() -> array.array[int] | dict[int, str]:
    """``_table`` as an array indexed by code point (what ``str.translate`` reads fastest: a dict raises and clears
    a KeyError for every character it does not map, most of a Chinese text); a character past its end is not mapped."""
    table = _table()
    if not table or any(len(v) != 1 for v in table.values()):
        return table
    codes = array.array("I", range(max(table) + 1))
    for code, value in table.items():
        codes[code] = ord(value)
    return codes


@functools.cache
def _table() -> dict[int, str]:
    """What normalising maps each character to (``_built_table``), read back from the start-up cache (``hotline.cache``:
    the traditional → simplified pairs come from zhconv's data file, outside the package, so its size and time name
    the slot): reading zhconv's table and picking its single-character pairs cost a start ~40M instructions."""
    from hotline.cache import cached

    source = _zh_source()
    try:
        st = os.stat(source) if source is not None else None
    except OSError:
        st = None
    stamp = f"{source}|{st.st_size}|{st.st_mtime_ns}" if st is not None else "zhconv"
    return cached(f"text:table|{stamp}", (), _built_table, dict)


def _built_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII variants
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "
    table[0x3002] = "."  # 。 → . so clause boundaries are one set of ASCII marks
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    for code in range(0xFF21, 0xFF3B):  # full-width capitals → lower-case ASCII
        table[code] = chr(code - 0xFEE0 + 32)
    table.update(_traditional_to_simplified())
    return table


def _traditional_to_simplified() -> dict[int, str]:
    """Single-character traditional → simplified pairs (1:1, so offsets stay valid)."""
    pairs = _zh_hans()
    return {ord(k): v for k, v in pairs.items() if len(k) == 1 and len(v) == 1 and k != v}


def _zh_source() -> str | None:
    """zhconv's data file (found without running the package), or None when there is none to read."""
    import importlib.util

    spec = importlib.util.find_spec("zhconv")  # finds the package without running it
    folder = next(iter(spec.submodule_search_locations or []), None) if spec else None
    return os.path.join(folder, "zhcdict.json") if folder else None


def _zh_hans() -> dict[str, str]:
    """zhconv's zh-hans table (what ``zhconv.getdict("zh-hans")`` gives), read from its data file:
    importing zhconv imports pkg_resources, most of a second at every start of ``hotline``."""
    from pathlib import Path

    source = _zh_source()
    try:
        import orjson

        table = orjson.loads(Path(source).read_bytes())["zh2Hans"] if source else None
    except (OSError, ValueError, KeyError, TypeError):
        table = None
    if isinstance(table, dict) and table:
        return table
    from zhconv import zhconv

    return zhconv.getdict("zh-hans")


class Normalized:
    """Normalised text; ``offsets[i]`` is the index in the original text of normalised char ``i``
    (None when nothing was removed, i.e. the mapping is the identity). Read-only by convention, equal and hashed
    by its three fields. A plain class, not a dataclass: compiled, a dataclass's ``__init__`` is still the Python
    function ``dataclasses`` writes (a frozen one setting each field through ``object.__setattr__``), and one is
    made for every turn."""

    __slots__ = ("text", "original", "offsets")

    def __init__(self, text: str, original: str, offsets: tuple[int, ...] | None = None) -> None:
        self.text: Final = text
        self.original: Final = original
        self.offsets: Final = offsets

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Normalized):
            return NotImplemented
        return self.text == other.text and self.original == other.original and self.offsets == other.offsets

    def __hash__(self) -> int:
        return hash((self.text, self.original, self.offsets))

    def __repr__(self) -> str:
        return f"Normalized(text={self.text!r}, original={self.original!r}, offsets={self.offsets!r})"

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) span back to the original text."""
        if self.offsets is None:
            return start, end
        if start >= len(self.offsets):
            return len(self.original), len(self.original)
        last = self.offsets[max(start, end - 1)] if end > start else self.offsets[start]
        return self.offsets[start], last + (1 if end > start else 0)


@functools.cache
def _mapping() -> tuple[tuple[tuple[str, str], ...], re.Pattern[str]]:
    """``_table`` in steps that give what ``str.translate`` gives: the full-width marks of nearly every turn,
    each replaced by ``str.replace`` where it occurs, and a regex finding any other BMP character the table maps
    (most turns hold none, and then translating would change nothing more). A class of BMP characters is a
    bitmap looked up in one step (one holding a character past the BMP is a list read at every position), so
    a text with a character past the BMP is translated whole (the class holds them all as one range, read after the
    bitmap: one scan, not a second one for them)."""
    table = _table()
    common = tuple((ch, table[ord(ch)]) for ch in "，。？！：；" if ord(ch) in table and len(table[ord(ch)]) == 1
                   and ord(table[ord(ch)]) not in table)  # a mark's replacement is left alone by the table
    return common, compile_pattern(_rest_class(common))


def _rest_class(common: tuple[tuple[str, str], ...]) -> str:
    """The source of ``_mapping``'s regex: a class of every character the table maps but the ``common`` marks."""
    # (re.escape of the joined characters is that of each joined: one call, not 2,700 of it and of chr)
    return f"[{re.escape(_rest_chars(common))}\U00010000-\U0010ffff]"


def _rest_chars(common: tuple[tuple[str, str], ...]) -> str:
    """The BMP characters of ``_rest_class``, in order (the rest of the class: every character past the BMP)."""
    table = _table()
    done = {ord(a) for a, _ in common}
    return "".join(map(chr, [c for c in sorted(table) if c not in done and c <= 0xFFFF]))


@functools.cache
def _rest_set() -> Any:
    """``_mapping``'s regex as a C set (``regexscan.char_set``: the same characters, ``_rest_class``), or None when the
    kernel is not built: ``CharSet.find`` tells where its first match begins at ~5 instructions a character (sre's
    test of a class of thousands of characters costs ~60)."""
    return char_set(_rest_chars(_mapping()[0]), ((0x10000, 0x10FFFF),))


@functools.cache
def _first_scan() -> re.Pattern[str] | None:
    """One regex finding, in one scan, where the first match of ``_asr_scan``'s ``either`` or of ``_mapping``'s regex
    begins (a match of either, the ASR branch tried first at each place): ``normalize_all`` scans a call's joined
    texts with it instead of with the two in turn (each scan costs ~60 instructions a character in sre's test of a
    class of thousands of characters; one of the union costs as much). The leftmost place either matches is where
    the first of the two begins: a mapped character anywhere before it would have been a match there, and so would an
    ASR match. None when there is no ASR regex (nothing but ``_mapping``'s to scan with)."""
    either = _asr_either()
    if either is None:
        return None
    return compile_pattern(f"(?:{either})|{_rest_class(_mapping()[0])}", scan=True)


def _mapped(text: str) -> str:
    """``text.translate(_table())``."""
    return _rest_mapped(_common_mapped(text))


def _common_mapped(text: str) -> str:
    """``_mapped``'s first step: the common marks replaced (``str.replace`` where each occurs)."""
    common, _ = _mapping()
    for a, b in common:
        if a in text:
            text = text.replace(a, b)
    return text


def _rest_mapped(text: str) -> str:
    """``_mapped``'s second step: translated when the regex of the other mapped characters finds one (the C set of
    them, when built: ``_rest_set``)."""
    rest = _rest_set()
    if (_mapping()[1].search(text) is None) if rest is None else rest.find(text) < 0:
        return text
    return text.translate(_lookup())


_KEPT = re.compile(r"\S+")  # what str.split keeps: \s is exactly what str.isspace calls whitespace


def normalize(text: str) -> Normalized:
    mapped = _mapped(text)
    return _compacted(text, mapped, "".join(mapped.split()), True)  # str.split drops what str.isspace calls whitespace


def _compacted(text: str, mapped: str, compact: str, fix: bool) -> Normalized:
    """``text`` normalised from its mapped and compact forms (the ASR fixes applied when ``fix``), with the offsets
    of the characters kept when spaces went."""
    if len(compact) == len(mapped):
        return Normalized(_fix_asr(mapped) if fix else mapped, text)
    kept: list[int] = []  # the offsets of the characters kept, a run between two spaces at a time
    for m in _KEPT.finditer(mapped):
        kept.extend(range(m.start(), m.end()))
    return Normalized(_fix_asr(compact) if fix else compact, text, tuple(kept))


def normalize_all(texts: list[str]) -> list[Normalized]:
    """``normalize`` of each text (a call's turns), its scans made once over the texts joined a newline apart instead
    of once per text (each regex search and ``str.replace`` costs a few hundred instructions however short the text):
    every step of ``_mapped`` maps one character to one character and leaves a newline alone, so the joined texts
    mapped are the mapped texts joined; no ASR word or spoken digit holds a newline, so the joined compact texts hold
    a match of the ASR scan exactly when one of them does (else each is left as it is, as ``_fix_asr`` leaves it).
    Each of those scans tells the first text that needs the step (the newlines before what it found): the texts before
    it are left as they are, the others go through the step one by one (a call with one emoji translates one turn,
    not all). Texts that hold a newline themselves are normalised one by one."""
    if len(texts) < 2 or not _apart():
        return list(map(normalize, texts))
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        return list(map(normalize, texts))
    common = _common_mapped(joined)
    mapped = common.split("\n")
    rest = _rest_set()
    if rest is not None:
        return _normalized_by_sets(texts, common, mapped, rest)
    # the first mapped character, and when there is none, where the first ASR match in ``common`` begins: one scan
    # (``_first_scan``) finds the first of the two; a mapped character from there on is looked for only when it found
    # one (a mapped character then found where it stopped, or an ASR match: looked for in what follows)
    # (not when the texts hold a space, found by a search in C at a few instructions a character: such texts are
    # seldom free of whitespace, and then the ASR regex scans the compact texts anyway, so the one scan would have
    # tried it for nothing at every place it may begin; they are scanned for a mapped character alone, as before)
    first_scan = _first_scan() if " " not in common else None
    first = _mapping()[1].search(common) if first_scan is None else first_scan.search(common)
    found = first if first is None or first_scan is None else _mapping()[1].search(common, first.start())
    if found is not None:  # translated from the text that holds the first character found on, each as it needs
        for i in range(common.count("\n", 0, found.start()), len(mapped)):
            mapped[i] = _rest_mapped(mapped[i])
    # no text holds whitespace (most calls) when taking it out of the joined texts takes only the newlines between
    # them (they are whitespace): the compact texts are then the mapped ones, and joined, ``common`` (one split of
    # it instead of one per text)
    spaceless = found is None and _spaceless(common, len(texts))
    compact = mapped if spaceless else ["".join(m.split()) for m in mapped]
    at = -1  # where the first ASR match begins (-1: none)
    if spaceless and first_scan is not None:  # no mapped character: ``first`` is the first ASR match in ``common``
        at = -1 if first is None else first.start()
        scanned = common
    else:
        _, _, either = _asr_scan()
        scanned = common if spaceless else "\n".join(compact)
        asr = None if either is None else either.search(scanned)
        at = -1 if asr is None else asr.start()
    fix = len(texts) if at < 0 else scanned.count("\n", 0, at)  # the first text that may need it
    return [_compacted(text, mapped[i], compact[i], i >= fix) for i, text in enumerate(texts)]


def _normalized_by_sets(texts: list[str], common: str, mapped: list[str], rest: Any) -> list[Normalized]:
    """``normalize_all``'s steps from the joined texts with the common marks replaced (``common``, and split at the
    newlines: ``mapped``), its two scans made with the C sets: the first mapped character by ``rest`` (``_rest_set``,
    what ``_mapping``'s regex finds), then the first ASR match in the joined compact texts (``_asr_at``), each in its
    own scan at ~5 instructions a character (sre's scan of ``_first_scan``, one for both, costs ~60 and a lookahead at
    each character that may begin an ASR word). The same steps otherwise, so the same texts."""
    found = rest.find(common)
    if found >= 0:  # translated from the text that holds the first character found on, each as it needs
        for i in range(common.count("\n", 0, found), len(mapped)):
            mapped[i] = _rest_mapped(mapped[i])
    spaceless = found < 0 and _spaceless(common, len(texts))
    compact = mapped if spaceless else ["".join(m.split()) for m in mapped]
    _, _, either = _asr_scan()
    scanned = common if spaceless else "\n".join(compact)
    at = -1 if either is None else _asr_at(scanned, either)
    fix = len(texts) if at < 0 else scanned.count("\n", 0, at)  # the first text that may need it
    return [_compacted(text, mapped[i], compact[i], i >= fix) for i, text in enumerate(texts)]


_COUNTS: Final[list[Any]] = []  # ``counts_kernel``, once looked for (None: not built)


def counts_kernel() -> Any:
    """``hotline._kernels.context`` (``spoken_counts``, ``spaces``: per-call counts in one C call each),
    or None when it is not built (plain Python, a failed build, a stale one, ``HOTLINE_NATIVE=0``): the Python paths
    then, which give the same results. Looked for once per process."""
    if not _COUNTS:
        found: Any = None
        try:
            from hotline._kernels import context

            found = context
        except ImportError:
            pass
        _COUNTS.append(found)
    return _COUNTS[0]


def _spaceless(common: str, texts: int) -> bool:
    """Whether ``common`` (``texts`` texts joined a newline apart) holds no whitespace but those newlines: what
    ``str.split()`` takes out of it is then only them. Counted by the kernel (``spaces``: the characters
    ``str.split()`` splits at, ``Py_UNICODE_ISSPACE``) without the list of pieces and the joined string, else as
    ``len("".join(common.split()))`` tells it."""
    kernel = counts_kernel()
    if kernel is not None:
        spaces: int = kernel.spaces(common)
        return spaces == texts - 1
    return len("".join(common.split())) == len(common) - texts + 1


@functools.cache
def _apart() -> bool:
    """Whether ``normalize_all`` may join texts a newline apart: the table leaves a newline alone, and no ASR word
    or spoken digit holds one."""
    table, digits = _asr_tables()
    return (ord("\n") not in _table() and not any("\n" in w for w in table)
            and not any("\n" in d for d in digits.values()) and ord("\n") not in digits)


def normalize_phrase(phrase: str) -> str:
    return normalize(phrase).text
