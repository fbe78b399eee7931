"""The trained act model at run time: one linear model per speaker over the clause n-grams of
``features``, with calibrated probabilities. The n-grams of a whole batch of clauses are keyed,
looked up and summed with a few numpy operations (``hashing``), so judging the clauses of many calls
costs about as much as reading their text once."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

import numpy as np

from hotline.acts.features import END, MAX_N, START, Featurizer
from hotline.acts.hashing import KeyTable, Spans, Vocabulary, codes_of, keys_by_length, remembered_table
from hotline.acts.segment import kernel
from hotline.acts.taxonomy import ActsError
from hotline.content import data_path

_CACHE_MAX = 50_000
_EXPLAINED_MAX = 4_096


def model_dir() -> Path:
    return data_path("acts", "model")


class ClauseActs:
    """One clause of a turn: its span in the normalised text and each act's probability (``probs``, a row of
    the batch's probability block, made only when read: most clauses are judged from the block itself). A plain
    class (compiled, one is made in a few field stores; a NamedTuple took a few tuples made and copied)."""

    __slots__ = ("start", "end", "feature_text", "block", "row")

    def __init__(self, start: int, end: int, feature_text: str, block: np.ndarray, row: int) -> None:
        self.start: Final = start
        self.end: Final = end
        self.feature_text: Final = feature_text
        self.block: Final = block  # the probabilities of the batch the clause was judged in, a row per clause
        self.row: Final = row  # the clause's row in ``block``

    @property
    def probs(self) -> np.ndarray:
        """(n_acts,) in the order of ``SpeakerModel.acts``: a view of the clause's row of ``block``."""
        return self.block[self.row]

    def __repr__(self) -> str:
        return f"ClauseActs(start={self.start}, end={self.end}, feature_text={self.feature_text!r}, row={self.row})"


@dataclass
class SpeakerModel:
    speaker: str
    acts: list[str]
    vocab: Sequence[str]  # a list when trained, a ``Vocabulary`` (strings made when read) when loaded
    weights: np.ndarray  # (n_vocab, n_acts)
    bias: np.ndarray
    scale: np.ndarray  # Platt calibration: p = sigmoid(scale * z + shift)
    shift: np.ndarray
    index: dict[str, int] = field(init=False)
    # set by __post_init__ (a compiled dataclass does not fill defaults of init=False fields)
    _table: KeyTable | None = field(init=False)
    # a text's row of probabilities, float32 bytes (a plain dict: compiled, its ``get`` is a direct lookup, where an
    # OrderedDict's goes through a method call; the oldest entries go first, ``_forget``)
    _cache: dict[str, bytes] = field(init=False)
    _lock: threading.Lock = field(init=False)
    _explained: dict[tuple[str, str, int], list[tuple[str, float]]] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {a: i for i, a in enumerate(self.acts)}
        self._table = None  # read from the saved table, or computed at first use
        self._cache = {}
        self._lock = threading.Lock()
        self._explained = {}

    @property
    def table(self) -> KeyTable:
        if self._table is None:
            self._table = KeyTable(self.vocab)
        return self._table

    def probabilities(self, feature_texts: list[str]) -> np.ndarray:
        """(n_texts, n_acts) probabilities for clause feature texts (each ``^…$``). The cache keeps each
        text's row as bytes: the rows of a batch are joined into its array in one step. A text the cache does
        not hold is scored once however often the batch repeats it (a row depends on its own text only)."""
        cache = self._cache
        got: list[bytes | None] = [cache.get(t) for t in feature_texts]
        if None not in got:
            return _rows(b"".join(cast("list[bytes]", got)), len(self.acts))
        missing = [i for i in range(len(got)) if got[i] is None]  # (by index: no zip walked over every text)
        todo = [feature_texts[i] for i in missing]
        unique = list(dict.fromkeys(todo)) if len(todo) > 1 else todo
        fresh = self._score(unique).astype(np.float32, copy=False)
        data = fresh.tobytes()
        width = len(data) // len(unique)
        rows = [data[j:j + width] for j in range(0, len(data), width)]
        made = dict(zip(unique, rows, strict=True))
        with self._lock:
            cache.update(made)
            if len(cache) > _CACHE_MAX:
                _forget(cache)
        if len(unique) == len(got):
            return fresh
        for i in missing:
            got[i] = made[feature_texts[i]]
        return _rows(b"".join(cast("list[bytes]", got)), len(self.acts))

    def fresh_rows(self, texts: list[str]) -> np.ndarray:
        """The rows ``probabilities`` makes for texts its cache does not hold (float32, C-contiguous): what a
        ``ClauseMemo`` keeps for its new clauses (``ActModel.clause_batch``)."""
        return np.ascontiguousarray(self._score(texts), dtype=np.float32)

    def _score(self, texts: list[str]) -> np.ndarray:
        """Every vocabulary n-gram of every text, found and summed with numpy over the joined texts
        (an n-gram running from one text into the next holds ``$^`` and is never in the vocabulary)."""
        table = self.table
        kernel = table.kernel()
        if kernel is not None:  # the same sums, bit for bit, in one C call (see acts.c); the numpy path below
            # when the kernel is not built, or the weights are not float32 rows it reads (a model being trained)
            z = np.empty((len(texts), len(self.acts)), dtype=np.float32)
            if kernel.score(texts, self.weights, z):
                z += self.bias
                return 1.0 / (1.0 + np.exp(-(self.scale * z + self.shift)))
        codes = codes_of("".join(texts))
        owner = np.arange(len(texts), dtype=np.intp).repeat([len(t) for t in texts])  # the text of each code
        z = np.zeros((len(texts), len(self.acts)), dtype=np.float32)
        counts = np.zeros(len(texts), dtype=np.int64)
        for n, query in zip(table.lengths, keys_by_length(codes, table.lengths), strict=False):
            positions, rows = table.unigrams(codes) if n == 1 else table.lookup(query)
            if not len(rows):
                continue
            owners = owner.take(positions)
            per = np.bincount(owners, minlength=len(texts))
            used = per > 0
            starts = per.cumsum() - per  # where each text's rows start (the sums before it)
            z[used] += np.add.reduceat(self.weights.take(rows, axis=0), starts[used], axis=0)  # (take: no fancy index)
            counts += per
        used = counts > 0
        z[used] /= np.sqrt(counts[used])[:, None]
        z += self.bias
        return 1.0 / (1.0 + np.exp(-(self.scale * z + self.shift)))

    def explain(self, feature_text: str, act: str, top: int = 5) -> list[tuple[str, float]]:
        """The n-grams (two characters or more where there are any) that pushed ``act`` up the most
        in this clause, with their weight; once per clause text and act (the clauses an act rule flags
        repeat from call to call more than others do)."""
        key = (feature_text, act, top)
        got = self._explained.get(key)
        if got is None:
            got = self._explain(feature_text, act, top)
            if len(self._explained) >= _EXPLAINED_MAX:
                self._explained.clear()
            self._explained[key] = got
        return list(got)

    def _explain(self, feature_text: str, act: str, top: int) -> list[tuple[str, float]]:
        """``explain``: the keys of all the clause's n-grams (``ngrams``' order) computed and looked up in
        one numpy pass (``hashing.Spans``)."""
        col = self.index[act]
        table = self.table
        size = len(feature_text)
        lengths = tuple(n for n in table.lengths if n <= MAX_N and n <= size)
        if not lengths:
            return []
        # one clause (``^…$``, no mark inside): its only n-grams ``ngrams`` skips are the bare marks, left out
        # of the spans; otherwise each n-gram found is checked
        one = START not in feature_text[1:] and END not in feature_text[:-1]
        skip_first, skip_last = one and feature_text[0] == START, one and feature_text[-1] == END
        grams: list[str] = []
        used: list[float] = []
        kernel = table.kernel()
        # the C kernel: the same n-grams found the same way (the first row of equal keys), in ``_spans``' order, each
        # with its weight as the float numpy's ``tolist`` gives; None (the numpy path) for weights it cannot read
        hits = kernel.grams(feature_text, MAX_N, skip_first, skip_last, self.weights, col) if kernel is not None else None
        if hits is not None:
            for start, n, w in hits:
                gram = feature_text[start:start + n]
                if not one and (END in gram[:-1] or START in gram[1:] or gram in (START, END)):
                    continue  # not an n-gram of the clause (``ngrams`` never yields it)
                grams.append(gram)
                used.append(w)
        else:
            spans = _spans(size, lengths, skip_first, skip_last)
            tk = table.keys
            queries = spans.keys(codes_of(feature_text))
            at = tk.searchsorted(queries)
            found = (tk.take(at, mode="clip") == queries).tolist()
            weights = np.asarray(self.weights)[table.rows.take(at, mode="clip"), col].tolist()
            for part, hit, w in zip(spans.slices, found, weights, strict=True):
                if hit:
                    gram = feature_text[part]
                    if not one and (END in gram[:-1] or START in gram[1:] or gram in (START, END)):
                        continue  # not an n-gram of the clause (``ngrams`` never yields it)
                    grams.append(gram)
                    used.append(w)
        if not grams:
            return []
        norm = math.sqrt(len(grams))
        contrib: dict[str, float] = {}
        for g, w in zip(grams, used, strict=True):
            contrib[g] = contrib.get(g, 0.0) + w / norm
        pushing = [(g, w) for g, w in contrib.items() if w > 0]
        return sorted(pushing, key=_pushing_first)[:max(top, 0)]  # heapq.nsmallest's order, ties by position


_SPANS: dict[tuple[int, tuple[int, ...], bool, bool], Spans] = {}


def _spans(size: int, lengths: tuple[int, ...], skip_first: bool, skip_last: bool) -> Spans:
    """The n-grams of ``lengths`` in a text of ``size`` characters, by start then length (``ngrams``' order),
    without the first or last single character when asked; kept per shape (clauses are short)."""
    shape = (size, lengths, skip_first, skip_last)
    got = _SPANS.get(shape)
    if got is None:
        got = Spans([(i, n) for i in range(size + 1) for n in lengths if i + n <= size
                     and not (n == 1 and ((skip_first and i == 0) or (skip_last and i == size - 1)))])
        if size <= 256:
            _SPANS[shape] = got
    return got


def _pushing_first(kv: tuple[str, float]) -> tuple[bool, float]:
    """Longer n-grams first (a single character, clause marks aside, says little), then by weight."""
    return len(kv[0].strip("^$")) < 2, -kv[1]


@dataclass
class ActModel:
    """Both speakers' models, the featurizer they were trained with, and the model card."""

    featurizer: Featurizer
    speakers: dict[str, SpeakerModel]
    card: dict[str, Any]
    # each speaker's ``ClauseMemo`` (``clause_batch``), made at first use; False: none (the kernel is not built)
    _memos: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._memos = {}

    def for_speaker(self, speaker: str) -> SpeakerModel:
        return self.speakers[speaker]

    def clause_acts(self, speaker: str, normalized: list[str]) -> list[list[ClauseActs]]:
        """Clauses and act probabilities for several normalised turns of one speaker, in one pass."""
        return self.clause_batch(speaker, normalized)[0]

    def clause_batch(self, speaker: str, normalized: list[str]) -> tuple[list[list[ClauseActs]], np.ndarray]:
        """``clause_acts``, and the probabilities of all the clauses in one array (a row per clause, turn
        after turn; each ``ClauseActs.probs`` is a row of it)."""
        sm = self.speakers[speaker]
        memo = self._memos.get(speaker)
        if memo is None:
            memo = self._memos[speaker] = clause_memo(len(sm.acts))
        # the memo's rows (its clauses' rows as ``probabilities`` gave them: ``fresh_rows``, a row depending on its
        # text only) where it reads the batch, ``probabilities`` otherwise
        spans, texts, block = self.featurizer.flat_rows(normalized, None if memo is False else memo, sm.fresh_rows)
        if not texts:
            return [[] for _ in spans], np.zeros((0, 0), dtype=np.float32)
        probs = sm.probabilities(texts) if block is None else np.frombuffer(block, dtype=np.float32).reshape(
            len(texts), len(sm.acts))
        out: list[list[ClauseActs]] = []
        r = 0
        for row in spans:
            clauses: list[ClauseActs] = []
            for start, end, _ in row:
                clauses.append(ClauseActs(start, end, texts[r], probs, r))
                r += 1
            out.append(clauses)
        return out, probs


def clause_memo(width: int) -> Any:
    """A ``ClauseMemo`` (``hotline._kernels.features``) of rows of ``width`` probabilities, holding at most
    ``_CACHE_MAX`` clauses (as ``probabilities``' cache), or False when the kernel is not built or switched off
    (``HOTLINE_NATIVE=0``) or refuses the width: ``flat_batch`` and ``probabilities`` then."""
    native = kernel()
    if native is None:
        return False
    try:
        return native.ClauseMemo(width, _CACHE_MAX)
    except ValueError:
        return False


def _forget(cache: dict[str, bytes]) -> None:
    """The oldest entries of a full ``cache`` dropped, a quarter of ``_CACHE_MAX`` at once (so a full cache is made
    again once every so many batches, not at every one): the newest kept in their order, the dict made again
    (deleting from the front of a plain dict one key at a time leaves its first slots empty for every later first
    key to walk past). Which texts are kept changes no probability: a row depends on its text only."""
    kept = list(cache.items())[len(cache) - (_CACHE_MAX - _CACHE_MAX // 4):]
    cache.clear()
    cache.update(kept)


def _rows(data: bytes, n_acts: int) -> np.ndarray:
    """Rows of float32 probabilities joined as bytes, as a (writable) array."""
    return np.frombuffer(bytearray(data), dtype=np.float32).reshape(-1, n_acts)


def save_model(model_path: Path, speakers: dict[str, SpeakerModel], card: dict[str, Any]) -> None:
    """Each speaker's model in an uncompressed npz (read at every start-up: inflating it cost more than
    reading the bigger file) with its vocabulary's sorted key table, so a start-up need not compute it; the
    weights in a file of their own, named by their digest in the npz, as float32 rounded to float16 precision
    (the values a float16 file gave), which a start maps into memory instead of reading and widening."""
    model_path.mkdir(parents=True, exist_ok=True)
    for speaker, m in speakers.items():
        vocab = m.vocab.array if isinstance(m.vocab, Vocabulary) else np.array(m.vocab)
        weights = np.ascontiguousarray(m.weights.astype(np.float16).astype(np.float32))
        name = f"{speaker}.weights.{hashlib.sha256(weights.tobytes()).hexdigest()[:16]}.npy"
        part = model_path / f"{name}.part"
        with part.open("wb") as fh:
            np.save(fh, weights)
        os.replace(part, model_path / name)  # never rewritten in place: a running process may have it mapped
        arrays = {"acts": np.array(m.acts), "vocab": vocab, "weights_file": np.array(name),
                  "bias": m.bias.astype(np.float32), "scale": m.scale.astype(np.float32),
                  "shift": m.shift.astype(np.float32), **m.table.saved(vocab)}
        np.savez(model_path / f"{speaker}.npz", **arrays)  # type: ignore[arg-type]  # numpy's stub types allow_pickle
        for old in model_path.glob(f"{speaker}.weights.*.npy"):
            if old.name != name:
                old.unlink()
    (model_path / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_model(model_path: Path) -> ActModel:
    card_path = model_path / "card.json"
    if not card_path.exists():
        raise ActsError("没有找到已训练的言语行为模型（先运行 hotline acts train）", source=str(model_path))
    card = json.loads(card_path.read_text(encoding="utf-8"))
    speakers = {}
    for speaker in ("agent", "citizen"):
        with np.load(model_path / f"{speaker}.npz", allow_pickle=False) as z:
            vocab, acts = z["vocab"], z["acts"].tolist()
            weights = _weights(model_path, z)
            if weights.shape != (len(vocab), len(acts)):
                raise ActsError(f"权重（{weights.shape}）与词表（{len(vocab)}）或言语行为（{len(acts)}）对不上，"
                                "请重新训练", source=str(model_path / f"{speaker}.npz"))
            speakers[speaker] = m = SpeakerModel(speaker, acts, Vocabulary(vocab), weights, z["bias"], z["scale"],
                                                 z["shift"])
            # None (computed at first use) when missing or not this vocabulary's
            m._table = remembered_table(model_path / f"{speaker}.npz", vocab, z)
    return ActModel(Featurizer(), speakers, card)


def _weights(model_path: Path, z: Any) -> np.ndarray:
    """The weights mapped read-only from the file the npz names (a call reads a few hundred of the 72,652 rows,
    so a start reads only those pages), or, in a model saved before they had a file, widened from the npz."""
    if "weights_file" not in z.files:
        return z["weights"].astype(np.float32)  # type: ignore[no-any-return]
    path = model_path / str(z["weights_file"])
    if not path.is_file():
        raise ActsError(f"缺少权重文件 {path.name}（模型文件不全，请重新训练或重新安装）", source=str(model_path))
    weights = np.load(path, mmap_mode="r", allow_pickle=False)
    if weights.dtype != np.float32:
        raise ActsError(f"权重文件的数据类型是 {weights.dtype}，应为 float32", source=str(path))
    # a plain array over the same mapped pages: a memmap answers every row lookup through Python-level methods
    return weights.view(np.ndarray)  # type: ignore[no-any-return]


_lock = threading.Lock()


@functools.cache
def _default() -> ActModel:
    return read_model(model_dir())


def default_model() -> ActModel:
    """The model shipped with the package, loaded once per process (thread-safe)."""
    with _lock:
        return _default()
