"""Features shared by the zero-shot classifier (``classify``) and the trained model (``train``), so
that neither imports the other: the taxonomy's keywords with their weights, and how strongly a text
uses each category's vocabulary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from hotline.workorder.schema import Category

# Max characters embedded per text: the opening of a message carries its topic, and e5 cost grows
# with length.
EMBED_CHARS = 256
CORE_WEIGHT = 3.0  # a core keyword (公租房, 预付卡) says more about its category than a plain one (小区)
OTHER = "其他"


def all_keywords(cat: Category) -> list[str]:
    """A category's keywords and those of all its descendants (and their names)."""
    return list(weighted_keywords(cat))


def weighted_keywords(cat: Category) -> dict[str, float]:
    """Every word that points at ``cat``: its keywords (1), core keywords (``CORE_WEIGHT``) and the
    names and words of its descendants; a word listed twice keeps its larger weight."""
    out: dict[str, float] = {}

    def add(word: str, weight: float) -> None:
        if word and word != OTHER:
            out[word] = max(out.get(word, 0.0), weight)

    for word in cat.keywords:
        add(word, 1.0)
    for word in cat.core_keywords:
        add(word, CORE_WEIGHT)
    for child in cat.child_nodes():
        if len(child.name) >= 2:
            add(child.name, 1.0)
        for word, weight in weighted_keywords(child).items():
            add(word, weight)
    return out


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of text to score and how much it counts (the caller's opening statement counts more)."""

    text: str
    weight: float = 1.0
    turn_index: int | None = None


class KeywordIndex:
    """Weighted keywords of sibling categories. A word shared by n siblings is worth 1/n of its weight
    to each, so broad words (小区, 价格) do not let the category with the longest list win."""

    def __init__(self, categories: Sequence[Category]):
        self.names = [c.name for c in categories]
        per = [weighted_keywords(c) for c in categories]
        shared = Counter(word for words in per for word in words)
        self.weights = [{w: weight / shared[w] for w, weight in words.items()} for words in per]

    @classmethod
    def from_weights(cls, names: list[str], weights: list[dict[str, float]]) -> KeywordIndex:
        """An index saved with a trained model (the taxonomy may have changed since)."""
        index = cls([])
        index.names, index.weights = list(names), [dict(w) for w in weights]
        return index

    def hits(self, segments: Sequence[Segment], lead: float = 1.0) -> list[dict[str, float]]:
        """Per category, each word found and its weight times the weight of the best segment holding
        it; the first segment that holds any word (where the caller names the matter) counts ``lead``
        times."""
        factors = [s.weight for s in segments]
        first = next((i for i, s in enumerate(segments) if any(w in s.text for ws in self.weights for w in ws)), None)
        if first is not None:
            factors[first] *= lead
        out = []
        for words in self.weights:
            found: dict[str, float] = {}
            for seg, factor in zip(segments, factors, strict=True):
                for word, weight in words.items():
                    if word in seg.text and weight * factor > found.get(word, 0.0):
                        found[word] = weight * factor
            out.append(found)
        return out

    def scores(self, segments: Sequence[Segment], lead: float = 1.0) -> list[float]:
        return [sum(found.values()) for found in self.hits(segments, lead)]


def keyword_score(text: str, keywords: Sequence[str]) -> float:
    """Unweighted: log(1 + number of distinct keywords found)."""
    import math

    return math.log1p(sum(1 for k in keywords if k in text))
