"""Literal prefilters for regular expressions, derived once from the parsed pattern (as RE2 and Hyperscan do).

``literals(pattern)`` gives a set of literal strings at least one of which occurs in every string the pattern
matches, or None when no such set can be derived. A text that holds none of them cannot contain a match, so
the regex need not run on it (``operators._regex``). The derivation walks the tree of Python's own parser
(``re._parser``), so it reads any city's pattern, not a list of known ones:

- a literal is itself; a small character class (``[0-9一二]``) is the set of its characters;
- a concatenation multiplies out runs of parts whose exact strings are known (``(不会|不行)[啊吧]?`` → 不会, 不行,
  不会啊, …), and keeps the most selective of its runs or other parts' sets;
- an alternation is the union of its branches' sets, and has none when one branch has none;
- a repeat with a minimum of at least one requires what its body requires; with a minimum of 0 it requires
  nothing (``x?`` is exactly ``""`` or ``x``);
- anchors and lookarounds consume nothing: they match the empty string;
- anything else (``.``, negated or category classes, backreferences, conditionals) may match any text.

A set holding ``""`` requires nothing; a literal that contains another one of the set is dropped (a text holding
it holds the shorter one). Case-insensitive patterns get no prefilter, and nor do compiled objects other than
``re.Pattern`` (the ``regex`` module used for browser-entered patterns parses some syntax differently).

``anchored(pattern)``: every match of the pattern starts at the beginning of the text (``^`` without MULTILINE,
or ``\\A``, first in every branch), so ``finditer`` can be replaced by one ``match`` (see ``operators._regex``).
"""

from __future__ import annotations

import importlib
import itertools
import re
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

MAX_EXACT = 64  # strings in a multiplied-out run
MAX_CLASS = 16  # characters of a class read as a set of literals

Exact = frozenset[str] | None  # every string a part can match, when known and few
Info = tuple[Exact, frozenset[str] | None]  # (exact, required): required None = no constraint

UNKNOWN: Info = (None, None)
EMPTY: Info = (frozenset({""}), None)


def literals(pattern: Any) -> tuple[str, ...] | None:
    """Literals one of which every match of a compiled ``re`` pattern contains, or None (no safe set)."""
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError, TypeError, ValueError):
        return None
    if tree.state.flags & re.IGNORECASE:
        return None
    found = _required(_sequence(list(tree)))
    return tuple(sorted(found, key=lambda s: (len(s), s))) if found else None


def anchored(pattern: Any) -> bool:
    """Every match of the ``re`` pattern starts at position 0 of the text."""
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return False
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError, TypeError, ValueError):
        return False
    multiline = bool((pattern.flags | tree.state.flags) & re.MULTILINE)
    return _starts_anchored(list(tree), multiline)


def _starts_anchored(items: list[Any], multiline: bool) -> bool:
    if not items:
        return False
    op, av = items[0]
    if op is _c.AT:
        return av is _c.AT_BEGINNING_STRING or (av is _c.AT_BEGINNING and not multiline)
    if op is _c.BRANCH:
        return all(_starts_anchored(list(branch), multiline) for branch in av[1])
    if op is _c.SUBPATTERN:
        _, add_flags, _, body = av
        return _starts_anchored(list(body), multiline or bool(add_flags & re.MULTILINE))
    if op is _c.ATOMIC_GROUP:
        return _starts_anchored(list(av), multiline)
    return False


def _simplify(strings: frozenset[str] | None) -> frozenset[str] | None:
    """The same requirement with no redundant literal; None when it requires nothing."""
    if strings is None or "" in strings:
        return None
    ordered = sorted(strings, key=len)
    kept: list[str] = []
    for s in ordered:
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _required(info: Info) -> frozenset[str] | None:
    """What a part requires: the better of its own requirement and its exact strings."""
    exact, required = info
    whole = _simplify(exact)
    if whole is None or (required is not None and _better(required, whole)):
        return required
    return whole


def _better(a: frozenset[str], b: frozenset[str]) -> bool:
    """``a`` filters better than ``b``: a longer shortest literal, up to 2 characters (two hanzi are already
    rare), then fewer literals, then a longer shortest literal."""
    return _rank(a) < _rank(b)


def _rank(strings: frozenset[str]) -> tuple[int, int, int]:
    shortest = min(map(len, strings))
    return -min(2, shortest), len(strings), -shortest


def _product(a: frozenset[str], b: frozenset[str]) -> frozenset[str] | None:
    if len(a) * len(b) > MAX_EXACT:
        return None
    return frozenset(x + y for x, y in itertools.product(a, b))


def _sequence(items: list[Any]) -> Info:
    """A concatenation of parts: its exact strings when every part's are known (and few), and the most
    selective requirement among its parts and every stretch of consecutive exact parts multiplied out."""
    infos = [_item(item) for item in items]
    exact: Exact = frozenset({""})
    for part_exact, _ in infos:
        exact = _product(exact, part_exact) if exact is not None and part_exact is not None else None
    best: frozenset[str] | None = None
    for i, (part_exact, part_required) in enumerate(infos):
        candidates = [part_required] if part_exact is None else []
        stretch = part_exact
        for later_exact, _ in infos[i + 1:] if part_exact is not None else []:
            candidates.append(stretch)
            if later_exact is None or stretch is None:
                break
            stretch = _product(stretch, later_exact)
        candidates.append(stretch)
        for candidate in map(_simplify, candidates):
            if candidate is not None and (best is None or _better(candidate, best)):
                best = candidate
    return exact, best


def _item(item: tuple[Any, Any]) -> Info:
    op, av = item
    if op is _c.LITERAL:
        return frozenset({chr(av)}), None
    if op is _c.IN:
        return _class(av)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return EMPTY
    if op is _c.SUBPATTERN:
        _, add_flags, _, body = av
        if add_flags & re.IGNORECASE:
            return UNKNOWN
        return _sequence(list(body))
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is _c.BRANCH:
        return _branch([_sequence(list(b)) for b in av[1]])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, high, body = av
        return _repeat(low, high, _sequence(list(body)))
    return UNKNOWN  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, …: any text


def _class(members: list[tuple[Any, Any]]) -> Info:
    chars: set[str] = set()
    for op, av in members:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < MAX_CLASS:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY, a wide range
            return UNKNOWN
        if len(chars) > MAX_CLASS:
            return UNKNOWN
    return (frozenset(chars), None) if chars else UNKNOWN


def _branch(branches: list[Info]) -> Info:
    exact: Exact = frozenset()
    for part_exact, _ in branches:
        if exact is None or part_exact is None or len(exact) + len(part_exact) > MAX_EXACT:
            exact = None
            break
        exact = exact | part_exact
    required: frozenset[str] | None = frozenset()
    for info in branches:
        one = _required(info)
        if one is None or required is None:
            required = None
            break
        required = required | one
    return exact, _simplify(required)


def _repeat(low: int, high: int, body: Info) -> Info:
    body_exact = body[0]
    if high == 0:
        return EMPTY
    if low == 0:
        if high == 1 and body_exact is not None:
            return body_exact | {""}, None
        return UNKNOWN
    exact: Exact = None
    if low == high and body_exact is not None:
        exact = frozenset({""})
        for _ in range(low):
            exact = _product(exact, body_exact)
            if exact is None:
                break
    return exact, _required(body)
