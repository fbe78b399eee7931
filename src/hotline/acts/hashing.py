"""N-gram keys computed with numpy over a whole batch of text at once: every 1–4-character n-gram
of a string gets a 64-bit key (a polynomial of its code points), and the model's vocabulary is a
sorted array of the same keys. Looking n-grams up is then a handful of vectorised operations instead
of a Python loop per match. Two different n-grams share a key only by a 64-bit collision (for a
vocabulary of 10⁵ n-grams and 10⁶ distinct n-grams read, a chance of about 10⁻⁸).

The sorted keys of a trained vocabulary are saved beside it (``KeyTable.saved``) and read back at start-up
(``saved_table``) only when they were computed from that very vocabulary with today's key scheme."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a's 64-bit prime: odd, large, spreads small code points
_MASK = (1 << 64) - 1


def key_of(gram: str) -> int:
    """The key of one n-gram (pure Python; the same value as ``keys`` computes with numpy)."""
    k = len(gram)
    for ch in gram:
        k = (k * int(MULTIPLIER) + ord(ch)) & _MASK
    return k


def codes_of(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


def keys(codes: np.ndarray, n: int) -> np.ndarray:
    """Keys of the n-grams starting at each position (``len(codes) - n + 1`` of them)."""
    count = len(codes) - n + 1
    with np.errstate(over="ignore"):
        k = np.full(count, n, dtype=np.uint64)
        for j in range(n):
            k = k * MULTIPLIER + codes[j:j + count]
    return k


def keys_by_length(codes: np.ndarray, lengths: Sequence[int]) -> Iterator[np.ndarray]:
    """``keys(codes, n)`` for each of ``lengths`` (ascending), each from the last: the key of an n-gram is
    ``n · MULTIPLIER ** n`` plus the polynomial of its code points, and the polynomial of an n-gram is the
    (n - 1)-gram's times ``MULTIPLIER`` plus its last code point (a multiply and an add a length, not n)."""
    poly = codes
    made = 1  # the length ``poly`` is the polynomial of
    with np.errstate(over="ignore"):
        for n in lengths:
            if len(codes) < n:
                return
            if n < 1:  # the empty gram (key 0) at every position and the end, as ``keys`` gives it
                yield keys(codes, n)
                continue
            while made < n:
                made += 1
                poly = poly[:-1] * MULTIPLIER + codes[made - 1:]
            yield poly + np.uint64(n * pow(int(MULTIPLIER), n, 1 << 64) & _MASK)


def keys_of(grams: Sequence[str]) -> np.ndarray:
    """The key of each n-gram (``key_of`` for every one), computed with numpy a length at a time."""
    out = np.zeros(len(grams), dtype=np.uint64)  # the empty n-gram's key is 0
    by_length: dict[int, list[int]] = {}
    for i, g in enumerate(grams):
        by_length.setdefault(len(g), []).append(i)
    for n, rows in by_length.items():
        if n == 0:
            continue
        codes = codes_of("".join(grams[i] for i in rows)).reshape(len(rows), n)
        with np.errstate(over="ignore"):
            k = np.full(len(rows), n, dtype=np.uint64)
            for j in range(n):
                k = k * MULTIPLIER + codes[:, j]
        out[rows] = k
    return out


_SORT_FROM = 64  # queries from this many on are looked up in ascending order
_FILTER_FROM = 256  # queries from this many on are read through the table's slots (``KeyTable.lookup``)
_FILTER_BITS = 20  # 2 ** 20 slots: a vocabulary of 74,496 keys leaves under 4 % of its keys sharing one
_NO_KEY = -1  # a slot no key of the table falls in
_SHARED = -2  # a slot two keys or more fall in (different keys, or equal ones: a collision)
_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it mixes every bit of a key into the top ones
_CODE_POINTS = 0x110000


class KeyTable:
    """Vocabulary row of each n-gram key, searchable for many keys at once."""

    keys: np.ndarray  # sorted
    rows: np.ndarray  # the vocabulary row of each key
    lengths: list[int]  # the n-gram lengths in the vocabulary

    def __init__(self, grams: Iterable[str], saved: tuple[np.ndarray, np.ndarray, list[int]] | None = None):
        """The table of ``grams``; or, with ``saved``, the (keys, rows, lengths) a checked saved table holds."""
        self._slots: np.ndarray | None = None
        self._unigrams: np.ndarray | None = None
        self._kernel: Any = None
        self._kernel_tried = False
        if saved is not None:
            self.keys, self.rows, self.lengths = saved
            return
        grams = list(grams)
        all_keys = keys_of(grams)
        order = np.argsort(all_keys, kind="stable")  # equal keys (a collision) keep their vocabulary order
        self.keys = all_keys[order]
        self.rows = order.astype(np.int64)
        self.lengths = sorted({len(g) for g in grams})

    def saved(self, vocab: np.ndarray) -> dict[str, np.ndarray]:
        """The arrays to save beside ``vocab`` (the array the vocabulary is saved as)."""
        return {"table_keys": self.keys, "table_rows": self.rows.astype(np.int32),
                "table_digest": np.array(vocabulary_digest(vocab))}

    def kernel(self) -> Any:
        """The C kernel over this table (``hotline._kernels.acts``: every n-gram's key, row and weights summed in
        one call, ``SpeakerModel._score``), made at first use, or None when it is not built (or refuses the
        lengths): the numpy path then runs. Its hash table replaces ``slots`` and ``unigrams``, which are then never
        made (``slots`` alone cost a process ~9.6M instructions at its first long query)."""
        if not self._kernel_tried:
            self._kernel = acts_kernel(self.keys, self.rows, self.lengths)
            self._kernel_tried = True
        return self._kernel

    def lookup(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions in ``query`` that are vocabulary n-grams, their vocabulary rows). A long query is read
        through ``slots`` (a key's slot, chosen by its top bits once spread, holds the one table key there): a
        key found in its slot is that key (its only copy, so its row is the one a search finds), and only the
        keys whose slot several table keys share are searched; no sort and no search of the rest."""
        if not len(self.keys) or not len(query):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if len(query) >= _FILTER_FROM:
            at = self.slots().take((query * _SPREAD) >> np.uint64(64 - _FILTER_BITS))
            # a negative ``at`` reads the first key: a query equal to it is no miss (the first key's slot is not
            # empty) and its slot is shared, so it is searched below and its place written over the wrong one
            hit = self.keys.take(at, mode="clip") == query
            shared = (at == _SHARED).nonzero()[0]
            if len(shared):
                found, places = self._find(query.take(shared))
                searched = shared.take(found)
                hit[searched] = True
                at[searched] = places
            found = hit.nonzero()[0]
            return found, self.rows.take(at.take(found))
        return self._search(query)

    def slots(self) -> np.ndarray:
        """The slots ``lookup`` reads, int32: slot ``(key * _SPREAD) >> (64 - _FILTER_BITS)`` holds the position in
        ``keys`` of the only key of the table there, ``_NO_KEY`` when none is, ``_SHARED`` when several are."""
        if self._slots is None:
            slot = ((self.keys * _SPREAD) >> np.uint64(64 - _FILTER_BITS)).astype(np.intp)
            slots = np.full(1 << _FILTER_BITS, _NO_KEY, dtype=np.int32)
            slots[slot] = np.arange(len(slot), dtype=np.int32)  # where keys share a slot, one of them is kept
            # and the others are not: their slots are the shared ones (work by key, none over every slot)
            slots[slot[slots.take(slot) != np.arange(len(slot))]] = _SHARED
            self._slots = slots
        return self._slots

    def unigrams(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``lookup(keys(codes, 1))`` read from an array indexed by code point: the key of a 1-gram is
        ``MULTIPLIER`` plus its code point, so the row of every table key of that form (whatever gram it is the
        key of, the first of equal keys as a search finds it) is put at that code point once."""
        if self._unigrams is None:
            one = int(MULTIPLIER)
            at = ((self.keys >= np.uint64(one)) & (self.keys < np.uint64(one + _CODE_POINTS))).nonzero()[0]
            points = (self.keys[at] - np.uint64(one)).astype(np.intp)
            first = np.ones(len(at), dtype=bool)  # equal keys are next to each other, the first in vocabulary order
            first[1:] = points[1:] != points[:-1]
            size = int(points.max()) + 2 if len(points) else 1  # the last entry is never set: codes past it read -1
            table = np.full(size, -1, dtype=np.int64)
            table[points[first]] = self.rows[at[first]]
            self._unigrams = table
        table = self._unigrams
        rows = table.take(np.minimum(codes, np.uint64(len(table) - 1)).astype(np.intp))
        found = (rows >= 0).nonzero()[0]
        return found, rows.take(found)

    def _search(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``lookup`` by binary search in the sorted keys."""
        found, places = self._find(query)
        return found, self.rows.take(places)

    def _find(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions in ``query`` that are table keys, where in ``keys`` each is: the first of equal keys)."""
        if not len(query):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if len(query) < _SORT_FROM:
            at = self.keys.searchsorted(query)
        else:  # the same positions, found in ascending order: each search starts where the last one ended and
            # walks memory already read (a batch's keys at random cost about five times as much)
            order = query.argsort()
            at = np.empty(len(query), dtype=np.intp)
            at[order] = self.keys.searchsorted(query[order])
        at = np.minimum(at, len(self.keys) - 1)  # (read by ``take``: a fancy index costs more per call)
        found = (self.keys.take(at) == query).nonzero()[0]
        return found, at.take(found)


def acts_kernel(table_keys: np.ndarray, rows: np.ndarray, lengths: list[int]) -> Any:
    """``KeyTable.kernel``: the C kernel over sorted ``table_keys`` and their ``rows``, or None when it is not built
    (or switched off: ``HOTLINE_NATIVE=0``) or it refuses ``lengths`` (not ascending from 1)."""
    try:
        from hotline._kernels.acts import ActsKernel
    except ImportError:
        return None
    try:
        return ActsKernel(np.ascontiguousarray(table_keys, dtype=np.uint64), np.ascontiguousarray(rows, dtype=np.int64),
                          list(lengths))
    except ValueError:
        return None


SPOT_CHECKS = 64


def vocabulary_digest(vocab: np.ndarray) -> str:
    """What a saved key table was computed from: the vocabulary array, byte for byte, and the key scheme."""
    digest = hashlib.sha256(f"{vocab.dtype.str}|{vocab.shape}|{int(MULTIPLIER)}|".encode())
    digest.update(np.ascontiguousarray(vocab).tobytes())
    return digest.hexdigest()


def saved_table(vocab: np.ndarray, saved: Mapping[str, np.ndarray]) -> KeyTable | None:
    """The key table saved beside ``vocab`` (``KeyTable.saved``), or None when there is none or it does not
    belong to this vocabulary and today's keys: a different digest, a wrong shape, unsorted keys, rows that
    are not each vocabulary row once, or spot-checked keys that ``key_of`` computes differently."""
    try:
        table_keys, rows, digest = saved["table_keys"], saved["table_rows"], saved["table_digest"]
    except KeyError:
        return None
    n = len(vocab)
    if (vocab.dtype.kind != "U" or str(digest) != vocabulary_digest(vocab) or table_keys.dtype != np.uint64 or table_keys.shape != (n,)
            or rows.shape != (n,) or rows.dtype.kind not in "iu"):
        return None
    rows = rows.astype(np.int64)
    if n and (not _sorted_stably(table_keys, rows) or rows.min() < 0 or rows.max() >= n
              or not np.all(np.bincount(rows, minlength=n) == 1)):
        return None
    if any(key_of(str(vocab[rows[i]])) != int(table_keys[i]) for i in spot_checked(n)):
        return None
    return KeyTable((), (table_keys, rows, _lengths(vocab)))


def remembered_table(source: Path, vocab: np.ndarray, saved: Mapping[str, np.ndarray]) -> KeyTable | None:
    """``saved_table`` of the file ``source``, its checks (the vocabulary's digest, the order of the keys, each row
    once, the spot checks: ~35M instructions a speaker at every start) and the lengths they find remembered in the
    start-up cache (``hotline.cache``) for that very file: its path, size and modification time name the slot, and
    the package's code (today's key scheme) is part of every slot's key. A table not checked this way is checked."""
    from hotline.cache import cached

    try:
        st = os.stat(source)
    except OSError:
        return saved_table(vocab, saved)
    slot = f"acts:table|{os.path.abspath(source)}|{st.st_size}|{st.st_mtime_ns}"
    found = cached(slot, (), lambda: _checked(vocab, saved), tuple)
    if len(found) != 2 or found[0] is not True or not isinstance(found[1], list):
        return None
    return KeyTable((), (saved["table_keys"], saved["table_rows"].astype(np.int64), found[1]))


def _checked(vocab: np.ndarray, saved: Mapping[str, np.ndarray]) -> tuple[bool, list[int]]:
    """(whether ``saved_table`` takes the saved table, the lengths it reads from the vocabulary)."""
    table = saved_table(vocab, saved)
    return (True, list(table.lengths)) if table is not None else (False, [])


def spot_checked(n: int) -> list[int]:
    """The positions of a saved table whose keys are computed again when it is read."""
    k = min(n, SPOT_CHECKS)
    return sorted({round(i * (n - 1) / max(k - 1, 1)) for i in range(k)})


def _lengths(vocab: np.ndarray) -> list[int]:
    """The n-gram lengths in a vocabulary saved as a fixed-width string array: numpy drops trailing NULs, so
    a gram is as long as its last non-NUL code point is far (column by column; numpy's string and unique
    helpers cost more, in imports alone, than reading the whole table)."""
    if not len(vocab):
        return []
    nonzero = vocab.view(np.uint32).reshape(len(vocab), -1) != 0
    present, further = [], np.zeros(len(vocab), dtype=bool)  # further: a code point after this column
    for n in range(nonzero.shape[1], 0, -1):
        if (nonzero[:, n - 1] & ~further).any():
            present.append(n)
        further |= nonzero[:, n - 1]
    if not further.all():
        present.append(0)  # the empty gram
    return sorted(present)


def _sorted_stably(table_keys: np.ndarray, rows: np.ndarray) -> bool:
    """Keys ascending, and equal keys (a collision) in vocabulary order, as ``KeyTable`` sorts them."""
    if np.any(table_keys[1:] < table_keys[:-1]):
        return False
    ties = table_keys[1:] == table_keys[:-1]
    return not np.any(rows[1:][ties] < rows[:-1][ties])


class Vocabulary(Sequence[str]):
    """A vocabulary as saved (a fixed-width string array), made into Python strings only when something reads
    them: judging calls needs only the key table, and making 100,000 strings costs a start-up 6 ms."""

    def __init__(self, array: np.ndarray):
        self.array = array
        self._items: list[str] | None = None

    def _list(self) -> list[str]:
        if self._items is None:
            self._items = self.array.tolist()
        return self._items

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        return self._list()[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._list())

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return self._list() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, so unhashable like one


class Spans:
    """Some n-grams of a text of a given length, as (start, length) pairs, and what computing all their keys
    at once needs: each n-gram's code points gathered into a row (``index``), and the multipliers that make
    ``keys``' polynomial of each row (``coef``: zero past the n-gram's end; ``base``: its length's term)."""

    spans: list[tuple[int, int]]
    slices: list[slice]
    index: np.ndarray  # (n_spans, longest): positions in the text
    coef: np.ndarray  # (n_spans, longest): MULTIPLIER ** (n - 1 - j), or 0 for j ≥ n
    base: np.ndarray  # (n_spans,): n · MULTIPLIER ** n

    def __init__(self, spans: list[tuple[int, int]]):
        width = max((n for _, n in spans), default=0)
        m = int(MULTIPLIER)
        self.spans = spans
        self.slices = [slice(i, i + n) for i, n in spans]
        self.index = np.array([[i + j if j < n else 0 for j in range(width)] for i, n in spans],
                              dtype=np.intp).reshape(len(spans), width)
        self.coef = np.array([[pow(m, n - 1 - j, 1 << 64) if j < n else 0 for j in range(width)] for _, n in spans],
                             dtype=np.uint64).reshape(len(spans), width)
        self.base = np.array([n * pow(m, n, 1 << 64) & _MASK for _, n in spans], dtype=np.uint64)

    def keys(self, codes: np.ndarray) -> np.ndarray:
        """The key of every span of the text whose ``codes_of`` is ``codes`` (``keys`` of each, in one pass)."""
        with np.errstate(over="ignore"):
            return (codes.take(self.index) * self.coef).sum(axis=1) + self.base  # type: ignore[no-any-return]
