"""Training the act model from the corpus, and evaluating it on paraphrase families it never saw.

One binary logistic regression per act over the clause n-grams, trained on the corpus records and
a few variants of each that imitate what transcripts do (no punctuation, a sentence-final particle,
你 for 您, a dropped or repeated character); variants stay in their record's family, so held-out
folds share no wording with training. Probabilities are calibrated (Platt) on family-held-out
decision values."""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hotline.acts.corpus import Example, corpus_files, corpus_hash, load_corpus
from hotline.acts.features import FeatureSettings, Featurizer, load_settings, ngrams
from hotline.acts.model import SpeakerModel
from hotline.acts.taxonomy import ActsError, Taxonomy, load_taxonomy
from hotline.content import data_path
from hotline.text import normalize

PARTICLES = ["啊", "嘛", "吧", "呢", "哦", "呀", "咯", "噻", "撒", "哈", "嘞", "呗"]
FILLERS = ["嗯", "那个", "就是", "哎", "呃", "这个"]
KEEP = set("不没别莫甭你您我他她它们管找去说听等挂")
HOMOPHONES = {"的": "得", "得": "的", "在": "再", "再": "在", "那": "哪", "哪": "那", "做": "坐", "已": "以",
              "象": "像", "到": "道", "他": "她", "帐": "账"}


@dataclass
class Sample:
    text: str  # feature text
    acts: frozenset[str]
    family: str
    original: bool


def variants(text: str, rng: random.Random, k: int) -> list[str]:
    """Up to ``k`` transcript-like variants of a corpus text."""
    out: list[str] = []
    ops = [_no_punct, _particle, _informal, _drop_char, _repeat_char, _homophone, _filler]
    for _ in range(k * 3):
        if len(out) >= k:
            break
        v = rng.choice(ops)(text, rng)
        if rng.random() < 0.3:
            v = rng.choice(ops)(v, rng)
        if v and v != text and v not in out:
            out.append(v)
    return out


def _no_punct(t: str, rng: random.Random) -> str:
    return "".join(ch for ch in t if ch not in "，。！？、；：,.!?;:…")


def _particle(t: str, rng: random.Random) -> str:
    body = t.rstrip("，。！？,.!?…")
    return body + rng.choice(PARTICLES) + t[len(body):]


def _informal(t: str, rng: random.Random) -> str:
    return t.replace("您", "你") if "您" in t else t.replace("你", "您")


def _drop_char(t: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(t) if ch not in KEEP and not ch.isspace() and ch.isalnum()]
    if len(spots) < 4:
        return t
    i = rng.choice(spots)
    return t[:i] + t[i + 1:]


def _repeat_char(t: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(t) if ch.isalnum()]
    if not spots:
        return t
    i = rng.choice(spots)
    return t[:i] + t[i] + t[i:]


def _homophone(t: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(t) if ch in HOMOPHONES]
    if not spots:
        return t
    i = rng.choice(spots)
    return t[:i] + HOMOPHONES[t[i]] + t[i + 1:]


def _filler(t: str, rng: random.Random) -> str:
    return rng.choice(FILLERS) + t


def samples(examples: Sequence[Example], featurizer: Featurizer, augment: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    out: list[Sample] = []
    for ex in examples:
        acts = frozenset(ex.acts)
        out.append(Sample(featurizer.record_text(normalize(ex.text).text), acts, ex.family, True))
        for v in variants(ex.text, rng, augment):
            out.append(Sample(featurizer.record_text(normalize(v).text), acts, ex.family, False))
    return out


def _vocabulary(texts: Sequence[str], settings: FeatureSettings, min_df: int = 2) -> list[str]:
    df: Counter[str] = Counter()
    for t in texts:
        df.update(set(ngrams(t, settings.ngram_min, settings.ngram_max)))
    return sorted(g for g, n in df.items() if n >= min_df)


def _matrix(texts: Sequence[str], index: dict[str, int], settings: FeatureSettings) -> Any:
    from scipy.sparse import csr_matrix

    scale = _scales(index, settings)
    rows, cols, vals = [], [], []
    for r, t in enumerate(texts):
        grams = ngrams(t, settings.ngram_min, settings.ngram_max)
        counts = Counter(index[g] for g in grams if g in index)
        total = sum(counts.values())
        if not total:
            continue
        norm = 1.0 / np.sqrt(total)
        for c, n in counts.items():
            rows.append(r)
            cols.append(c)
            vals.append(n * norm * scale[c])
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), len(index)), dtype=np.float64)


def _scales(index: dict[str, int], settings: FeatureSettings) -> np.ndarray:
    """Per-feature value scale: single characters weigh ``unigram_scale``, the rest 1."""
    scale = np.ones(len(index))
    for gram, i in index.items():
        if len(gram) == 1:
            scale[i] = settings.unigram_scale
    return scale


def stable_folds(families: Sequence[str], k: int) -> list[np.ndarray]:
    """Fold number of each sample for ``evaluate``: whole families to one fold, chosen by a digest of the
    family's name, so that adding or removing families never moves the others (a comparison of two corpora
    then scores each act's old families against the same company: with a shuffle, one family more reshuffled
    them all, and precision moved by 0.03–0.05 with nothing changed)."""
    fold_of = {f: int.from_bytes(hashlib.sha256(f.encode()).digest()[:8], "big") % k for f in set(families)}
    folds = np.array([fold_of[f] for f in families], dtype=np.int64)
    return [np.flatnonzero(folds == i) for i in range(k)]


def _group_folds(families: Sequence[str], k: int, seed: int) -> list[np.ndarray]:
    """Fold number of each sample: whole families go to one fold, chosen at random but balanced."""
    uniq = sorted(set(families))
    random.Random(seed).shuffle(uniq)
    fold_of = {f: i % k for i, f in enumerate(uniq)}
    folds = np.array([fold_of[f] for f in families])
    return [np.flatnonzero(folds == i) for i in range(k)]


def _fit_act(x: Any, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    if not len(y) or y.min() == y.max():  # an act never (or always) seen in this split
        return np.zeros(x.shape[1]), (8.0 if len(y) and y[0] else -8.0)
    clf = LogisticRegression(C=c, solver="liblinear", max_iter=200)
    clf.fit(x, y)
    return clf.coef_[0], float(clf.intercept_[0])


def _platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    if not len(y) or y.min() == y.max():
        return 1.0, 0.0
    lr = LogisticRegression(C=100.0)
    lr.fit(z.reshape(-1, 1), y)
    scale = float(lr.coef_[0][0])
    if scale <= 0:  # held-out families gave no signal: keep the raw logistic output
        return 1.0, 0.0
    return scale, float(lr.intercept_[0])


def fit_speaker(speaker: str, train: Sequence[Sample], acts: list[str], settings: FeatureSettings,
                calibration_folds: int = 3) -> SpeakerModel:
    """One speaker's model: vocabulary, per-act weights, Platt calibration on held-out families."""
    ms = settings.model
    # an n-gram counts once per corpus record: variants of one record would let every n-gram pass
    vocab = _vocabulary([s.text for s in train if s.original], settings)
    index = {g: i for i, g in enumerate(vocab)}
    x = _matrix([s.text for s in train], index, settings)
    y_all = np.array([[a in s.acts for a in acts] for s in train], dtype=np.int8).reshape(len(train), len(acts))
    weights = np.zeros((len(vocab), len(acts)), dtype=np.float32)
    bias = np.zeros(len(acts), dtype=np.float32)
    z_oof = np.zeros((len(train), len(acts)))
    for held in _group_folds([s.family for s in train], calibration_folds, ms.seed):
        keep = np.setdiff1d(np.arange(len(train)), held)
        for j in range(len(acts)):
            w, b = _fit_act(x[keep], y_all[keep, j], ms.C)
            z_oof[held, j] = x[held] @ w + b
    scale = np.ones(len(acts), dtype=np.float32)
    shift = np.zeros(len(acts), dtype=np.float32)
    feature_scale = _scales(index, settings)
    for j in range(len(acts)):
        w, b = _fit_act(x, y_all[:, j], ms.C)
        weights[:, j] = w * feature_scale  # folded in, so run time sums plain weights
        bias[j] = b
        scale[j], shift[j] = _platt(z_oof[:, j], y_all[:, j])
    return SpeakerModel(speaker, acts, vocab, weights, bias, scale, shift)


def training_inputs(taxonomy: Taxonomy | None = None) -> tuple[list[Example], str]:
    """The corpus records and the hash of everything the model is trained from (corpus files, feature
    settings and the act names of each speaker), recorded in its card. Thresholds and descriptions are
    read at run time only: changing them does not call for retraining."""
    import hashlib

    taxonomy = taxonomy or load_taxonomy()
    files = corpus_files()
    examples = load_corpus(files, taxonomy)
    digest = hashlib.sha256(corpus_hash([*files, data_path("acts", "features.yaml")]).encode())
    digest.update("|".join(taxonomy.names()).encode())
    return examples, digest.hexdigest()


def train(examples: Sequence[Example], source_hash: str, taxonomy: Taxonomy | None = None,
          settings: FeatureSettings | None = None) -> tuple[dict[str, SpeakerModel], dict[str, Any]]:
    taxonomy = taxonomy or load_taxonomy()
    settings = settings or load_settings()
    featurizer = Featurizer(settings)
    began = time.perf_counter()
    models: dict[str, SpeakerModel] = {}
    counts: dict[str, dict[str, int]] = {}
    for speaker in ("agent", "citizen"):
        mine = [e for e in examples if e.speaker == speaker]
        if not mine:
            raise ActsError(f"语料里没有 {speaker} 的句子，无法训练")
        acts = taxonomy.names(speaker)
        data = samples(mine, featurizer, settings.model.augment, settings.model.seed)
        models[speaker] = fit_speaker(speaker, data, acts, settings)
        counts[speaker] = {"records": len(mine), "families": len({e.family for e in mine}),
                           "training_samples": len(data), "vocabulary": len(models[speaker].vocab),
                           **{a: sum(a in e.acts for e in mine) for a in acts}}
    card = {
        "name": "hotline-acts",
        "version": taxonomy.version,
        "trained_from_sha256": source_hash,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(time.perf_counter() - began, 1),
        "settings": settings.model.model_dump(),
        "counts": counts,
    }
    return models, card


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def evaluate(examples: Sequence[Example], taxonomy: Taxonomy | None = None,
             settings: FeatureSettings | None = None, folds: int | None = None,
             thresholds: dict[str, float] | None = None,
             speakers: Sequence[str] | None = None) -> dict[str, dict[str, Scores]]:
    """Per-act counts on family-held-out folds (``stable_folds``): each fold is scored by a model trained (and
    calibrated) without any record of its families. Only corpus records are scored, not variants."""
    taxonomy = taxonomy or load_taxonomy()
    settings = settings or load_settings()
    featurizer = Featurizer(settings)
    k = folds or settings.model.folds
    out: dict[str, dict[str, Scores]] = {}
    for speaker in speakers or ("agent", "citizen"):
        acts = taxonomy.names(speaker)
        limits = {a: (thresholds or {}).get(a, taxonomy.get(a).threshold) for a in acts}
        data = samples([e for e in examples if e.speaker == speaker], featurizer, settings.model.augment,
                       settings.model.seed)
        scores = {a: Scores() for a in acts}
        for held in stable_folds([s.family for s in data], k):
            held_set = set(held.tolist())
            train_part = [s for i, s in enumerate(data) if i not in held_set]
            test_part = [data[i] for i in held if data[i].original]
            model = fit_speaker(speaker, train_part, acts, settings)
            probs = model.probabilities([s.text for s in test_part])
            for s, row in zip(test_part, probs, strict=True):
                for j, a in enumerate(acts):
                    said, truth = row[j] >= limits[a], a in s.acts
                    sc = scores[a]
                    sc.tp += said and truth
                    sc.fp += said and not truth
                    sc.fn += truth and not said
        out[speaker] = scores
    return out
