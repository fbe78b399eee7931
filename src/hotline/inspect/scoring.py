"""Turning rule outcomes into a scorecard (质检评分表): per-dimension deductions and awards,
N/A dimensions left out and the total rescaled, a critical finding keeping the call under the pass
mark, 一票否决 zeroing the call. ``rescore`` gives the score once review (复核, 申诉) has set
findings aside: the same arithmetic, never a second copy.

A recording without words is judged on its timing and audio rules only: no total (it would read
like a full score), one dimension that holds those rules, and a notice that says what was not judged."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from hotline.model import Finding, RuleOutcome, Scorecard, Severity
from hotline.norms.schema import Rulebook

TIMING_DIMENSION = "时间与音量"
TIMING_NOTICE = "未提供转写，仅评估时间与音量指标"


def critical_cap(rb: Rulebook) -> float | None:
    """The highest total a call with a critical finding may keep (None: no such cap)."""
    return max(0.0, rb.scoring.pass_mark - 1) if rb.scoring.critical_fails else None


def score(call_id: str, rb: Rulebook, outcomes: list[RuleOutcome], findings: list[Finding],
          *, has_text: bool = True, applicable: dict[str, float] | None = None) -> Scorecard:
    """The scorecard of a call's outcomes. ``applicable``, when the caller summed it while judging: the points of
    the outcomes that applied, per dimension, in the order of the outcomes (``applied`` of them)."""
    return Form(rb).score(call_id, outcomes, findings, has_text=has_text, applicable=applicable)


class Form:
    """A rulebook's scoring form, read once (``score`` for call after call): its dimensions' full points, its
    version and its cap. The rulebook is a pydantic model, and each of its attributes is a generic lookup."""

    def __init__(self, rb: Rulebook) -> None:
        self.rulebook = rb
        self.version: str = rb.version
        self.maxes: dict[str, float] = {d.name: d.points for d in rb.scoring.dimensions}
        self.cap: float | None = critical_cap(rb)

    def score(self, call_id: str, outcomes: list[RuleOutcome], findings: list[Finding],
              *, has_text: bool = True, applicable: dict[str, float] | None = None) -> Scorecard:
        """``score`` with this form; each card has its own copy of the dimensions' full points."""
        if not has_text:
            return _timing_only(call_id, self.rulebook, outcomes, findings)
        return _tally(call_id, self.version, dict(self.maxes), outcomes, findings, self.cap, applicable)


def applied(outcomes: list[RuleOutcome]) -> dict[str, float]:
    """The points of the outcomes that applied (not N/A), summed per dimension, dimensions in order of appearance."""
    out: dict[str, float] = {}
    for o in outcomes:
        if o.status != "na":
            out[o.dimension] = out.get(o.dimension, 0.0) + o.points
    return out


def _timing_only(call_id: str, rb: Rulebook, outcomes: list[RuleOutcome], findings: list[Finding]) -> Scorecard:
    points = {r.id: r.points for r in rb.rules}
    judged = [o for o in outcomes if o.status in ("passed", "failed")]
    full: float = sum(points[o.rule_id] for o in judged)
    got: float = min(full, max(0.0, full + sum(o.points for o in judged)))
    return Scorecard(
        call_id=call_id,
        total=None,
        dimensions={TIMING_DIMENSION: round(got, 2)} if judged else {},
        findings=findings,
        rulebook_version=rb.version,
        max_dimensions={TIMING_DIMENSION: full} if judged else {},
        outcomes=outcomes,
        vetoed=any(f.veto for f in findings),
        scope="timing",
        notice=TIMING_NOTICE,
    )


def _tally(call_id: str, version: str, maxes: dict[str, float], outcomes: list[RuleOutcome],
           findings: list[Finding], cap: float | None = None, applicable: dict[str, float] | None = None) -> Scorecard:
    if applicable is None:
        applicable = applied(outcomes)
    dimensions = {
        dim: _rounded(min(maxes[dim], max(0.0, maxes[dim] + delta)), 2) for dim, delta in applicable.items() if dim in maxes
    }
    reachable = sum(maxes[d] for d in dimensions)
    total = _rounded(100.0 * sum(dimensions.values()) / reachable, 1) if reachable else 100.0
    if cap is not None and any(f.severity is Severity.CRITICAL for f in findings):
        total = min(total, cap)
    vetoed = any(f.veto for f in findings)
    if vetoed:
        total = 0.0
    return Scorecard(
        call_id=call_id,
        total=total,
        dimensions=dimensions,
        findings=findings,
        rulebook_version=version,
        max_dimensions=maxes,
        outcomes=outcomes,
        vetoed=vetoed,
    )


def _rounded(x: float, digits: int) -> float:
    """``round(x, digits)``. A whole number is its own rounding (its decimals are all zeros, and the number they
    spell is x again), told by one division's remainder instead of the decimal conversion ``round`` makes (~3K
    instructions each): most scores are whole, the rules' points being whole. NaN and infinities are no whole
    number (their remainder is NaN) and go to ``round``."""
    return x if x % 1.0 == 0.0 else round(x, digits)


def rescore(card: Scorecard, dropped: Iterable[int], cap: float | None = None) -> Scorecard:
    """``card`` once the findings at positions ``dropped`` (of ``card.findings``) are set aside by
    review. A failed rule deducts for the findings it keeps, within what it deducted before (its cap
    held then too); a rule left with none passes; 一票否决 holds only while a veto finding stands, the
    critical-finding cap (``critical_cap`` of the rulebook) only while a critical finding does."""
    drop = set(dropped)
    kept = [f for i, f in enumerate(card.findings) if i not in drop]
    before = Counter(f.rule_id for f in card.findings)
    after = Counter(f.rule_id for f in kept)
    per_finding = {f.rule_id: abs(f.points) for f in card.findings}
    outcomes = []
    for o in card.outcomes:
        if o.status != "failed" or after[o.rule_id] >= before[o.rule_id]:
            outcomes.append(o)
        elif after[o.rule_id] == 0:
            outcomes.append(RuleOutcome(o.rule_id, o.dimension, "passed", 0.0))
        else:
            deduction = min(per_finding[o.rule_id] * after[o.rule_id], abs(o.points))
            outcomes.append(RuleOutcome(o.rule_id, o.dimension, "failed", -deduction))
    return _tally(card.call_id, card.rulebook_version, dict(card.max_dimensions), outcomes, kept, cap)
