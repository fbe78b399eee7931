"""Text normalisation before matching: full-width → half-width, traditional → simplified, ASCII
lower-case, whitespace removed, then what speech-to-text gets wrong (homophones such as 不知到,
dialect words such as 晓得, spoken digits such as 幺零二四) put right from ``data/text/asr.yaml``.
Every replacement has the length of what it replaces, and the mapping keeps offsets, so a match in
the normalised text points back into the original text a user sees."""

from __future__ import annotations

import array
import functools
import re
from dataclasses import dataclass

import ahocorasick

from hotline.asr_fixes import AsrFixes
from hotline.content import data_path, load_yaml_model


@functools.cache
def _asr() -> tuple[re.Pattern[str] | None, dict[str, str], re.Pattern[str] | None, dict[int, str]]:
    fixes = load_yaml_model(data_path("text", "asr.yaml"), AsrFixes)
    table = {_plain(k): _plain(v) for k, v in fixes.replacements.items()}
    words = re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True)))) if table else None
    digits = {ord(k): v for k, v in fixes.spoken_digits.items()}
    runs = None
    if digits:
        chars = re.escape("".join(fixes.spoken_digits))
        runs = re.compile(f"[{chars}]{{{fixes.spoken_digit_min_run},}}")
    return words, table, runs, digits


def _plain(text: str) -> str:
    return text.translate(_table())


@functools.cache
def _asr_scan() -> ahocorasick.Automaton | None:
    """Every ASR word and every spoken digit, in one automaton: a text where it finds none needs no fix."""
    _, table, _, digits = _asr()
    keys = [*table, *map(chr, digits)]
    if not keys:
        return None
    automaton = ahocorasick.Automaton()
    for key in keys:
        automaton.add_word(key, key)
    automaton.make_automaton()
    return automaton


def _fix_asr(text: str) -> str:
    scan = _asr_scan()
    if scan is None or next(scan.iter(text), None) is None:
        return text  # no ASR word and no spoken digit: neither substitution below would change anything
    words, table, runs, digits = _asr()
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


def _zh_hans() -> dict[str, str]:
    """zhconv's zh-hans table (what ``zhconv.getdict("zh-hans")`` gives), read from its data file:
    importing zhconv imports pkg_resources, most of a second at every start of ``hotline``."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("zhconv")  # finds the package without running it
    folder = next(iter(spec.submodule_search_locations or []), None) if spec else None
    try:
        import orjson

        table = orjson.loads((Path(folder) / "zhcdict.json").read_bytes())["zh2Hans"] if folder else None
    except (OSError, ValueError, KeyError, TypeError):
        table = None
    if isinstance(table, dict) and table:
        return table
    from zhconv import zhconv

    return zhconv.getdict("zh-hans")


@dataclass(slots=True, frozen=True)
class Normalized:
    """Normalised text; ``offsets[i]`` is the index in the original text of normalised char ``i``
    (None when nothing was removed, i.e. the mapping is the identity)."""

    text: str
    original: str
    offsets: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) span back to the original text."""
        if self.offsets is None:
            return start, end
        if start >= len(self.offsets):
            return len(self.original), len(self.original)
        last = self.offsets[max(start, end - 1)] if end > start else self.offsets[start]
        return self.offsets[start], last + (1 if end > start else 0)


def normalize(text: str) -> Normalized:
    mapped = text.translate(_lookup())
    compact = "".join(mapped.split())  # str.split drops what str.isspace (and re's \s) calls whitespace
    if len(compact) == len(mapped):
        return Normalized(_fix_asr(mapped), text)
    return Normalized(_fix_asr(compact), text, tuple(i for i, ch in enumerate(mapped) if not ch.isspace()))


def normalize_phrase(phrase: str) -> str:
    return normalize(phrase).text
