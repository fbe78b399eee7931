"""复核 and 申诉: an inspector confirms or overturns a finding, the agent may appeal a confirmed
finding once, the reviewer's lead (or an admin) decides. Rule precision = confirmed / reviewed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hotline.store.audit import record
from hotline.store.db import StoreError
from hotline.store.models import (
    Appeal,
    AppealStatus,
    Call,
    FindingRow,
    Review,
    Role,
    Scorecard,
    User,
    Verdict,
    utcnow,
)
from hotline.store.scores import recompute


class ReviewError(StoreError):
    """A review, appeal or decision is not allowed in the finding's current state."""

    code = "E802"


@dataclass(frozen=True, slots=True)
class Precision:
    rule_id: str
    reviewed: int
    confirmed: int

    @property
    def value(self) -> float | None:
        return self.confirmed / self.reviewed if self.reviewed else None


def finding_call(db: Session, finding: FindingRow) -> Call:
    return db.get_one(Call, db.get_one(Scorecard, finding.scorecard_id).call_id)


def get_finding(db: Session, finding_id: int) -> FindingRow:
    finding = db.get(FindingRow, finding_id)
    if finding is None:
        raise ReviewError(f"找不到编号为 {finding_id} 的质检发现")
    return finding


def review_finding(db: Session, finding_id: int, reviewer: User, verdict: Verdict | str, note: str = "") -> Review:
    """Confirm or overturn a finding; a finding under appeal can no longer be changed here."""
    finding = get_finding(db, finding_id)
    try:
        verdict = Verdict(verdict)
    except ValueError:
        raise ReviewError(f"复核结论只能是“确认”或“推翻”，收到：{verdict}") from None
    if finding.appeal is not None:
        raise ReviewError("该发现已有申诉，复核结论以申诉裁决为准")
    review = finding.review
    if review is None:
        review = Review(finding=finding, reviewer_id=reviewer.id, verdict=verdict.value, note=note.strip())
        db.add(review)
    else:
        review.reviewer_id, review.verdict, review.note = reviewer.id, verdict.value, note.strip()
        review.updated_at = utcnow()
    db.flush()
    card = db.get_one(Scorecard, finding.scorecard_id)
    change = recompute(db, card, user=reviewer, cause="review", finding=finding, note=note)
    record(db, reviewer, "finding.review", "finding", finding.id, verdict=verdict.value, rule_id=finding.rule_id,
           total=f"{change.total_before:g}→{change.total_after:g}" if change else "")
    return review


def review_findings(db: Session, finding_ids: list[int], reviewer: User, verdict: Verdict | str, note: str = "") -> list[str]:
    """Bulk 复核 with one note: every finding that can be reviewed is; the others are listed with the reason."""
    problems = []
    for fid in dict.fromkeys(finding_ids):
        try:
            review_finding(db, fid, reviewer, verdict, note)
        except ReviewError as exc:
            problems.append(f"发现 {fid}：{exc.message}")
    return problems


def may_appeal(user: User, call: Call, finding: FindingRow) -> bool:
    return (
        user.role == Role.TRAINEE.value
        and bool(user.agent_code)
        and user.agent_code == call.agent_code
        and finding.review is not None
        and finding.review.verdict == Verdict.CONFIRMED.value
        and finding.appeal is None
    )


def appeal_finding(db: Session, finding_id: int, user: User, reason: str) -> Appeal:
    """The agent of the call appeals a confirmed finding, once, with a reason."""
    finding = get_finding(db, finding_id)
    call = finding_call(db, finding)
    if user.agent_code != call.agent_code or not user.agent_code:
        raise ReviewError("只能对自己的通话提出申诉")
    if finding.appeal is not None:
        raise ReviewError("每条发现只能申诉一次，该发现已申诉过")
    if finding.review is None or finding.review.verdict != Verdict.CONFIRMED.value:
        raise ReviewError("只有经复核确认的发现才能申诉")
    if not reason.strip():
        raise ReviewError("请填写申诉理由")
    appeal = Appeal(finding=finding, appellant_id=user.id, reason=reason.strip())
    db.add(appeal)
    db.flush()
    record(db, user, "finding.appeal", "finding", finding.id, appeal_id=appeal.id)
    return appeal


def may_decide(db: Session, user: User, appeal: Appeal) -> bool:
    """Admins, and the lead of the inspector who reviewed the finding."""
    if appeal.status != AppealStatus.PENDING.value or user.id == appeal.appellant_id:
        return False
    if user.role == Role.ADMIN.value:
        return True
    review = appeal.finding.review
    reviewer = db.get(User, review.reviewer_id) if review else None
    return reviewer is not None and reviewer.lead_id == user.id


def decide_appeal(db: Session, appeal_id: int, user: User, upheld: bool, note: str = "") -> Appeal:
    """Uphold (the finding is overturned) or reject (the finding stands) an appeal."""
    appeal = db.get(Appeal, appeal_id)
    if appeal is None:
        raise ReviewError(f"找不到编号为 {appeal_id} 的申诉")
    if appeal.status != AppealStatus.PENDING.value:
        raise ReviewError("该申诉已裁决")
    if not may_decide(db, user, appeal):
        raise ReviewError("只有复核质检员的组长或管理员可以裁决该申诉")
    appeal.status = (AppealStatus.UPHELD if upheld else AppealStatus.REJECTED).value
    appeal.decided_by, appeal.decision_note, appeal.decided_at = user.id, note.strip(), utcnow()
    review = appeal.finding.review
    if upheld and review is not None:
        review.verdict, review.updated_at = Verdict.OVERTURNED.value, utcnow()
    db.flush()
    card = db.get_one(Scorecard, appeal.finding.scorecard_id)
    change = recompute(db, card, user=user, cause="appeal", finding=appeal.finding, note=note,
                       verdict=appeal.status)
    record(db, user, "appeal.decide", "appeal", appeal.id, status=appeal.status,
           total=f"{change.total_before:g}→{change.total_after:g}" if change else "")
    return appeal


def pending_appeals(db: Session) -> list[Appeal]:
    query = select(Appeal).where(Appeal.status == AppealStatus.PENDING.value).order_by(Appeal.id)
    return list(db.scalars(query))


def recent_appeals(db: Session, limit: int = 100) -> list[Appeal]:
    return list(db.scalars(select(Appeal).order_by(Appeal.id.desc()).limit(limit)))


def rule_precision(db: Session) -> dict[str, Precision]:
    """Per rule id: reviewed findings and how many were confirmed (after appeals)."""
    confirmed = func.sum(case((Review.verdict == Verdict.CONFIRMED.value, 1), else_=0))
    query = select(FindingRow.rule_id, func.count(Review.id), confirmed).join(Review).group_by(FindingRow.rule_id)
    return {rid: Precision(rid, int(n), int(c or 0)) for rid, n, c in db.execute(query)}


def unreviewed_of_calls(db: Session, call_ids: list[int]) -> list[int]:
    """The findings of these calls' latest scorecards that nobody has reviewed yet."""
    if not call_ids:
        return []
    latest = select(func.max(Scorecard.id)).where(Scorecard.call_id.in_(call_ids)).group_by(Scorecard.call_id)
    query = (select(FindingRow.id).outerjoin(Review).where(FindingRow.scorecard_id.in_(latest), Review.id.is_(None))
             .order_by(FindingRow.id))
    return list(db.scalars(query))


def appeals_of(db: Session, user: User, limit: int = 200) -> list[Appeal]:
    """The appeals ``user`` made, newest first (我的申诉)."""
    query = select(Appeal).where(Appeal.appellant_id == user.id).order_by(Appeal.id.desc()).limit(limit)
    return list(db.scalars(query))


def unseen_decisions(db: Session, user_id: int) -> int:
    """Decided appeals of this appellant they have not acknowledged yet (the notice in the page header)."""
    query = select(func.count()).select_from(Appeal).where(
        Appeal.appellant_id == user_id, Appeal.status != AppealStatus.PENDING.value, Appeal.seen_at.is_(None))
    return int(db.scalar(query) or 0)


def mark_decisions_seen(db: Session, user: User) -> int:
    """The appellant has read the decisions: the notice goes away. Returns how many were marked."""
    rows = db.scalars(select(Appeal).where(Appeal.appellant_id == user.id, Appeal.status != AppealStatus.PENDING.value,
                                           Appeal.seen_at.is_(None)))
    now, n = utcnow(), 0
    for row in rows:
        row.seen_at, n = now, n + 1
    return n
