"""Regular expressions compiled once per machine, not at every start.

Python compiles a regex by parsing it in Python, which at a start of ``hotline inspect`` takes about a seventh of
the start: the rulebook's patterns, the normalisation tables (one class of some thousand characters), the masking
rules, the citizen cues. ``compile_pattern`` compiles a pattern as ``re.compile`` does (or as
``regexscan.scannable`` of it, with ``scan``) and keeps what sre was handed (``regexscan.Parts``: the flags, the
code, the groups) in the start-up cache (``hotline.cache``); the next start hands sre the same again, without the
parse. The pattern is the same object ``re.compile`` makes: the same string, flags, groups and code (patterns
compare equal), so the same matches.

- Kept under the package's fingerprint (its code and data, and the Python version: the code sre reads is
  Python's own), in the user's cache folder, written at the end of a process that compiled a pattern it did not
  find there; at most ``KEPT`` patterns (when full, it starts over with the patterns of the process that writes).
- A stored code sre refuses (it checks every code it is handed) is compiled again from the pattern.
- ``HOTLINE_CACHE=0`` (the cache off): ``re.compile`` as it is."""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import atexit
import re
import threading
from array import array

from hotline.regexscan import Parts, parts, scannable

SLOT = "regex-code 1"
KEPT = 4096  # patterns kept

_Key = tuple[str, int, bool]
_Stored = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]


class _Kept:
    """This process's view of the stored patterns: read on the first compile, written at exit when it grew."""

    def __init__(self) -> None:
        self.known: dict[_Key, _Stored] | None = None  # None: not read yet
        self.used: dict[_Key, _Stored] = {}  # the patterns this process compiled or found
        self.grew = False
        self.off = False
        self.lock = threading.Lock()


_KEPT = _Kept()


def compile_pattern(pattern: str, flags: int = 0, *, scan: bool = False) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, or with ``scan`` ``regexscan.scannable`` of it, from the code kept by an
    earlier start when there is one. Raises ``re.error`` for a pattern ``re`` refuses, as ``re.compile`` does."""
    kept = _KEPT
    known = kept.known if kept.known is not None else _read(kept)
    if kept.off:
        plain = re.compile(pattern, flags)
        return scannable(plain) if scan else plain
    key = (pattern, flags, scan)
    stored = known.get(key)
    if stored is not None:
        try:
            made: re.Pattern[str] = _sre.compile(pattern, stored[0], array("I", stored[1]).tolist(), stored[2],
                                                 stored[3], stored[4])
        except Exception:  # noqa: BLE001 - a code sre refuses: compiled again from the pattern below
            made = None  # type: ignore[assignment]
        if made is not None:
            kept.used[key] = stored
            return made
    got = (parts(pattern, flags, scan=True) if scan else None) or parts(pattern, flags)
    assert got is not None
    stored = _stored(got)
    with kept.lock:
        known[key] = kept.used[key] = stored
        if not kept.grew:
            kept.grew = True
            atexit.register(_write, kept)
    return got.compile(pattern)


def _stored(got: Parts) -> _Stored:
    return got.flags, array("I", got.code).tobytes(), got.groups, dict(got.groupindex), got.indexgroup


def _read(kept: _Kept) -> dict[_Key, _Stored]:
    from hotline.cache import cache_dir, read_back

    with kept.lock:
        if kept.known is None:
            kept.off = cache_dir() is None
            found = None if kept.off else read_back(SLOT, dict)
            kept.known = found if found is not None else {}
        return kept.known


def _write(kept: _Kept) -> None:
    """Store the patterns known now (those of this process alone when they are more than ``KEPT``)."""
    from hotline.cache import keep

    with kept.lock:
        known = kept.known or {}
        keep(SLOT, dict(known) if len(known) <= KEPT else dict(list(kept.used.items())[-KEPT:]))
