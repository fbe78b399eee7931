"""The score in force: a call's scorecard after 复核 and 申诉, recomputed by ``hotline.inspect``'s
scoring from the engine's outcomes and the findings still standing, with its history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.store.models import FindingRow, Review, Scorecard, ScoreChange, User, Verdict


def _severity(value: str) -> Any:
    from hotline.model import Severity

    try:
        return Severity(value)
    except ValueError:
        return value


def reviewed_score(
    outcomes: list[dict[str, Any]], max_dimensions: dict[str, Any], findings: list[dict[str, Any]], dropped: set[int],
    version: str = "", cap: float | None = None,
) -> tuple[float, bool, dict[str, float]]:
    """(total, vetoed, dimensions) once the findings whose ``id`` is in ``dropped`` are set aside
    (``cap``: the rulebook's critical-finding cap). Plain dicts in, so the migration that backfills
    old databases uses it too."""
    from hotline.inspect.scoring import rescore
    from hotline.model import Finding, RuleOutcome
    from hotline.model import Scorecard as CardModel

    card = CardModel(
        call_id="", total=0.0, dimensions={}, rulebook_version=version,
        findings=[Finding(f["rule_id"], f["dimension"], _severity(f["severity"]), None, None, "", "", "", float(f["points"] or 0),
                          bool(f["veto"])) for f in findings],
        max_dimensions={k: float(v) for k, v in (max_dimensions or {}).items()},
        outcomes=[RuleOutcome(o["rule_id"], o["dimension"], o["status"], float(o.get("points") or 0)) for o in outcomes or []],
    )
    out = rescore(card, [i for i, f in enumerate(findings) if f["id"] in dropped], cap)
    assert out.total is not None  # stored calls have words, so a total (recordings without are not stored)
    return out.total, out.vetoed, dict(out.dimensions)


def _finding_dict(f: FindingRow) -> dict[str, Any]:
    return {"id": f.id, "rule_id": f.rule_id, "dimension": f.dimension, "severity": f.severity, "points": f.points,
            "veto": f.veto}


def critical_cap_of(db: Session, card: Scorecard) -> float | None:
    """The critical-finding cap of the rulebook version that scored ``card`` (a version saved in the
    browser, else the bundled rulebook's)."""
    from hotline.inspect.scoring import critical_cap
    from hotline.store.models import RulebookOverride

    row = db.scalar(select(RulebookOverride).where(RulebookOverride.rulebook_version_id == card.rulebook_version_id))
    if row is not None:
        from hotline.store.rulebooks import engine_for_text

        return critical_cap(engine_for_text(row.yaml_text).rulebook)
    from hotline.inspect import default_engine

    return critical_cap(default_engine(semantic=False).rulebook)


def overturned_ids(findings: list[FindingRow]) -> set[int]:
    return {f.id for f in findings if f.review is not None and f.review.verdict == Verdict.OVERTURNED.value}


def recompute(
    db: Session, card: Scorecard, *, user: User | None = None, cause: str = "", finding: FindingRow | None = None,
    note: str = "", verdict: str = "",
) -> ScoreChange | None:
    """Set the score in force from the engine's outcomes and the findings review left standing;
    with a ``cause`` the change is written to the call's history (even when the total stays)."""
    if card.engine_total is None:  # scored before review could change scores
        card.engine_total, card.engine_vetoed, card.engine_dimensions = card.total, card.vetoed, dict(card.dimensions)
    db.flush()
    findings = list(card.findings)
    total, vetoed, dims = reviewed_score(card.outcomes, card.max_dimensions, [_finding_dict(f) for f in findings],
                                         overturned_ids(findings), cap=critical_cap_of(db, card))
    before_total, before_vetoed = card.total, card.vetoed
    card.total, card.vetoed, card.dimensions = total, vetoed, dims
    if not cause:
        return None
    change = ScoreChange(
        scorecard_id=card.id, finding_id=finding.id if finding else None, user_id=user.id if user else None, cause=cause,
        verdict=verdict or (finding.review.verdict if finding is not None and finding.review is not None else ""),
        note=note.strip(),
        total_before=before_total, total_after=total, vetoed_before=before_vetoed, vetoed_after=vetoed,
    )
    db.add(change)
    db.flush()
    return change


def recompute_all(db: Session) -> int:
    """Recompute every scorecard with a reviewed finding (after an upgrade); how many changed."""
    ids = db.scalars(select(FindingRow.scorecard_id).join(Review).distinct())
    changed = 0
    for card_id in list(ids):
        card = db.get_one(Scorecard, card_id)
        before = (card.total, card.vetoed)
        recompute(db, card)
        changed += (card.total, card.vetoed) != before
    return changed
