"""Turning rule outcomes into a scorecard (质检评分表): per-dimension deductions and awards,
N/A dimensions left out and the total rescaled, a critical finding keeping the call under the pass
mark, 一票否决 zeroing the call."""

from __future__ import annotations

from hotline.model import Finding, RuleOutcome, Scorecard, Severity
from hotline.norms.schema import Rulebook


def score(call_id: str, rb: Rulebook, outcomes: list[RuleOutcome], findings: list[Finding]) -> Scorecard:
    maxes = {d.name: d.points for d in rb.scoring.dimensions}
    applicable: dict[str, float] = {}
    for o in outcomes:
        if o.status == "na":
            continue
        applicable[o.dimension] = applicable.get(o.dimension, 0.0) + o.points
    dimensions = {
        dim: round(min(maxes[dim], max(0.0, maxes[dim] + delta)), 2) for dim, delta in applicable.items()
    }
    reachable = sum(maxes[d] for d in dimensions)
    total = round(100.0 * sum(dimensions.values()) / reachable, 1) if reachable else 100.0
    if rb.scoring.critical_fails and any(f.severity is Severity.CRITICAL for f in findings):
        total = min(total, max(0.0, rb.scoring.pass_mark - 1))
    vetoed = any(f.veto for f in findings)
    if vetoed:
        total = 0.0
    return Scorecard(
        call_id=call_id,
        total=total,
        dimensions=dimensions,
        findings=findings,
        rulebook_version=rb.version,
        max_dimensions=maxes,
        outcomes=outcomes,
        vetoed=vetoed,
    )
