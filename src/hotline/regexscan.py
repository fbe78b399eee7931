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
import atexit
import re
import threading
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


# ── where a match of an alternation may begin, read closer than its first character (``heads``) ───────────────
# A set of characters as the analysis carries it: (single code points, ranges (lo, hi), categories as
# ``_CATEGORY_BITS``), or None: any character.
_Set = tuple[frozenset[int], frozenset[tuple[int, int]], int] | None
# an alternative: the sets of the characters a match holds from its start (or a look-ahead at its end reads), and
# whether what follows in the pattern may tell more (False: closed, the characters past these are not known)
_Alt = tuple[tuple[_Set, ...], bool]

HEAD_CHARS = 8  # characters read from where a match may begin (at most)
HEAD_ALTS = 48  # alternatives of one branch at most (past it: read less deep; one character deep, merged into one)


_INTERNED: dict[Any, Any] = {}  # the sets of the pattern being read, one object each (compared by identity first)


def _interned(s: _Set) -> _Set:
    return None if s is None else _INTERNED.setdefault(s, s)


def _union(a: _Set, b: _Set) -> _Set:
    if a is None or b is None:
        return None
    return _interned((a[0] | b[0], a[1] | b[1], a[2] | b[2]))


def _set_of(op: Any, av: Any) -> _Set:
    """The characters one item of a pattern's parse that takes one character may match (None: any or not known)."""
    return _interned(_plain_set_of(op, av))


def _plain_set_of(op: Any, av: Any) -> _Set:
    if op is _c.LITERAL:
        return frozenset((av,)), frozenset(), 0
    if op is _c.IN:
        chars: set[int] = set()
        ranges: set[tuple[int, int]] = set()
        categories = 0
        for member, value in av:
            if member is _c.LITERAL:
                chars.add(value)
            elif member is _c.RANGE:
                ranges.add((value[0], value[1]))
            elif member is _c.CATEGORY and value in _CATEGORY_BITS:
                categories |= _CATEGORY_BITS[value]
            else:  # a negated class, another category: any character, as far as this analysis tells
                return None
        return frozenset(chars), frozenset(ranges), categories
    return None  # NOT_LITERAL, ANY: (nearly) any character


def _merged(alts: list[_Alt]) -> list[_Alt]:
    """One alternative holding every one of ``alts``: at each place the union of their sets, as far as the shortest
    reaches, closed."""
    if not alts:
        return alts
    reach = min(len(sets) for sets, _ in alts)
    out: list[_Set] = []
    for i in range(reach):
        got: _Set = alts[0][0][i]
        for sets, _ in alts[1:]:
            got = _union(got, sets[i])
        out.append(got)
    return [(tuple(out), False)]


class _TooMany(Exception):
    """More than ``HEAD_ALTS`` alternatives when reading more than one character: read fewer."""


def _capped(alts: list[_Alt], k: int) -> list[_Alt]:
    if len(alts) <= HEAD_ALTS:
        return alts
    if k > 1:
        raise _TooMany
    return _merged(alts)  # (one character deep, the union of the first characters is what they are)


def _then(alts: list[_Alt], more: list[_Alt], k: int) -> list[_Alt]:
    """``alts`` followed by ``more`` (each open alternative shorter than ``k`` characters goes on with each of
    ``more``), the first ``k`` characters kept."""
    out: dict[_Alt, None] = {}
    for sets, open_ in alts:
        if not open_ or len(sets) >= k:
            out[(sets[:k], False)] = None
            continue
        for tail, tail_open in more:
            joined = (sets + tail)[:k]
            out[(joined, tail_open and len(joined) < k)] = None
    return _capped(list(out), k)


def _unsubsumed(alts: list[_Alt]) -> list[_Alt]:
    """``alts`` less those another passes wherever they pass: one whose sets begin with all the sets of another
    ([0-9]{7,} read 8 deep: the alternative of 7 passes wherever that of 8 does). (The sets are interned: equal sets
    are one object, and a tuple of them hashes and compares at a few instructions a set.)"""
    held = {sets for sets, _ in alts}
    return [(sets, open_) for sets, open_ in alts if not any(sets[:j] in held for j in range(1, len(sets)))]


def _zero_width(op: Any) -> bool:
    return op is _c.AT or op is _c.ASSERT or op is _c.ASSERT_NOT


def _seq(items: Any, k: int, tail: bool) -> list[_Alt]:
    """The alternatives of a sequence of parse items (``tail``: nothing follows it in the pattern)."""
    alts: list[_Alt] = [((), True)]
    items = list(items)
    for at, (op, av) in enumerate(items):
        last = tail and all(_zero_width(o) for o, _ in items[at + 1:])
        alts = _then(alts, _item(op, av, k, last), k)
        if not any(open_ and len(sets) < k for sets, open_ in alts):
            break
    return alts


def _item(op: Any, av: Any, k: int, tail: bool) -> list[_Alt]:
    if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
        return [((_set_of(op, av),), True)]
    if op is _c.ASSERT and av[0] == 1 and tail:
        # a look-ahead that ends the pattern: the characters after the match are what it reads (and past them
        # nothing is known)
        return [(sets, False) for sets, _ in _seq(av[1], k, False)]
    if _zero_width(op):
        return [((), True)]  # takes no character (what it asks is not read here: any text may pass)
    if op is _c.SUBPATTERN:  # (group, flags added, flags removed, items): flags of its own are not read here
        return _seq(av[3], k, tail) if not av[1] and not av[2] else [((), False)]
    if op is _c.ATOMIC_GROUP:
        return _seq(av, k, tail)
    if op is _c.BRANCH:
        out: dict[_Alt, None] = {}
        for alt in av[1]:
            out.update(dict.fromkeys(_seq(alt, k, tail)))
        return _capped(list(out), k)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        lo, hi, items = av
        if items.getwidth()[0] == 0:
            return [((), False)]
        once = _seq(items, k, False)
        out = {}
        now: list[_Alt] = [((), True)]
        for count in range(k + 1):  # each repetition takes a character or more: past k of them, nothing new
            if lo <= count <= hi or (count == k and lo > k):
                out.update(dict.fromkeys(now))
            if count == k or count >= hi:
                break
            now = _then(now, once, k)
        return _capped(list(out), k)
    return [((), False)]  # a group reference, a conditional…: nothing known from here on


def _not_before(items: Any) -> _Set | bool:
    """The characters the character before a match may not be (negative look-behinds of one character opening the
    pattern, inside its opening groups too), or False when there are none."""
    out: _Set | bool = False
    for op, av in items:
        if op is _c.ASSERT_NOT and av[0] == -1:
            inner = list(av[1])
            if len(inner) == 1 and inner[0][0] in (_c.LITERAL, _c.IN):
                got = _set_of(*inner[0])
                if got is not None:
                    out = got if out is False else _union(out, got)  # type: ignore[arg-type]
        elif _zero_width(op):
            continue
        elif op is _c.SUBPATTERN and not av[1] and not av[2]:
            inner_out = _not_before(av[3])
            if inner_out is not False:
                out = inner_out if out is False else _union(out, inner_out)  # type: ignore[arg-type]
            break
        else:
            break
    return out


HEAD_RULES = 64  # rules a ``Heads`` holds at most (a bit each)


def head_rules(pattern: re.Pattern[str]) -> tuple[list[tuple[str, tuple[tuple[int, int], ...], int]],
                                                  list[tuple[int, tuple[int, ...]]]] | None:
    """What ``heads`` builds its kernel of: the sets, and the rules (not_before, sets) as indices of them (-1: none, or
    any character), read off ``pattern``'s parse: of each branch of an alternation at its top (the masking rules), or
    of the whole pattern, the first ``HEAD_CHARS`` characters its matches hold (fewer when the rules would be more than
    ``HEAD_RULES``), and the characters the one before may not be. None when that is not known: flags that read
    characters otherwise than these sets do (re.IGNORECASE, re.ASCII, re.LOCALE), a pattern that may match the empty
    string, a branch whose first character is not known."""
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    if pattern.flags & (re.ASCII | re.LOCALE | re.IGNORECASE):
        return None
    tree = _parser.parse(pattern.pattern, pattern.flags)
    if (tree.state.flags | pattern.flags) & (re.ASCII | re.LOCALE | re.IGNORECASE) or tree.getwidth()[0] == 0:
        return None
    top = list(tree)
    branches = top[0][1][1] if len(top) == 1 and top[0][0] is _c.BRANCH else [top]
    # each branch read one character deeper at a time, while its alternatives stay few (``_TooMany``), the rules
    # of all stay HEAD_RULES at most, and a deeper reading can tell more (an alternative reaches that far)
    _INTERNED.clear()
    chosen: list[list[_Alt]] = [[] for _ in branches]
    growing = [True] * len(branches)
    total = 0
    for k in range(1, HEAD_CHARS + 1):
        for b, branch in enumerate(branches):
            if not growing[b]:
                continue
            try:
                got = _unsubsumed(_seq(branch, k, True))
            except _TooMany:
                growing[b] = False
                continue
            if k > 1 and total - len(chosen[b]) + len(got) > HEAD_RULES:
                growing[b] = False
                continue
            total += len(got) - len(chosen[b])
            chosen[b] = got
            growing[b] = any(len(sets) == k for sets, _ in got)
    _INTERNED.clear()
    if total > HEAD_RULES:
        return None  # (more branches than rules)
    before = [_not_before(branch) for branch in branches]
    found = [(before[b], sets) for b in range(len(branches)) for sets in dict.fromkeys(s for s, _ in chosen[b])]
    if any(not sets for _, sets in found):
        return None  # (a branch opening with what is not read here: its matches may begin anywhere)
    index: dict[_Set | bool, int] = {None: -1, False: -1}
    sets: list[tuple[str, tuple[tuple[int, int], ...], int]] = []

    def at(s: _Set | bool) -> int:
        if s not in index:
            assert s is not None and s is not False and s is not True
            index[s] = len(sets)
            sets.append(("".join(map(chr, sorted(s[0]))), tuple(sorted(s[1])), s[2]))
        return index[s]

    rules = [(at(before), tuple(at(s) for s in reads)) for before, reads in found]
    return sets, rules


def heads(pattern: re.Pattern[str]) -> Any:
    """A ``_kernels.mask.Heads`` of ``head_rules(pattern)``: no match of ``pattern`` begins at a place of a text before
    ``heads(pattern).find(text, pos)`` from ``pos`` on (-1: at none), so the matches ``pattern.finditer`` finds are
    those of ``pattern.match`` tried at these places only, each from the end of the one before. None when the rules
    are not known or the kernel is not built (or stale, or switched off: ``HOTLINE_NATIVE=0``). The rules come from
    the start-up cache when an earlier start read them (``kept_head_rules``)."""
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    try:
        from hotline._kernels.mask import Heads
    except ImportError:
        return None
    made = kept_head_rules(pattern)
    return None if made is None else Heads(*made)


HEADS_SLOT = "mask-heads 1"  # the start-up cache's slot (``hotline.cache``) of the rules read by ``head_rules``
HEADS_KEPT = 64  # patterns kept there


class _KeptHeads:
    """This process's view of the stored rules: read at the first ``kept_head_rules``, written at exit when it grew
    (as ``regexcache`` keeps compiled patterns)."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, int], Any] | None = None  # None: not read yet
        self.grew = False
        self.lock = threading.Lock()


_KEPT_HEADS = _KeptHeads()


def kept_head_rules(pattern: re.Pattern[str]) -> Any:
    """``head_rules(pattern)``, as an earlier start of the same package stored it in the start-up cache (reading the
    rules off the parse costs ~15M instructions, a start of ``hotline inspect`` of one call ~1.2G), else read now and
    stored at exit. The cache off (``HOTLINE_CACHE=0``): read now."""
    from hotline.cache import cache_dir, read_back

    kept = _KEPT_HEADS
    key = (pattern.pattern, pattern.flags)
    with kept.lock:
        if kept.known is None:
            found = read_back(HEADS_SLOT, dict) if cache_dir() is not None else None
            kept.known = found if found is not None else {}
        if key in kept.known:
            return kept.known[key]
    made = head_rules(pattern)
    if cache_dir() is None:
        return made
    with kept.lock:
        if len(kept.known) >= HEADS_KEPT:
            kept.known.clear()
        kept.known[key] = made
        if not kept.grew:
            kept.grew = True
            atexit.register(_keep_heads, kept)
    return made


def _keep_heads(kept: _KeptHeads) -> None:
    from hotline.cache import keep

    with kept.lock:
        keep(HEADS_SLOT, dict(kept.known or {}))
