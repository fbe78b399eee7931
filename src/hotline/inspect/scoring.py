"""Turning rule outcomes into a scorecard (质检评分表): per-dimension deductions and awards,
N/A dimensions left out and the total rescaled, a critical finding keeping the call under the pass
mark, 一票否决 zeroing the call.

A recording without words is judged on its timing and audio rules only: no total (it would read
like a full score), one dimension that holds those rules, and a notice that says what was not judged."""

from __future__ import annotations

from hotline.model import Finding, RuleOutcome, Scorecard, Severity
from hotline.norms.schema import Rulebook

TIMING_DIMENSION = "时间与音量"
TIMING_NOTICE = "未提供转写，仅评估时间与音量指标"


def score(call_id: str, rb: Rulebook, outcomes: list[RuleOutcome], findings: list[Finding],
          *, has_text: bool = True) -> Scorecard:
    if not has_text:
        return _timing_only(call_id, rb, outcomes, findings)
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


def _timing_only(call_id: str, rb: Rulebook, outcomes: list[RuleOutcome], findings: list[Finding]) -> Scorecard:
    points = {r.id: r.points for r in rb.rules}
    judged = [o for o in outcomes if o.status in ("passed", "failed")]
    full = sum(points[o.rule_id] for o in judged)
    got = min(full, max(0.0, full + sum(o.points for o in judged)))
    dims = {TIMING_DIMENSION: round(got, 2)} if judged else {}
    return Scorecard(
        call_id=call_id,
        total=None,
        dimensions=dims,
        findings=findings,
        rulebook_version=rb.version,
        max_dimensions={TIMING_DIMENSION: full} if judged else {},
        outcomes=outcomes,
        vetoed=any(f.veto for f in findings),
        scope="timing",
        notice=TIMING_NOTICE,
    )
