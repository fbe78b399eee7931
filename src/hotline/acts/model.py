"""The trained act model at run time: one linear model per speaker over the clause n-grams of
``features``, with calibrated probabilities. All vocabulary n-grams of a whole call are found in
one Aho-Corasick pass and summed with one numpy reduction, so judging a call's clauses costs
about as much as scanning its text once."""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hotline.acts.features import Featurizer
from hotline.acts.taxonomy import ActsError
from hotline.content import data_path

_CACHE_MAX = 50_000


def model_dir() -> Path:
    return data_path("acts", "model")


@dataclass(slots=True)
class ClauseActs:
    """One clause of a turn: its span in the normalised text and each act's probability."""

    start: int
    end: int
    feature_text: str
    probs: np.ndarray  # (n_acts,) in the order of ``SpeakerModel.acts``


@dataclass
class SpeakerModel:
    speaker: str
    acts: list[str]
    vocab: list[str]
    weights: np.ndarray  # (n_vocab, n_acts)
    bias: np.ndarray
    scale: np.ndarray  # Platt calibration: p = sigmoid(scale * z + shift)
    shift: np.ndarray
    index: dict[str, int] = field(init=False)
    _automaton: Any = field(init=False, default=None)
    _unigrams: tuple[np.ndarray, np.ndarray] = field(init=False, default=None)  # type: ignore[assignment]
    _cache: OrderedDict[str, np.ndarray] = field(init=False, default_factory=OrderedDict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.index = {a: i for i, a in enumerate(self.acts)}

    @property
    def automaton(self) -> Any:
        """Aho-Corasick over the n-grams of two characters or more; single characters are looked up
        with numpy (they are two thirds of all matches)."""
        if self._automaton is None:
            import ahocorasick

            auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for i, gram in enumerate(self.vocab):
                if len(gram) > 1:
                    auto.add_word(gram, i)
            auto.make_automaton()
            chars = sorted((ord(g), i) for i, g in enumerate(self.vocab) if len(g) == 1)
            self._unigrams = (np.array([c for c, _ in chars], dtype=np.uint32),
                              np.array([i for _, i in chars], dtype=np.int64))
            self._automaton = auto
        return self._automaton

    def probabilities(self, feature_texts: list[str]) -> np.ndarray:
        """(n_texts, n_acts) probabilities for clause feature texts (each ``^…$``)."""
        out = np.empty((len(feature_texts), len(self.acts)), dtype=np.float32)
        todo: list[int] = []
        for i, text in enumerate(feature_texts):
            hit = self._cache.get(text)
            if hit is None:
                todo.append(i)
            else:
                out[i] = hit
        if todo:
            fresh = self._score([feature_texts[i] for i in todo])
            with self._lock:
                for row, i in zip(fresh, todo, strict=True):
                    out[i] = row
                    self._cache[feature_texts[i]] = row
                while len(self._cache) > _CACHE_MAX:
                    self._cache.popitem(last=False)
        return out

    def _score(self, texts: list[str]) -> np.ndarray:
        joined = "".join(texts)
        bounds = np.cumsum([len(t) for t in texts])
        grams = np.array(list(self.automaton.iter(joined)), dtype=np.int64).reshape(-1, 2)
        codes, rows_of = self._unigrams
        chars = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        where = np.minimum(np.searchsorted(codes, chars), max(len(codes) - 1, 0))
        known = np.flatnonzero(codes[where] == chars) if len(codes) else np.zeros(0, dtype=np.int64)
        z = np.zeros((len(texts), len(self.acts)), dtype=np.float32)
        counts = np.zeros(len(texts), dtype=np.int64)
        for positions, rows in ((grams[:, 0], grams[:, 1]), (known, rows_of[where[known]])):
            if not len(rows):
                continue
            owners = np.searchsorted(bounds, positions, side="right")
            n = np.bincount(owners, minlength=len(texts))
            used = n > 0
            starts = np.concatenate(([0], np.cumsum(n)[:-1]))
            z[used] += np.add.reduceat(self.weights[rows], starts[used], axis=0)
            counts += n
        used = counts > 0
        z[used] /= np.sqrt(counts[used])[:, None]
        z += self.bias
        return 1.0 / (1.0 + np.exp(-(self.scale * z + self.shift)))

    def explain(self, feature_text: str, act: str, top: int = 5) -> list[tuple[str, float]]:
        """The n-grams that pushed ``act`` up the most in this clause, with their weight."""
        col = self.index[act]
        grams = [self.vocab[i] for _, i in self.automaton.iter(feature_text)]
        grams += [ch for ch in feature_text if ch in self._unigram_set()]
        if not grams:
            return []
        norm = float(np.sqrt(len(grams)))
        contrib: dict[str, float] = {}
        for g in grams:
            contrib[g] = contrib.get(g, 0.0) + float(self.weights[self.index_of(g), col]) / norm
        ranked = sorted(contrib.items(), key=lambda kv: -kv[1])
        return [(g, w) for g, w in ranked[:top] if w > 0]

    def index_of(self, gram: str) -> int:
        if len(gram) == 1:
            codes, rows = self._unigrams
            return int(rows[int(np.searchsorted(codes, ord(gram)))])
        return int(self.automaton.get(gram))

    def _unigram_set(self) -> set[str]:
        self.automaton  # noqa: B018 - builds the unigram table
        return {chr(c) for c in self._unigrams[0]}


@dataclass
class ActModel:
    """Both speakers' models, the featurizer they were trained with, and the model card."""

    featurizer: Featurizer
    speakers: dict[str, SpeakerModel]
    card: dict[str, Any]

    def for_speaker(self, speaker: str) -> SpeakerModel:
        return self.speakers[speaker]

    def clause_acts(self, speaker: str, normalized: list[str]) -> list[list[ClauseActs]]:
        """Clauses and act probabilities for several normalised turns of one speaker, in one pass."""
        per_turn = [self.featurizer.clause_texts(t) for t in normalized]
        flat = [ft for clauses in per_turn for _, _, ft in clauses]
        probs = self.speakers[speaker].probabilities(flat) if flat else np.zeros((0, 0), dtype=np.float32)
        out: list[list[ClauseActs]] = []
        k = 0
        for clauses in per_turn:
            row = []
            for start, end, ft in clauses:
                row.append(ClauseActs(start, end, ft, probs[k]))
                k += 1
            out.append(row)
        return out


def save_model(model_path: Path, speakers: dict[str, SpeakerModel], card: dict[str, Any]) -> None:
    model_path.mkdir(parents=True, exist_ok=True)
    for speaker, m in speakers.items():
        np.savez_compressed(
            model_path / f"{speaker}.npz",
            acts=np.array(m.acts), vocab=np.array(m.vocab), weights=m.weights.astype(np.float16),
            bias=m.bias.astype(np.float32), scale=m.scale.astype(np.float32), shift=m.shift.astype(np.float32),
        )
    (model_path / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_model(model_path: Path) -> ActModel:
    card_path = model_path / "card.json"
    if not card_path.exists():
        raise ActsError("没有找到已训练的言语行为模型（先运行 hotline acts train）", source=str(model_path))
    card = json.loads(card_path.read_text(encoding="utf-8"))
    speakers = {}
    for speaker in ("agent", "citizen"):
        with np.load(model_path / f"{speaker}.npz", allow_pickle=False) as z:
            speakers[speaker] = SpeakerModel(
                speaker, [str(a) for a in z["acts"]], [str(v) for v in z["vocab"]],
                z["weights"].astype(np.float32), z["bias"], z["scale"], z["shift"],
            )
    return ActModel(Featurizer(), speakers, card)


_lock = threading.Lock()


@functools.cache
def _default() -> ActModel:
    return read_model(model_dir())


def default_model() -> ActModel:
    """The model shipped with the package, loaded once per process (thread-safe)."""
    with _lock:
        return _default()
