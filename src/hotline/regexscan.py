"""What character a regex's match can begin with, read from Python's own parse of it (``re._parser``), and a
compiled pattern that tells sre so.

Sre finds a match fast when it knows the characters a match can begin with: it skips the other positions in a
tight loop of its own (about 60 instructions a character), and runs the whole pattern only at the others. It
knows them only when the pattern opens with a literal, a character class, or an alternation of literals: one
opening with a repeat (``[0-9]+天``), a look-behind, or an alternation of anything else is tried whole at every
position (several hundred instructions each). ``scannable`` compiles such a pattern with the set of characters
``first_chars`` reads from it in its info block, as the compiler puts one for a pattern opening with a class:
the same pattern, matching the same (the set only lets sre skip positions where no match can begin)."""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import re
from re import _compiler as _co  # type: ignore[attr-defined]
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

_CATEGORIES = {_c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_WORD: r"\w", _c.CATEGORY_SPACE: r"\s"}


def first_chars(regex: str, flags: int = 0) -> str | None:
    """The characters a match of ``regex`` can begin with, as the inside of a character class, or None
    when that is not known (a pattern that may match the empty string, a negated class, ``.``, a case-insensitive
    or any other group with flags of its own…)."""
    return _first_of_tree(_parser.parse(regex, flags), flags)


def _first_of_tree(parsed: Any, flags: int) -> str | None:
    return None if (parsed.state.flags | flags) & re.IGNORECASE else _first_of_items(parsed)


def _first_of_items(items: Any) -> str | None:
    for op, av in items:
        if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):
            continue  # takes no character: the next item's first character is the match's
        if op is _c.LITERAL:
            return re.escape(chr(av))
        if op is _c.IN:
            return _first_of_class(av)
        if op is _c.SUBPATTERN:  # (group, flags added, flags removed, items): (?i:…) may begin with either case
            return _first_of_items(av[3]) if av[3].getwidth()[0] > 0 and not av[1] and not av[2] else None
        if op is _c.BRANCH:
            alts = [_first_of_items(alt) if alt.getwidth()[0] > 0 else None for alt in av[1]]
            return None if None in alts else "".join(a for a in alts if a)
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            return _first_of_items(av[2]) if av[0] > 0 else None
        return None
    return None


def _first_of_class(members: Any) -> str | None:
    out = []
    for op, av in members:
        if op is _c.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is _c.RANGE:
            out.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is _c.CATEGORY and av in _CATEGORIES:
            out.append(_CATEGORIES[av])
        else:
            return None
    return "".join(out)


def scannable(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` compiled with the characters its matches begin with (``first_chars``) in its info block, when
    the compiler put none there and they are known; else ``pattern`` itself. Same string, flags, groups and
    matches (``pattern.pattern`` is the given one: a copy or a pickle compiles it again, as it was)."""
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return pattern
    made = parts(pattern.pattern, pattern.flags, scan=True)
    return pattern if made is None else made.compile(pattern.pattern)


# the categories of a class as ``_kernels.chars.CharSet`` takes them (a bit each)
_CATEGORY_BITS = {_c.CATEGORY_DIGIT: 1, _c.CATEGORY_WORD: 2, _c.CATEGORY_SPACE: 4}


def char_set(chars: str, ranges: tuple[tuple[int, int], ...] = (), categories: int = 0) -> Any:
    """The C set of ``chars``, the code points of ``ranges`` (lo, hi) and the ``categories`` (1: \\d, 2: \\w, 4: \\s, as
    sre reads them in a str pattern with neither re.ASCII nor re.LOCALE), ``_kernels.chars.CharSet``: where a text
    first holds one at a few instructions a character; None when the kernel is not built (or stale, or switched off:
    ``HOTLINE_NATIVE=0``), and the caller keeps its regex."""
    try:
        from hotline._kernels.chars import CharSet
    except ImportError:
        return None
    return CharSet(chars, ranges, categories)


def starts(pattern: re.Pattern[str]) -> Any:
    """A ``char_set`` of the characters a match of ``pattern`` can begin with (``first_chars``), or None when they are
    not known, the pattern may match the empty string (its matches may begin anywhere), it reads \\d, \\w or \\s
    otherwise than the set does (re.ASCII, re.LOCALE), or the kernel is not built. No match of ``pattern`` begins
    before ``starts(pattern).find(text, pos)``, so ``pattern.search(text, pos)`` is ``pattern.search(text, at)`` from
    there (a pattern's ``pos`` is not a slice: a look-behind still sees what is before it), and None when that is -1
    (the scan sre itself makes with such a set in its info block, ``scannable``, without its ~60 instructions a
    character, nor its set-up for a text that holds none of them)."""
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    if pattern.flags & (re.ASCII | re.LOCALE | re.IGNORECASE):
        return None
    tree = _parser.parse(pattern.pattern, pattern.flags)
    final = tree.state.flags | pattern.flags
    if final & (re.ASCII | re.LOCALE) or tree.getwidth()[0] == 0:
        return None
    first = _first_of_tree(tree, pattern.flags)
    if not first:
        return None
    return _class_set(first, final)


def _class_set(first: str, flags: int) -> Any:
    """``char_set`` of the class ``[first]`` (``first_chars``' text: literals, ranges, \\d \\w \\s), or None."""
    op, av = _parser.parse(f"[{first}]", flags).data[0]  # a class of one character parses as that literal
    chars: list[str] = []
    ranges: list[tuple[int, int]] = []
    categories = 0
    for member, value in av if op is _c.IN else [(op, av)]:
        if member is _c.LITERAL:
            chars.append(chr(value))
        elif member is _c.RANGE:
            ranges.append((value[0], value[1]))
        elif member is _c.CATEGORY and value in _CATEGORY_BITS:
            categories |= _CATEGORY_BITS[value]
        else:  # (a negated class, a category of another kind: not from ``first_chars``)
            return None
    return char_set("".join(chars), tuple(ranges), categories)


class Parts:
    """What ``_sre.compile`` makes a pattern of (as ``re._compiler.compile`` hands it over): its flags, its code,
    its groups by number and by name. ``regexcache`` keeps them to compile a pattern again without parsing it."""

    __slots__ = ("flags", "code", "groups", "groupindex", "indexgroup")

    def __init__(self, flags: int, code: list[int], groups: int, groupindex: dict[str, int],
                 indexgroup: tuple[str | None, ...]) -> None:
        self.flags = flags
        self.code = code
        self.groups = groups
        self.groupindex = groupindex
        self.indexgroup = indexgroup

    def compile(self, pattern: str) -> re.Pattern[str]:
        made: re.Pattern[str] = _sre.compile(pattern, self.flags, self.code, self.groups, self.groupindex,
                                             self.indexgroup)
        return made


def parts(pattern: str, flags: int = 0, *, scan: bool = False) -> Parts | None:
    """The ``Parts`` of ``re.compile(pattern, flags)``, or with ``scan`` of ``scannable`` of it (None then when
    ``scannable`` would give the pattern as it is: sre knows where its matches begin, or that is not known). Raises
    ``re.error`` for a pattern ``re`` refuses, as ``re.compile`` does."""
    tree = _parser.parse(pattern, flags)  # (parsed once: Python's parser is most of the cost)
    final = tree.state.flags | flags
    indexgroup: list[str | None] = [None] * tree.state.groups
    for name, index in tree.state.groupdict.items():
        indexgroup[index] = name
    if not scan:
        return Parts(final, _co._code(tree, final), tree.state.groups - 1, tree.state.groupdict, tuple(indexgroup))
    known: list[int] = []
    _co._compile_info(known, tree, final)  # the info block alone, as the compiler writes it
    if known[0] != _c.INFO or known[2] & (_c.SRE_INFO_PREFIX | _c.SRE_INFO_CHARSET):
        return None  # sre knows where a match may begin already
    lo, hi = tree.getwidth()
    first = None if lo == 0 else _first_of_tree(tree, flags)
    if not first:
        return None
    code = _co._code(tree, final)
    op, av = _parser.parse(f"[{first}]", final).data[0]  # a class of one character parses as that literal
    charset, _ = _co._optimize_charset(av if op is _c.IN else [(op, av)])
    info = [_c.INFO, 0, _c.SRE_INFO_CHARSET, min(lo, _co.MAXCODE), min(hi, _co.MAXCODE)]
    _co._compile_charset(charset, final, info)
    info[1] = len(info) - 1
    return Parts(final, info + code[1 + code[1]:], tree.state.groups - 1, tree.state.groupdict, tuple(indexgroup))
