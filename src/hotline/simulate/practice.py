"""Targeted practice: the scenarios that exercise a trainee's weak rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from hotline.model import Scorecard
from hotline.simulate.library import ScenarioLibrary
from hotline.simulate.schema import Scenario


@dataclass(slots=True)
class Pick:
    scenario: Scenario
    rules: list[str]
    score: float


def weak_rules(cards: Iterable[Scorecard]) -> list[str]:
    """Rule ids that failed in these scorecards (drills or real-call QA), most frequent first."""
    counts: Counter[str] = Counter()
    for card in cards:
        failed = {o.rule_id for o in card.outcomes if o.status == "failed"}
        failed |= {f.rule_id for f in card.findings}
        counts.update(failed)
    return [rule for rule, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def pick_scenarios(weak: list[str], library: ScenarioLibrary, limit: int = 5, exclude: Iterable[str] = ()) -> list[Pick]:
    """Scenarios ranked by how many (and how high-ranked) of the weak rules they exercise; easier first on ties."""
    rank = {rule: len(weak) - i for i, rule in enumerate(dict.fromkeys(weak))}
    skip = set(exclude)
    picks = []
    for sc in library.scenarios.values():
        hit = [r for r in sc.norms if r in rank]
        if hit and sc.id not in skip:
            picks.append(Pick(sc, hit, float(sum(rank[r] for r in hit))))
    picks.sort(key=lambda p: (-p.score, p.scenario.difficulty, p.scenario.id))
    return picks[:limit]
