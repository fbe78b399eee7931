"""Predicted dissatisfaction: a ridge regression of the caller's satisfaction on two kinds of
features, then calibrated into the probability that the caller ends up dissatisfied.

- What each side *did*: for every act of the act model, its strongest, mean, first-turn and last-turn
  probability over the call, plus the call's shape (turns, length, exclamation and question marks).
- What was *said*: character n-grams (1–3) of each side, hashed into a fixed number of buckets and
  weighted like TF-IDF. The fitted model holds numbers only (bucket weights), never text.

It is fitted on dialogues with satisfaction scores (``hotline citizen train``: the bundled model on
customer-service dialogues rated by annotators; a centre refits it on its own 回访 results)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hotline.acts.hashing import MULTIPLIER, codes_of, keys, keys_by_length
from hotline.citizen.kernel import kernel_function
from hotline.citizen.settings import CitizenError, SatisfactionSettings
from hotline.content import data_path
from hotline.inspect.context import CallContext
from hotline.model import Speaker

STATS = ("max", "mean", "first", "last")
SHAPE = ("citizen_turns", "agent_turns", "log_citizen_chars", "log_agent_chars", "exclamations", "questions",
         "citizen_speaks_last")


def model_dir() -> Path:
    """Where the dissatisfaction model is read from: ``HOTLINE_CITIZEN_MODEL`` (a center's own model,
    trained on its 回访 results with ``hotline citizen train … -o DIR``), else the bundled one."""
    own = os.environ.get("HOTLINE_CITIZEN_MODEL")
    return Path(own) if own else data_path("citizen", "model")


def feature_names(ctx: CallContext) -> list[str]:
    model = ctx.act_model()
    return [f"{act}:{s}" for sp in ("citizen", "agent") for s in STATS for act in model.for_speaker(sp).acts] + list(SHAPE)


def spoken(ctx: CallContext, speaker: str) -> tuple[list[int], list[str]]:
    """The turns of ``speaker`` with words and their normalised texts, found once per call (every stage of
    the citizen block reads them)."""
    key = ("spoken", speaker)
    ready = ctx.prepared.get(key)
    if ready is None:
        norm = ctx.norm
        turns = [t for t in ctx.turns_of(speaker) if norm[t].text]
        ready = ctx.prepared[key] = (turns, [norm[t].text for t in turns])
    return ready  # type: ignore[no-any-return]


def _collect(ctx: CallContext, speaker: str, turns: list[int], sizes: list[int], blocks: list[np.ndarray]) -> None:
    """The turns of a speaker with clauses (words, not only punctuation), how many clauses each has, and their
    probability rows (the block the act model gave for the speaker's turns: the same rows, turn after turn).
    Read from the call's table of each turn's clauses (``clause_acts`` of every turn of the speaker, in turn
    order) at once: no lookup of the turn's speaker per turn."""
    block = ctx.clause_probs(speaker)  # judges the speaker's turns when no batch has
    if not len(block):  # no clause (or no turn): the block holds these turns' rows only
        return
    table: dict[int, list[Any]] = ctx._acts[speaker]
    for t, clauses in table.items():
        if clauses:  # a turn without words, or of punctuation only, has none
            turns.append(t)
            sizes.append(len(clauses))
    blocks.append(block)


@dataclass
class ClauseTurns:
    """The citizen turns with clauses of a chunk (``prepare_clause_stats``): ``turns`` in call order, the calls
    that have any (``owners``, indices into the chunk), where each one's turns start in ``turns`` (``bounds``,
    one more than ``owners``), and per column group each of those turns' strongest probability."""

    turns: list[int]
    owners: list[int]
    bounds: list[int]
    strongest: dict[str, np.ndarray]


def prepare_clause_stats(contexts: list[CallContext], groups: dict[str, list[int]]) -> tuple[np.ndarray, ClauseTurns]:
    """``act_features`` of many calls in one numpy pass (kept in each context, and returned one row per call),
    and the citizen's clause turns with, for each column group of ``groups``, each turn's strongest probability
    over the group's columns and the turn's clauses. The same numbers the single-call path computes: maxima
    are exact in any order, and each call's sum runs over its rows one after the other as ``mean`` does (each side's
    statistics by ``clause_stats``: the C kernel's when built, one pass over the rows, else numpy's)."""
    model = contexts[0].act_model()
    n = len(contexts)
    width = sum(len(model.for_speaker(sp).acts) for sp in ("citizen", "agent")) * len(STATS) + len(SHAPE)
    feats = np.zeros((n, width))
    offset = 0
    strongest: dict[str, np.ndarray] = {}
    clause_turns = ClauseTurns([], [], [0], {})
    for speaker in ("citizen", "agent"):
        acts = len(model.for_speaker(speaker).acts)
        turns: list[int] = []
        sizes: list[int] = []
        blocks: list[np.ndarray] = []
        owners: list[int] = []  # the calls with clauses
        bounds: list[int] = [0]  # where each of those calls' turns start in ``turns``
        for c, ctx in enumerate(contexts):
            before = len(turns)
            _collect(ctx, speaker, turns, sizes, blocks)
            if len(turns) > before:
                owners.append(c)
                bounds.append(len(turns))
        if blocks:
            names = list(groups) if speaker == "citizen" else []
            stats, per_group = clause_stats(blocks, sizes, bounds, acts, [groups[name] for name in names])
            # the calls with clauses: every call of the chunk as a rule (a slice, not rows picked one by one)
            at: Any = slice(None) if len(owners) == n else np.asarray(owners, dtype=np.int64)
            feats[at, offset:offset + len(STATS) * acts] = stats
            for name, values in zip(names, per_group, strict=True):
                strongest[name] = values
        if speaker == "citizen":
            clause_turns = ClauseTurns(turns, owners, bounds, strongest)
        offset += acts * len(STATS)
    rows: list[float] = []  # the calls' shape rows one after the other (one flat list: a faster array)
    chars: list[int] = []
    for ctx in contexts:
        call_turns = ctx.call.turns
        said = [call_turns[t].text for t in ctx.turns_of("citizen")]
        answered = [len(call_turns[t].text) for t in ctx.turns_of("agent")]
        citizen = "".join(said)
        chars.extend((len(citizen), sum(answered)))
        rows.extend((len(said), len(answered), 0.0, 0.0, citizen.count("!") + citizen.count("！"),
                     citizen.count("?") + citizen.count("？"),
                     float(bool(ctx.speakers) and ctx.speakers[-1] is Speaker.CITIZEN)))
    shape = np.array(rows, dtype=np.float64).reshape(n, len(SHAPE))
    shape[:, 2:4] = np.log1p(np.array(chars, dtype=np.int64).reshape(n, 2))
    feats[:, offset:] = shape
    for c, ctx in enumerate(contexts):
        ctx.prepared[("act_features",)] = feats[c]
    return feats, clause_turns



def stats_kernel() -> Any:
    """``hotline._kernels.citizen.clause_stats``, or None when it is not built (plain Python, a failed build, a
    stale one, ``HOTLINE_NATIVE=0``): the numpy path then."""
    return kernel_function("clause_stats")


def clause_stats(blocks: list[np.ndarray], sizes: list[int], bounds: list[int], acts: int,
                 groups: list[list[int]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """One side's clause statistics (``prepare_clause_stats``): the clause rows ``blocks`` (one after the other, of
    ``acts`` columns), ``sizes[t]`` rows for clause turn t, the calls' turns ``bounds[o]`` to ``bounds[o + 1]``; each
    call's max, mean, first and last of every act side by side (float32, one row per call, in ``STATS`` order), and
    per group of ``groups`` (column indices) each turn's strongest over its columns (float64). From the C kernel
    when built (``_kernel_stats``), else numpy (``_numpy_stats``): the same numbers."""
    # (one call of one act: ``_sums`` adds that call's rows pairwise, numpy's order for a reduction over one
    # contiguous axis, which the kernel does not follow: numpy then)
    done = _kernel_stats(blocks, sizes, bounds, acts, groups) if (len(bounds) - 1) * acts > 1 else None
    return done if done is not None else _numpy_stats(blocks, sizes, bounds, acts, groups)


def _numpy_stats(blocks: list[np.ndarray], sizes: list[int], bounds: list[int], acts: int,
                 groups: list[list[int]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """``clause_stats`` with numpy: maxima are exact in any order, and each call's sum runs over its rows one after
    the other as ``mean`` does."""
    table = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    size_of = np.array(sizes, dtype=np.int64)  # (the list made an array once: each costs a pass of lookups)
    starts = np.zeros(len(sizes), dtype=np.int64)
    size_of[:-1].cumsum(out=starts[1:])
    per_turn = _maxima(table, starts, size_of)  # each clause turn's strongest probabilities
    edges = np.asarray(bounds, dtype=np.int64)
    first = edges[:-1]
    last = edges[1:] - 1
    counts = np.add.reduceat(size_of, first)
    mean = _sums(table, starts[first], counts) / counts.astype(np.float32)[:, None]
    stats = np.concatenate((_maxima(per_turn, first, edges[1:] - first),  # (each call's turns)
                            mean, per_turn[first], per_turn[last]), axis=1)
    return stats, [per_turn[:, cols].max(1).astype(np.float64) if cols else np.zeros(len(sizes)) for cols in groups]


def _kernel_stats(blocks: list[np.ndarray], sizes: list[int], bounds: list[int], acts: int,
                  groups: list[list[int]], kernel: Any = None) -> tuple[np.ndarray, list[np.ndarray]] | None:
    """What ``prepare_clause_stats``' numpy lines give for one side, from the C kernel (``kernel``, else
    ``stats_kernel``) in one pass over the clause rows instead of some twenty numpy calls: each call's max, mean,
    first and last of every act side by side (float32, one row per call with clauses, as the four blocks of
    ``feats`` are laid out), and per group each clause turn's strongest over its columns (float64). The same
    numbers: maxima are exact in any order (NaN wins, as in ``np.maximum``), each call's sum adds its rows one
    after the other in float32 as ``_sums`` does, divided in float32 by the count made a float32. None when the
    kernel is not there or refuses the rows (``ValueError``: not float32 rows of ``acts`` columns, say)."""
    if kernel is None:
        kernel = stats_kernel()
        if kernel is None:
            return None
    try:
        stats, per_group = kernel(blocks, sizes, bounds, acts, groups)
    except ValueError:
        return None
    return (np.frombuffer(stats, dtype=np.float32).reshape(len(bounds) - 1, 4 * acts),
            [np.frombuffer(b, dtype=np.float64) for b in per_group])


def _maxima(table: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``np.maximum.reduceat(table, starts, axis=0)`` of runs of ``counts[i] ≥ 1`` rows from ``starts[i]`` (the
    runs one after the other, covering ``table``). A maximum is exact in any order: with the runs ordered by
    length, the k-th row of every run still going is taken at once (a few numpy calls per k) instead of one
    inner loop per row (reduceat's); when one run is far longer than most, reduceat."""
    longest = int(counts.max()) if len(counts) else 0
    if longest * 100 > len(table):
        return np.maximum.reduceat(table, starts, axis=0)  # type: ignore[no-any-return]
    # (numpy's functions called as the arrays' own methods: no Python wrapper around each, one a row here)
    order = (-counts).argsort(kind="stable")  # the most rows first: the runs still going are a prefix
    begin = starts[order]
    going = (-counts[order]).searchsorted(-np.arange(1, longest), side="left").tolist()  # runs longer than k
    acc = table.take(begin, axis=0)
    for k in range(1, longest):
        head = acc[:going[k - 1]]
        np.maximum(head, table.take(begin[:len(head)] + k, axis=0), out=head)
    out = np.empty_like(acc)
    out[order] = acc
    return out


def _sums(table: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The sum of each run of ``counts[i]`` rows from ``starts[i]`` (the runs one after the other, covering
    ``table``), added one row after the other as ``table[a:b].sum(0)`` does (``np.add.reduceat`` adds
    pairwise: other last bits). The runs are laid side by side, padded with zeros, and summed over the first
    axis, which adds row after row (a zero added at the end changes no sum of probabilities)."""
    if not len(counts):
        return np.zeros((0, table.shape[1]), dtype=table.dtype)
    longest = int(counts.max())
    if longest * len(counts) > 4 * len(table) + 4096:  # one run much longer than the others: not padded
        order = np.argsort(-counts, kind="stable")  # the most rows first: the runs still adding are a prefix
        begin = starts[order]
        left = counts[order]
        acc = table[begin]
        for k in range(1, longest):
            live = int(np.count_nonzero(left > k))
            acc[:live] += table[begin[:live] + k]
        out = np.empty_like(acc)
        out[order] = acc
        return out
    padded = np.zeros((longest * len(counts), table.shape[1]), dtype=table.dtype)
    run = np.arange(len(counts)).repeat(counts)
    # each row at (its place in its run, its run), as one index into the rows of the padded table laid flat
    # (numpy's indexing by one array takes a faster path than by two)
    padded[(np.arange(len(table)) - starts[run]) * len(counts) + run] = table
    return padded.reshape(longest, len(counts), table.shape[1]).sum(0)  # type: ignore[no-any-return]


def act_features(ctx: CallContext) -> np.ndarray:
    """Act statistics of both sides and the call's shape, in ``feature_names`` order."""
    ready = ctx.prepared.get(("act_features",))
    if ready is None:
        prepare_clause_stats([ctx], {})
        ready = ctx.prepared[("act_features",)]
    return ready  # type: ignore[no-any-return]


def text_buckets(ctx: CallContext, s: SatisfactionSettings) -> tuple[np.ndarray, np.ndarray]:
    """(bucket, weight) of the hashed n-grams of each side's words: the agent's buckets follow the
    citizen's; counts are sublinear (1 + log n) and the agent's weigh ``agent_weight``."""
    ready = ctx.prepared.get(("text_buckets", id(s)))
    if ready is not None:
        return ready
    cols, vals, _ = _grams(ctx, s, positions=False)
    return cols, vals


def prepare_text_buckets(contexts: list[CallContext], s: SatisfactionSettings) -> ChunkGrams | None:
    """``text_buckets`` of many calls in one numpy pass (bulk inspection), kept in each context.
    Every n-gram key, bucket and count is the one the single-call path computes, and so is each call's
    arrays' order: its citizen's buckets ascending, then its agent's. Each n-gram is numbered by its bucket
    and its (call, side) at once, ``(2 × call + side) × buckets + bucket``, so one sort of those numbers
    groups and counts them, and the numbers themselves say each one's side and column. Returns what
    ``SatisfactionModel.prepare`` reads again for the drivers of the calls it explains (None without words)."""
    pieces: list[str] = []
    owner: list[int] = []  # each piece's (2 × call + side)
    weight = s.agent_weight
    for c, ctx in enumerate(contexts):
        texts = spoken(ctx, "citizen")[1]
        if texts:
            pieces.append(f"^{''.join(texts)}$")
            owner.append(2 * c)
        if weight:
            texts = spoken(ctx, "agent")[1]
            if texts:
                pieces.append(f"^{''.join(texts)}$")
                owner.append(2 * c + 1)
    key = ("text_buckets", id(s))
    if not pieces:
        for ctx in contexts:
            ctx.prepared[key] = (np.zeros(0, dtype=np.int64), np.zeros(0))
        return None
    grams = _kernel_grams(pieces, owner, s, len(contexts))  # the C kernel's, when built
    if grams is None:
        grams = _numpy_grams(pieces, owner, s, len(contexts))
    cols, vals, bounds = grams.cols, grams.vals, grams.bounds
    assert cols is not None and vals is not None and bounds is not None
    for c, ctx in enumerate(contexts):
        a, b = bounds[c], bounds[c + 1]
        ctx.prepared[key] = (cols[a:b], vals[a:b])
    return grams


def _numpy_grams(pieces: list[str], owner: list[int], s: SatisfactionSettings, calls: int) -> ChunkGrams:
    """The chunk's n-grams (``_counted_keys``) with each call's columns, weights and where its run starts, with numpy
    (``prepare_text_buckets`` without the C kernel)."""
    width = 2 * s.buckets  # the numbers of one call: its citizen's buckets, then its agent's
    grams = _counted_keys(pieces, owner, s, width * calls)
    combined, counts = grams.combined, grams.counts
    edges = combined.searchsorted(np.arange(0, width * (calls + 1), width, dtype=combined.dtype))
    # each number's column: its remainder by ``width`` (its low bits when ``width`` is a power of two)
    span = np.asarray(width, dtype=combined.dtype)
    cols = combined & (span - 1) if width & (width - 1) == 0 else combined % span
    cols = cols.astype(np.int64)
    vals = _per_side(_sublinear(counts, s.agent_weight, s.buckets), cols, s.buckets, counts)  # (1 + log n) × the side's weight
    grams.cols, grams.vals, grams.bounds = cols, vals, edges.tolist()
    return grams


def grams_kernel() -> Any:
    """``hotline._kernels.citizen.chunk_grams``, or None when it is not built (plain Python, a failed build, a stale
    one, ``HOTLINE_NATIVE=0``): the numpy path then."""
    return kernel_function("chunk_grams")


_NO_COUNTS = np.zeros(0, dtype=np.int64)


def _kernel_grams(pieces: list[str], owner: list[int], s: SatisfactionSettings, calls: int,
                  kernel: Any = None) -> ChunkGrams | None:
    """What ``_counted_keys`` and ``prepare_text_buckets``' lines after it give (the chunk's n-grams, each call's
    columns, weights and where its run starts), from the C kernel (``kernel``, else ``grams_kernel``) in one call
    instead of a few numpy passes and a sort of every n-gram: the same keys and buckets (the 64-bit key's
    polynomial in wrapping unsigned arithmetic, its low bits or its remainder), the same numbers, and each distinct
    one ascending with its count (the owners ascend piece after piece, so each piece's buckets ascending, piece
    after piece, are the chunk's numbers sorted); each weight read from ``_sublinear``'s table at its side and
    count, as ``_per_side`` reads it (a count past the table: the table grown and ``_per_side``). None when the
    kernel is not there or refuses the chunk (``ValueError``: the numpy path then)."""
    if kernel is None:
        kernel = grams_kernel()
        if kernel is None:
            return None
    small = 2 * s.buckets * calls < 2**32  # ``_counted_keys``' choice of width
    dtype = np.uint32 if small else np.uint64
    weight = s.agent_weight
    try:
        numbers, combined, counts, cols, vals, bounds = kernel(pieces, owner, s.buckets, s.ngram_max,
                                                               4 if small else 8, calls,
                                                               _sublinear(_NO_COUNTS, weight, s.buckets))
    except ValueError:
        return None
    count_of = np.frombuffer(counts, dtype=np.int64)
    col_of = np.frombuffer(cols, dtype=np.int64)
    val_of = (np.frombuffer(vals, dtype=np.float64) if vals is not None
              else _per_side(_sublinear(count_of, weight, s.buckets), col_of, s.buckets, count_of))
    return ChunkGrams(pieces, owner, [np.frombuffer(b, dtype=dtype) for b in numbers], 2**32 - 1 if small else 2**64 - 1,
                      np.frombuffer(combined, dtype=dtype), count_of, col_of, val_of, bounds)


@dataclass
class ChunkGrams:
    """The n-grams of a chunk's words (``prepare_text_buckets``): its pieces (a call's side's words joined,
    ``^…$``) and each one's ``2 × call + side``; per n, the number of the n-gram starting at each character of
    the pieces joined (``(2 × call + side) × buckets + bucket``, ``crossing`` when it runs into the next
    piece), in text order; each distinct number once, ascending, with how often it occurs."""

    pieces: list[str]
    owner: list[int]
    numbers: list[np.ndarray]
    crossing: int
    combined: np.ndarray
    counts: np.ndarray
    cols: np.ndarray | None = None  # ``text_buckets`` of the chunk's calls one after the other
    vals: np.ndarray | None = None
    bounds: list[int] | None = None  # where each call's run starts in them (one more than the calls)


def _counted_keys(pieces: list[str], owner: list[int], s: SatisfactionSettings, top: int) -> ChunkGrams:
    """Every n-gram (1 to ``ngram_max``) of every piece numbered ``owner × buckets + bucket`` (the numbers
    below ``top``), each distinct number once, ascending, with how often it occurs. An n-gram counts when it
    ends inside its piece (what hashing each piece alone gives): over the pieces joined, one that starts in
    the last n - 1 characters of a piece runs into the next, and is numbered past every other (sorted last,
    then dropped). The numbers are 32-bit when they fit (a faster sort, the same order)."""
    lengths = [len(p) for p in pieces]
    joined = "".join(pieces)
    small = top < 2**32
    dtype = np.uint32 if small else np.uint64  # the largest number of the type marks a crossing n-gram
    crossing = 2**32 - 1 if small else 2**64 - 1  # (``np.iinfo(dtype).max``, without making an iinfo per chunk)
    number = (np.asarray(owner, dtype=dtype) * np.asarray(s.buckets, dtype=dtype)).repeat(lengths)
    ends = np.array(lengths, dtype=np.int64).cumsum()[:-1]  # where each piece but the last ends (the last one's n-grams end in it)
    tails = [ends - j for j in range(1, s.ngram_max)]
    parts = []
    lengths_n = range(1, s.ngram_max + 1)
    if s.buckets & (s.buckets - 1) == 0 and s.buckets <= 2**32:
        # % buckets, with buckets a power of two: the key's low bits, which the key taken modulo 2³² has too (its
        # polynomial computed in 32-bit numbers: half the bytes a pass, no widening of the codes and no narrowing
        # of the buckets to 32 bits); each array made afresh, so taken to its bucket and numbered in place
        low32 = np.uint32(s.buckets - 1)
        for n, grams in zip(lengths_n, _low_keys(joined, lengths_n), strict=False):
            np.bitwise_and(grams, low32, out=grams)
            numbers = grams if small else grams.astype(dtype)
            np.add(numbers, number[:len(numbers)], out=numbers)
            for tail in tails[:n - 1]:
                numbers[tail] = crossing
            parts.append(numbers)
    else:  # the remainder of the 64-bit key
        modulus = np.uint64(s.buckets)
        for n, grams in zip(lengths_n, keys_by_length(codes_of(joined), lengths_n), strict=False):  # keys(codes, n)
            numbers = (grams % modulus).astype(dtype)
            np.add(numbers, number[:len(numbers)], out=numbers)
            for tail in tails[:n - 1]:
                numbers[tail] = crossing
            parts.append(numbers)
    flat = np.concatenate(parts)  # a copy: the parts stay in text order
    flat.sort()
    inside = flat[:flat.searchsorted(crossing)]
    at = _changes(inside)
    # each run's first number gathered with ``take`` (a fancy index takes numpy's general indexing path, about a
    # sixth more a number) and its length a subtraction (``np.diff``: a Python function)
    return ChunkGrams(pieces, owner, parts, crossing, inside.take(at[:-1]), at[1:] - at[:-1])


_MULTIPLIER32 = np.uint32(int(MULTIPLIER) & 0xFFFFFFFF)


def _low_keys(text: str, lengths: range) -> Iterator[np.ndarray]:
    """``keys_by_length(codes_of(text), lengths)`` modulo 2³², a new uint32 array for each of ``lengths`` (from 1,
    ascending): the key is a polynomial of the code points, and a sum and a product taken modulo 2³² are the 64-bit
    ones' low 32 bits (2³² divides 2⁶⁴), so each key's low bits are the 64-bit key's."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)  # (``codes_of``'s code points)
    poly = codes  # the polynomial of the n-grams of length ``made`` (arrays wrap around silently: no errstate)
    made = 1
    for n in lengths:
        if len(codes) < n:
            return
        while made < n:
            made += 1
            poly = poly[:-1] * _MULTIPLIER32
            np.add(poly, codes[made - 1:], out=poly)
        yield poly + np.uint32(n * pow(int(MULTIPLIER), n, 1 << 32) & 0xFFFFFFFF)


_SUBLINEAR: dict[float, np.ndarray] = {}
_SHARES: dict[float, np.ndarray] = {}


def _sublinear(counts: np.ndarray, weight: float, least: int = 0) -> np.ndarray:
    """A table of ``1 + log n`` (row 0, the citizen's) and ``weight × (1 + log n)`` (row 1, the agent's) for
    every n in ``counts`` (at ``[side, n]``): the numbers ``side_weight × (1 + np.log(counts))`` gives element
    by element (numpy's log of a count is the same number wherever the count sits in an array)."""
    return _count_table(_SUBLINEAR, counts, weight, lambda n: 1 + np.log(n), least)


def _shares(counts: np.ndarray, weight: float, least: int = 0) -> np.ndarray:
    """Like ``_sublinear``, each occurrence's share of its bucket's weight: ``(1 + log n) / n`` (row 0) and
    ``weight × (1 + log n) / n`` (row 1), the numbers ``piece_weight × ((1 + np.log(counts)) / counts)`` gives."""
    return _count_table(_SHARES, counts, weight, lambda n: (1 + np.log(n)) / n, least)


def _count_table(tables: dict[float, np.ndarray], counts: np.ndarray, weight: float,
                 of: Callable[[np.ndarray], np.ndarray], least: int = 0) -> np.ndarray:
    """The table of ``of(n)`` (row 0) and ``weight × of(n)`` (row 1) for n from 0 to past the largest of
    ``counts`` (n = 0 never occurs: 0 there), rows at least ``least`` long, kept per weight in ``tables`` and
    grown in powers of two."""
    most = int(counts.max()) if len(counts) else 0
    table = tables.get(weight)
    if table is None or table.shape[1] <= most or table.shape[1] < least:
        size = 256
        while size <= most or size < least:
            size *= 2
        row = np.concatenate((np.zeros(1), of(np.arange(1, size, dtype=np.int64))))
        if len(tables) > 8:  # settings made anew (tests): keep the tables small
            tables.clear()
        table = tables[weight] = np.stack((1.0 * row, weight * row))
    return table


def _per_side(table: np.ndarray, cols: np.ndarray, buckets: int, counts: np.ndarray) -> np.ndarray:
    """``table[side, counts]``, the side of each of ``cols`` (int64, below ``2 × buckets``) ``cols >= buckets``
    (row 1: the agent's), as one gather from the flat table (numpy's indexing by two arrays takes a slower,
    general path)."""
    width = table.shape[1]
    if width == buckets and buckets & (buckets - 1) == 0:
        # rows as long as the buckets, a power of two (``least``): the side's row starts at the column's bit of
        # ``buckets`` itself (an and, where int64 shifts cost numpy a few times more)
        return np.take(table.ravel(), (cols & buckets) + counts)
    if buckets & (buckets - 1) == 0 and width & (width - 1) == 0:
        # both powers of two: the side is the bit of ``buckets`` of the column, moved to the bit of ``width``
        # (integer shifts, where a boolean array times a number is cast element by element)
        return np.take(table.ravel(), ((cols >> (buckets.bit_length() - 1)) << (width.bit_length() - 1)) + counts)
    return np.take(table.ravel(), counts + (cols >= buckets) * width)


def _grouped(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True, return_counts=True)`` of non-negative keys, sorted as 32-bit
    numbers when they fit: each distinct key once, the group of each key, how often each occurs."""
    small = len(keys) > 0 and int(keys.max()) < 2**32
    narrow = keys.astype(np.uint32) if small else keys
    order = np.argsort(narrow)
    ordered = narrow[order]
    at = _changes(ordered)
    inverse = np.empty(len(keys), dtype=np.intp)
    inverse[order] = np.repeat(np.arange(len(at) - 1), np.diff(at))
    return ordered[at[:-1]].astype(np.int64), inverse, np.diff(at)


def _changes(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values of ``ordered`` starts, and its length at the end."""
    change = np.empty(len(ordered) + 1, dtype=bool)
    change[0] = change[-1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=change[1:-1])
    return change.nonzero()[0]  # (``np.flatnonzero``'s, without its Python wrappers)


def _occurrences(pieces: list[str], s: SatisfactionSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every n-gram (1 to ``ngram_max``) of every piece, over the pieces joined: its bucket, its piece and its
    position in the joined text; n after n, and for each n in the order of the text. An n-gram counts when it
    ends inside its piece (what hashing each piece alone gives)."""
    lengths = np.array([len(p) for p in pieces], dtype=np.int64)
    codes = codes_of("".join(pieces))
    piece_of = np.repeat(np.arange(len(pieces)), lengths)
    left = np.cumsum(lengths)[piece_of] - np.arange(len(codes), dtype=np.int64)  # characters from here to the piece's end
    modulus = np.uint64(s.buckets)
    low = np.uint64(s.buckets - 1) if s.buckets & (s.buckets - 1) == 0 else None
    buckets, owners, positions = [], [], []
    lengths_n = range(1, s.ngram_max + 1)
    for n, grams in zip(lengths_n, keys_by_length(codes, lengths_n), strict=False):  # keys(codes, n), n after n
        # % buckets: with buckets a power of two, its low bits (the same numbers; a 64-bit % costs ~50× more)
        grams = grams & low if low is not None else grams % modulus
        if n == 1:  # every 1-gram ends inside its piece
            buckets.append(grams.astype(np.int64))
            owners.append(piece_of)
            positions.append(np.arange(len(grams), dtype=np.int64))
            continue
        inside = np.flatnonzero(left[:len(grams)] >= n)
        buckets.append(grams[inside].astype(np.int64))
        owners.append(piece_of[inside])
        positions.append(inside)
    return np.concatenate(buckets), np.concatenate(owners), np.concatenate(positions)


def prepare_pulls(contexts: list[CallContext], model: SatisfactionModel) -> None:
    """``SatisfactionModel.pulls`` of many calls in one numpy pass, kept in each context. The numbers are the
    single-call path's to the last bit: every n-gram occurrence, its bucket's count in its side of its call,
    its share and contribution are computed element by element as there; each call's norm is the same dot
    product of the same fresh array; and each turn's occurrences are added one after the other in the same
    order (a turn is one side's, and ``bincount`` adds a bin's weights in array order)."""
    s = model.settings
    pieces: list[str] = []
    weights: list[float] = []
    owner: list[int] = []  # each piece's call (an index into ``contexts``)
    sides: list[int] = []  # each piece's side: 0 the citizen's, 1 the agent's
    turn_ids: list[int] = []  # per piece and turn: a number for (call, turn) over the chunk
    repeats: list[int] = []  # how many positions of the joined pieces each of those turns owns
    starts = [0]  # each call's first (call, turn) number; the last entry is how many there are
    for c, ctx in enumerate(contexts):
        base = starts[-1]
        for side, (speaker, weight) in enumerate((("citizen", 1.0), ("agent", s.agent_weight))):
            chosen, texts = spoken(ctx, speaker)
            if not chosen or not weight:
                continue
            pieces.append(f"^{''.join(texts)}$")
            weights.append(weight)
            owner.append(c)
            sides.append(side)
            sizes = [len(x) for x in texts]
            sizes[0] += 1  # "^" is credited to the first turn, "$" to the last (as ``_grams`` clips them)
            sizes[-1] += 1
            turn_ids.extend(base + t for t in chosen)
            repeats.extend(sizes)
        starts.append(base + len(ctx.norm))
    if not pieces:
        for ctx in contexts:
            ctx.prepared[("pulls", id(model))] = []
        return
    bucket, piece, position = _occurrences(pieces, s)  # n after n, positions in order: ``_grams``'s order
    turn = np.repeat(np.asarray(turn_ids, dtype=np.int64), np.asarray(repeats, dtype=np.int64))[position]
    flat = bucket + np.asarray(sides, dtype=np.int64)[piece] * s.buckets  # the bucket as ``_grams`` numbers it (the agent's after the citizen's)
    grouped, inverse, counts = _grouped(piece * (2 * s.buckets) + flat)
    piece_weight = np.asarray(weights)
    group_piece = grouped // (2 * s.buckets)
    raw = piece_weight[group_piece] * (1 + np.log(counts))
    cols = grouped - group_piece * (2 * s.buckets)
    share = piece_weight[piece] * ((1 + np.log(counts)) / counts)[inverse]
    call_of_group = np.asarray(owner, dtype=np.int64)[group_piece]
    bounds = np.searchsorted(call_of_group, np.arange(len(contexts) + 1)).tolist()
    weighted = raw * model.idf[cols]  # element by element as each call's; each call's norm over its own run
    dots = [weighted[bounds[c]:bounds[c + 1]] @ weighted[bounds[c]:bounds[c + 1]] for c in range(len(contexts))]
    norms = np.sqrt(np.asarray(dots, dtype=np.float64))
    norms[norms == 0] = 1.0
    call_of = np.asarray(owner, dtype=np.int64)[piece]
    contribution = share * model.idf[flat] * model.text_weights[flat] / norms[call_of]
    sums = np.bincount(turn, weights=contribution, minlength=starts[-1]).tolist()
    present = np.bincount(turn, minlength=starts[-1]).tolist()
    for c, ctx in enumerate(contexts):
        lo = starts[c]
        order = [t for speaker in ("citizen", "agent") for t in ctx.turns_of(speaker) if present[lo + t]]
        ctx.prepared[("pulls", id(model))] = sorted(((t, 0.0 + sums[lo + t]) for t in order), key=lambda kv: kv[1])


def _pulls_from_chunk(contexts: list[CallContext], explained: list[int], grams: ChunkGrams, model: SatisfactionModel,
                      weighted: np.ndarray, bounds: list[int]) -> None:
    """``prepare_pulls`` of the calls ``explained`` (indices into ``contexts``) read from the chunk's n-grams
    (``prepare_text_buckets``) instead of hashed again: each occurrence of an explained call's n-gram in text
    order, n after n (``_grams``'s order), its count among the same numbers, its share and contribution
    element by element as there; each call's norm the dot of its run of ``weighted`` (``predict_chunk``'s,
    element for element the single-call path's array)."""
    s = model.settings
    width = 2 * s.buckets
    wanted = dict.fromkeys(explained)
    ids: list[int] = []  # per turn of an explained piece, a number for (call, turn) over the explained calls
    repeats: list[int] = []  # how many characters of the joined pieces each of those turns holds
    shifts: list[int] = []  # per explained piece, where it starts in the joined pieces less where among them
    sizes_of: list[int] = []  # per explained piece, its characters
    starts: dict[int, int] = {}  # each explained call's first (call, turn) number
    total = 0
    at = 0  # where the piece starts in the joined pieces
    kept = 0  # the characters of the explained pieces before it
    for piece, o in zip(grams.pieces, grams.owner, strict=True):
        c = o >> 1
        size = len(piece)
        if c in wanted:
            base = starts.get(c)
            if base is None:
                base = starts[c] = total
                total += len(contexts[c].norm)
            chosen, texts = spoken(contexts[c], "agent" if o & 1 else "citizen")
            sizes = [len(x) for x in texts]
            sizes[0] += 1  # "^" is credited to the first turn, "$" to the last (as ``_grams`` clips them)
            sizes[-1] += 1
            ids.extend([base + t for t in chosen])
            repeats.extend(sizes)
            shifts.append(at - kept)
            sizes_of.append(size)
            kept += size
        at += size
    # the explained pieces' characters only (their places in the joined pieces, ascending): the other calls'
    # n-grams are never looked at (a chunk explains a few of its calls)
    turn_at = np.repeat(np.asarray(ids, dtype=np.int64), repeats)
    where = np.arange(kept, dtype=np.int64) + np.repeat(np.asarray(shifts, dtype=np.int64), sizes_of)
    crossing = grams.crossing
    found, turns = [], []
    for numbers in grams.numbers:
        cut = int(np.searchsorted(where, len(numbers)))  # (the last piece's last n - 1 characters start none)
        picked = numbers[where[:cut]]
        inside = picked != crossing
        found.append(picked[inside])
        turns.append(turn_at[:cut][inside])
    number = np.concatenate(found)
    turn = np.concatenate(turns)
    counts = _counts_of(number, grams, explained, bounds, width * len(contexts))
    span = np.asarray(width, dtype=number.dtype)
    flat = (number & (span - 1) if width & (width - 1) == 0 else number % span).astype(np.int64)
    share = _per_side(_shares(counts, s.agent_weight), flat, s.buckets, counts)
    norms = np.ones(len(contexts))
    for c in explained:
        run = weighted[bounds[c]:bounds[c + 1]]
        norms[c] = np.sqrt(run.dot(run)) or 1.0
    call_of = (number // span).astype(np.int64)
    pairs = model.pairs64.take(flat, axis=0)  # each occurrence's (idf, text weight)
    contribution = share * pairs[:, 0] * pairs[:, 1] / norms[call_of]
    sums = np.bincount(turn, weights=contribution, minlength=total).tolist()
    present = np.bincount(turn, minlength=total).tolist()
    for c in explained:
        ctx = contexts[c]
        lo = starts[c]
        order = [t for speaker in ("citizen", "agent") for t in ctx.turns_of(speaker) if present[lo + t]]
        ctx.prepared[("pulls", id(model))] = sorted(((t, 0.0 + sums[lo + t]) for t in order), key=lambda kv: kv[1])


def _counts_of(number: np.ndarray, grams: ChunkGrams, explained: list[int], bounds: list[int], top: int) -> np.ndarray:
    """How often each of ``number`` (the inside n-grams of the ``explained`` calls, numbers below ``top``) occurs
    among them: its bucket's count in its side of its call (the number says both), what ``np.unique``'s counts
    read through its inverse give. A call's numbers are its own, and every inside n-gram of an explained call is
    among ``number``, so that is its count in the whole chunk (``grams.counts``, each call's run of them from
    ``bounds[c]`` to ``bounds[c + 1]``): read through a table indexed by the number where only the explained
    calls' runs are written (no sort of the occurrences; the rest of the table is never read, so never filled)."""
    combined, every = grams.combined, grams.counts
    table = np.empty(top, dtype=every.dtype)
    for c in explained:
        a, b = bounds[c], bounds[c + 1]
        table[combined[a:b]] = every[a:b]
    return table.take(number)


def _grams(ctx: CallContext, s: SatisfactionSettings, positions: bool = True) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """``text_buckets`` plus (with ``positions``), per side, every n-gram occurrence's bucket, the turn
    it starts in and its share of its bucket's weight: what ``drivers`` reads."""
    cols, vals, occurrences = [], [], []
    for side, (speaker, weight) in enumerate((("citizen", 1.0), ("agent", s.agent_weight))):
        chosen = [t for t in ctx.turns_of(speaker) if ctx.norm[t].text]
        if not chosen or not weight:
            continue
        texts = [ctx.norm[t].text for t in chosen]
        codes = codes_of(f"^{''.join(texts)}$")
        starts = np.cumsum(np.array([1, *map(len, texts)], dtype=np.int64))[:-1]  # where each turn begins, after "^"
        grams = [keys(codes, n) % np.uint64(s.buckets) for n in range(1, s.ngram_max + 1) if len(codes) >= n]
        flat = np.concatenate(grams).astype(np.int64) + side * s.buckets
        if not positions:
            buckets, counts = np.unique(flat, return_counts=True)
            cols.append(buckets)
            vals.append(weight * (1 + np.log(counts)))
            continue
        buckets, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
        cols.append(buckets)
        vals.append(weight * (1 + np.log(counts)))
        where = np.concatenate([np.arange(len(g)) for g in grams])
        turn_of = np.asarray(chosen)[np.clip(np.searchsorted(starts, where, "right") - 1, 0, None)]
        # each occurrence carries its share of its bucket's sublinear weight
        occurrences.append((flat, turn_of, weight * ((1 + np.log(counts)) / counts)[inverse]))
    if not cols:
        return np.zeros(0, dtype=np.int64), np.zeros(0), []
    return np.concatenate(cols), np.concatenate(vals), occurrences


@dataclass
class SatisfactionModel:
    settings: SatisfactionSettings
    idf: np.ndarray  # (2 × buckets,)
    text_weights: np.ndarray  # (2 × buckets,)
    act_weights: np.ndarray  # (n_features,)
    act_mean: np.ndarray
    act_std: np.ndarray
    bias: float
    calib: tuple[float, float]  # P(dissatisfied) = sigmoid(calib[0] * predicted + calib[1])
    card: dict[str, Any]
    # the bucket tables widened to float64 once (what every product with a float64 array widens them to)
    idf64: np.ndarray = field(init=False, repr=False, compare=False)
    text_weights64: np.ndarray = field(init=False, repr=False, compare=False)
    # both side by side, a row per bucket: a chunk's buckets read both with one gather of rows (a gather costs
    # about as much per index for a row of two as for one number)
    pairs64: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.idf64 = self.idf.astype(np.float64)
        self.text_weights64 = self.text_weights.astype(np.float64)
        self.pairs64 = np.stack((self.idf64, self.text_weights64), axis=1)

    def _text(self, cols: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        vals = vals * self.idf[cols]
        norm = float(np.sqrt((vals * vals).sum())) or 1.0
        return cols, vals / norm

    def scale(self, feats: np.ndarray) -> np.ndarray:
        """Act features (one call's, or one row per call) standardised and weighed as the model reads them."""
        return (feats - self.act_mean) / self.act_std * self.settings.act_weight  # type: ignore[no-any-return]

    def prepare(self, contexts: list[CallContext], feats: np.ndarray, grams: ChunkGrams | None = None) -> None:
        """``scale`` of many calls' act features (``prepare_clause_stats``) at once, kept in each context; then
        each call's prediction and dissatisfaction (``predict_chunk``), and the pulls behind ``drivers`` of the
        calls that will be explained (those with citizen words predicted at ``explain_from`` or more), in one
        numpy pass: from the chunk's n-grams when ``prepare_text_buckets`` gave them (``grams``), else hashed
        again (``prepare_pulls``)."""
        scaled = self.scale(feats)
        key = ("act_scaled", id(self))
        for c, ctx in enumerate(contexts):
            ctx.prepared[key] = scaled[c]
        risk, weighted, bounds = self.predict_chunk(contexts, scaled, grams)
        explain_from = self.settings.explain_from
        explained = [c for c, ctx in enumerate(contexts) if risk[c] >= explain_from and spoken(ctx, "citizen")[0]]
        if not explained:
            return
        if grams is not None:
            _pulls_from_chunk(contexts, explained, grams, self, weighted, bounds)
        else:
            prepare_pulls([contexts[c] for c in explained], self)

    def predict_chunk(self, contexts: list[CallContext], scaled: np.ndarray,
                      grams: ChunkGrams | None = None) -> tuple[list[float], np.ndarray, list[int]]:
        """``predict`` and ``dissatisfaction`` of many calls (act features ``scaled``, one row per call), kept in
        each context; the dissatisfaction of each call is returned, with the calls' weighted n-gram buckets one
        after the other and where each call's run starts (one more than the calls). Bit for bit the single-call numbers: every
        element is computed as there, and each call's norm and dot products run over its own run of the chunk's
        arrays, in the same order (a slice adds as the array it was cut from would)."""
        if grams is not None and grams.cols is not None and grams.vals is not None and grams.bounds is not None:
            cols, vals, bounds = grams.cols, grams.vals, grams.bounds  # the chunk's arrays the calls' are cut from
            edges = np.asarray(bounds, dtype=np.int64)
            sizes = edges[1:] - edges[:-1]
        else:
            parts = [text_buckets(ctx, self.settings) for ctx in contexts]
            sizes = np.array([len(cols) for cols, _ in parts], dtype=np.int64)
            cols = np.concatenate([cols for cols, _ in parts])
            vals = np.concatenate([vals for _, vals in parts])
            bounds = [0, *np.cumsum(sizes).tolist()]
        # each bucket's weighted count (its weight × its idf), that squared, and its text weight, contiguous (what each
        # dot would cast its run to: a dot of strided runs runs another BLAS loop)
        weighted, squares, weights = _weighed(cols, vals, self.pairs64)
        add = np.add.reduce  # what ``sum()`` runs
        sums = [add(squares[bounds[c]:bounds[c + 1]]) for c in range(len(contexts))]
        norms = np.sqrt(np.asarray(sums, dtype=np.float64))
        norms[norms == 0] = 1.0
        unit = weighted / norms.repeat(sizes)
        act_weights = self.act_weights
        bias = self.bias
        # float64 sums as Python floats: the same additions. ``ndarray.dot`` of two vectors runs the dot ``@``
        # runs for them (the type's dot function, BLAS's ddot), without the ufunc machinery of ``@`` around it
        predicted = [float(unit[bounds[c]:bounds[c + 1]].dot(weights[bounds[c]:bounds[c + 1]]))
                     + float(scaled[c].dot(act_weights)) + bias for c in range(len(contexts))]
        risk = self._calibrated(np.asarray(predicted)).tolist()
        key, risk_key = ("predicted", id(self)), ("dissatisfaction", id(self))
        for c, ctx in enumerate(contexts):
            ctx.prepared[key] = predicted[c]
            ctx.prepared[risk_key] = risk[c]
        return risk, weighted, bounds

    def dissatisfied(self, ctx: CallContext) -> float:
        """``dissatisfaction(predict(ctx))``, once per call."""
        ready = ctx.prepared.get(("dissatisfaction", id(self)))
        if ready is None:
            ready = ctx.prepared[("dissatisfaction", id(self))] = self.dissatisfaction(self.predict(ctx))
        return ready  # type: ignore[no-any-return]

    def predict(self, ctx: CallContext) -> float:
        """Predicted satisfaction on the training scale (higher is more satisfied), once per call."""
        key = ("predicted", id(self))
        ready = ctx.prepared.get(key)
        if ready is not None:
            return float(ready)
        cols, vals = self._text(*text_buckets(ctx, self.settings))
        feats = ctx.prepared.get(("act_scaled", id(self)))
        if feats is None:
            feats = self.scale(act_features(ctx))
        predicted = float(vals @ self.text_weights[cols] + feats @ self.act_weights + self.bias)
        ctx.prepared[key] = predicted
        return predicted

    def drivers(self, ctx: CallContext, top: int = 3) -> list[int]:
        """The turns whose words pull the prediction down the most (each n-gram occurrence credited to
        the turn it starts in)."""
        ranked = ctx.prepared.get(("pulls", id(self)))
        if ranked is None:
            ranked = self.pulls(ctx)
        return [t for t, pull in ranked[:top] if pull < 0]

    def pulls(self, ctx: CallContext) -> list[tuple[int, float]]:
        """(turn, pull) of every turn with words, the strongest pull down first (ties in turn order, the
        citizen's turns before the agent's): what ``drivers`` reads, computed for one call."""
        cols, raw, occurrences = _grams(ctx, self.settings)
        if not len(raw):
            return []
        weighted = raw * self.idf[cols]
        norm = float(np.sqrt(weighted @ weighted)) or 1.0
        pulls: dict[int, float] = {}
        for flat, turn_of, share in occurrences:
            contribution = share * self.idf[flat] * self.text_weights[flat] / norm
            # per turn, in turn order: each turn's occurrences summed one after the other (what np.unique's
            # inverse and a bincount over it add, without sorting the occurrences)
            sums = np.bincount(turn_of, weights=contribution).tolist()
            for t in np.flatnonzero(np.bincount(turn_of)).tolist():
                pulls[t] = pulls.get(t, 0.0) + sums[t]
        return sorted(pulls.items(), key=lambda kv: kv[1])

    def dissatisfaction(self, predicted: float) -> float:
        return float(self._calibrated(predicted))

    def _calibrated(self, predicted: Any) -> Any:
        """The calibrated dissatisfaction (0–1) of a predicted satisfaction, or of an array of them."""
        a, b = self.calib
        return 1.0 / (1.0 + np.exp(-(a * predicted + b)))


def weigh_kernel() -> Any:
    """``hotline._kernels.citizen.weigh``, or None when it is not built (plain Python, a failed build, a stale one,
    ``HOTLINE_NATIVE=0``): numpy then."""
    return kernel_function("weigh")


def _weighed(cols: np.ndarray, vals: np.ndarray, pairs: np.ndarray,
             kernel: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each n-gram bucket's weight × its idf (``vals * idf64[cols]``), that squared, and its text weight
    (``text_weights64[cols]``), from ``pairs`` (each bucket's idf and text weight, float64), as three contiguous
    float64 arrays. The C kernel (``kernel``, else ``weigh_kernel``) in one pass over the buckets: each the same
    IEEE product of the same two doubles numpy multiplies. Else (not built, or refused: other types, a column
    outside the table) numpy: the pairs gathered as rows (one gather) and laid out as two contiguous rows by one
    copy (a product reading a strided column takes numpy's slow strided loop, about as much as the copy of both)."""
    if kernel is None:
        kernel = weigh_kernel()
    if kernel is not None:
        try:
            made = np.frombuffer(kernel(cols, vals, pairs), dtype=np.float64).reshape(3, len(cols))
            return made[0], made[1], made[2]
        except ValueError:
            pass
    gathered = pairs.take(cols, axis=0).T.copy()
    weighted = vals * gathered[0]
    return weighted, weighted * weighted, gathered[1]


def save(model: SatisfactionModel, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / "satisfaction.npz", idf=model.idf.astype(np.float16),
                        text_weights=model.text_weights.astype(np.float32), act_weights=model.act_weights,
                        act_mean=model.act_mean, act_std=model.act_std,
                        scalars=np.array([model.bias, *model.calib]))
    (folder / "card.json").write_text(json.dumps(model.card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def load(folder: Path, settings: SatisfactionSettings) -> SatisfactionModel:
    card_path = folder / "card.json"
    if not card_path.exists():
        raise CitizenError("没有找到不满意预测模型（先运行 hotline citizen train）", source=str(folder))
    card = json.loads(card_path.read_text(encoding="utf-8"))
    if card.get("buckets") != settings.buckets or card.get("ngram_max") != settings.ngram_max:
        raise CitizenError("模型与 data/citizen/settings.yaml 的 satisfaction 设置不一致，请重新训练", source=str(folder))
    from hotline.acts import default_model

    if card.get("act_model") != default_model().card.get("trained_from_sha256"):
        raise CitizenError("不满意预测模型是在另一版言语行为模型上训练的，请重新运行 hotline citizen train", source=str(folder))
    with np.load(folder / "satisfaction.npz", allow_pickle=False) as z:
        bias, a, b = (float(x) for x in z["scalars"])
        return SatisfactionModel(settings, z["idf"].astype(np.float32), z["text_weights"], z["act_weights"],
                                 z["act_mean"], z["act_std"], bias, (a, b), card)


# ── fitting ──────────────────────────────────────────────────────────────────────────────────────
def design(contexts: list[CallContext], s: SatisfactionSettings) -> tuple[Any, np.ndarray]:
    """The hashed text matrix (sparse, raw weighted counts) and the act-feature matrix."""
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for i, ctx in enumerate(contexts):
        c, v = text_buckets(ctx, s)
        rows.extend([i] * len(c))
        cols.extend(c.tolist())
        vals.extend(v.tolist())
    text = csr_matrix((vals, (rows, cols)), shape=(len(contexts), 2 * s.buckets))
    return text, np.array([act_features(ctx) for ctx in contexts])


def fit_arrays(text: Any, feats: np.ndarray, y: np.ndarray, s: SatisfactionSettings) -> dict[str, Any]:
    """Ridge on [TF-IDF text, standardised act features × act_weight]."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import Ridge

    df = np.asarray((text > 0).sum(0)).ravel()
    idf = np.log((1 + text.shape[0]) / (1 + df)) + 1
    x_text = _tfidf(text, idf)
    mean, std = feats.mean(0), feats.std(0)
    std[std == 0] = 1.0
    x_feat = csr_matrix((feats - mean) / std * s.act_weight)
    ridge = Ridge(alpha=s.alpha).fit(hstack([x_text, x_feat]).tocsr(), y)
    n_text = text.shape[1]
    return {"idf": idf, "text_weights": ridge.coef_[:n_text], "act_weights": ridge.coef_[n_text:],
            "act_mean": mean, "act_std": std, "bias": float(ridge.intercept_)}


def _tfidf(text: Any, idf: np.ndarray) -> Any:
    from scipy.sparse import csr_matrix, diags

    x = csr_matrix(text @ diags(idf))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(diags(1 / norms) @ x)


def predict_arrays(params: dict[str, Any], text: Any, feats: np.ndarray, s: SatisfactionSettings) -> np.ndarray:
    x_text = _tfidf(text, params["idf"])
    x_feat = (feats - params["act_mean"]) / params["act_std"] * s.act_weight
    return np.asarray(x_text @ params["text_weights"]).ravel() + x_feat @ params["act_weights"] + params["bias"]


def cross_validate(text: Any, feats: np.ndarray, y: np.ndarray, s: SatisfactionSettings,
                   folds: int | None = None) -> np.ndarray:
    """Out-of-fold predictions (each call predicted by a model that never saw it)."""
    from sklearn.model_selection import KFold

    out = np.zeros(len(y))
    for train, test in KFold(folds or s.folds, shuffle=True, random_state=s.seed).split(feats):
        params = fit_arrays(text[train], feats[train], y[train], s)
        out[test] = predict_arrays(params, text[test], feats[test], s)
    return out


def calibrate(predicted: np.ndarray, dissatisfied: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    if dissatisfied.min() == dissatisfied.max():
        raise CitizenError("训练数据里全是满意或全是不满意，无法校准不满意概率")
    lr = LogisticRegression(C=100.0).fit(predicted.reshape(-1, 1), dissatisfied)
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def fit(contexts: list[CallContext], y: np.ndarray, neutral: float, s: SatisfactionSettings, source: str,
        names: list[str]) -> tuple[SatisfactionModel, dict[str, Any]]:
    """The model for ``contexts`` with satisfaction ``y`` (higher = more satisfied, ``neutral`` the
    midpoint of the scale), and a report of its cross-validated agreement with ``y``."""
    from scipy.stats import spearmanr

    began = time.perf_counter()
    text, feats = design(contexts, s)
    oof = cross_validate(text, feats, y, s)
    dissatisfied = (y < neutral).astype(int)
    calib = calibrate(oof, dissatisfied)
    probs = 1 / (1 + np.exp(-(calib[0] * oof + calib[1])))
    report = {
        "calls": len(y), "dissatisfied_share": round(float(dissatisfied.mean()), 3),
        "spearman_predicted_vs_satisfaction": round(float(spearmanr(oof, y).correlation), 3),
        "spearman_dissatisfaction_vs_satisfaction": round(float(spearmanr(probs, y).correlation), 3),
        "brier": round(float(((probs - dissatisfied) ** 2).mean()), 4), "folds": s.folds,
    }
    params = fit_arrays(text, feats, y, s)
    card = {"name": "hotline-satisfaction", "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "source": source, "neutral": neutral, "buckets": s.buckets, "ngram_max": s.ngram_max,
            "features": names, "cross_validated": report, "seconds": round(time.perf_counter() - began, 1)}
    model = SatisfactionModel(s, params["idf"].astype(np.float32), params["text_weights"], params["act_weights"],
                              params["act_mean"], params["act_std"], params["bias"], calib, card)
    return model, report
