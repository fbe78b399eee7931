"""Speech acts: what each clause of a call does (refuses, pushes away, empathises, restates, is
angry…), whatever its wording. A fast offline model under the rulebook; rules reach it through the
``act`` operator of ``hotline.inspect``.

>>> from hotline.acts import explain
>>> [a.act for c in explain("这事不归我们管，你自己找物业去") for a in c.acts if a.fired]
"""

from __future__ import annotations

from hotline.native import package_path

__path__ = package_path(__name__, __path__)  # compiled modules first, when current

from dataclasses import dataclass

from hotline.acts.model import ActModel, ClauseActs, default_model
from hotline.acts.taxonomy import ActsError, Taxonomy, load_taxonomy

__all__ = ["ActModel", "ActsError", "ClauseActs", "ExplainedAct", "ExplainedClause", "Taxonomy",
           "default_model", "explain", "load_taxonomy"]


@dataclass
class ExplainedAct:
    act: str
    title: str
    probability: float
    threshold: float
    evidence: list[str]

    @property
    def fired(self) -> bool:
        return self.probability >= self.threshold


@dataclass
class ExplainedClause:
    text: str
    acts: list[ExplainedAct]


def explain(text: str, speaker: str = "agent", thresholds: dict[str, float] | None = None,
            model: ActModel | None = None) -> list[ExplainedClause]:
    """Each clause of ``text`` with every act's probability (highest first) and the n-grams behind it."""
    from hotline.text import normalize

    model = model or default_model()
    taxonomy = load_taxonomy()
    norm = normalize(text)
    sm = model.for_speaker(speaker)
    out = []
    for clause in model.clause_acts(speaker, [norm.text])[0]:
        start, end = norm.to_original(clause.start, clause.end)
        acts = []
        probs = clause.probs
        for j in sorted(range(len(sm.acts)), key=lambda j: -float(probs[j])):
            name = sm.acts[j]
            spec = taxonomy.get(name)
            evidence = [model.featurizer.describe(g) for g, _ in sm.explain(clause.feature_text, name, top=4)]
            acts.append(ExplainedAct(name, spec.title, float(probs[j]),
                                     (thresholds or {}).get(name, spec.threshold), evidence))
        out.append(ExplainedClause(norm.original[start:end], acts))
    return out
