"""Read side: the result list with filters and role scope, one call, overview figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

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
)

PAGE_SIZE = 50


@dataclass(slots=True)
class CallFilter:
    agent: str = ""
    date_from: date | None = None
    date_to: date | None = None
    score_min: float | None = None
    score_max: float | None = None
    rule_id: str = ""
    page: int = 1


@dataclass(slots=True)
class ResultRow:
    call: Call
    card: Scorecard
    rule_ids: list[str] = field(default_factory=list)


def _latest_card_id():  # noqa: ANN202 - a correlated scalar subquery
    return select(func.max(Scorecard.id)).where(Scorecard.call_id == Call.id).correlate(Call).scalar_subquery()


def scope_calls(query: Select, viewer: User) -> Select:
    """A trainee sees only the calls taken under their own 工号."""
    if viewer.role == Role.TRAINEE.value:
        return query.where(Call.agent_code == (viewer.agent_code or "\x00"))
    return query


def _filtered(viewer: User, flt: CallFilter) -> Select:
    query = select(Call, Scorecard).join(Scorecard, Scorecard.id == _latest_card_id())
    query = scope_calls(query, viewer)
    if flt.agent:
        query = query.where(Call.agent_code == flt.agent.strip())
    if flt.date_from:
        query = query.where(Call.call_date >= flt.date_from)
    if flt.date_to:
        query = query.where(Call.call_date <= flt.date_to)
    if flt.score_min is not None:
        query = query.where(Scorecard.total >= flt.score_min)
    if flt.score_max is not None:
        query = query.where(Scorecard.total <= flt.score_max)
    if flt.rule_id:
        hit = select(FindingRow.id).where(FindingRow.scorecard_id == Scorecard.id, FindingRow.rule_id == flt.rule_id)
        query = query.where(hit.exists())
    return query


def count_calls(db: Session, viewer: User, flt: CallFilter) -> int:
    return db.scalar(select(func.count()).select_from(_filtered(viewer, flt).subquery())) or 0


def list_calls(
    db: Session, viewer: User, flt: CallFilter, *, limit: int | None = PAGE_SIZE, with_findings: bool = False
) -> list[ResultRow]:
    """Calls visible to ``viewer`` matching ``flt``, newest first, with the rules each one hit;
    ``with_findings`` loads every finding and its review up front (for exports)."""
    query = _filtered(viewer, flt).order_by(Call.call_date.desc().nulls_last(), Call.id.desc())
    if with_findings:
        query = query.options(
            selectinload(Scorecard.findings).selectinload(FindingRow.review),
            selectinload(Scorecard.rulebook_version),
        )
    if limit is not None:
        query = query.limit(limit).offset((max(flt.page, 1) - 1) * limit)
    rows = [ResultRow(call, card) for call, card in db.execute(query)]
    by_card = {r.card.id: r for r in rows}
    if by_card:
        hits = select(FindingRow.scorecard_id, FindingRow.rule_id).where(FindingRow.scorecard_id.in_(by_card))
        for card_id, rule_id in db.execute(hits.order_by(FindingRow.id)):
            by_card[card_id].rule_ids.append(rule_id)
    return rows


def agent_codes(db: Session, viewer: User) -> list[str]:
    query = scope_calls(select(Call.agent_code).distinct(), viewer).where(Call.agent_code != "")
    return sorted(db.scalars(query))


def hit_rule_ids(db: Session) -> list[str]:
    return sorted(db.scalars(select(FindingRow.rule_id).distinct()))


def get_call(db: Session, call_id: int) -> Call | None:
    cards = selectinload(Call.scorecards)
    opts = [
        cards.selectinload(Scorecard.findings).selectinload(FindingRow.review),
        cards.selectinload(Scorecard.findings).selectinload(FindingRow.appeal),
        cards.selectinload(Scorecard.rulebook_version),
    ]
    return db.scalar(select(Call).where(Call.id == call_id).options(*opts))


def agent_by_code(db: Session, code: str) -> User | None:
    return db.scalar(select(User).where(User.agent_code == code)) if code else None


def agents_by_code(db: Session) -> dict[str, User]:
    return {u.agent_code: u for u in db.scalars(select(User).where(User.agent_code.is_not(None))) if u.agent_code}


@dataclass(slots=True)
class Overview:
    calls: int
    average: float | None
    vetoed: int
    findings: int
    reviewed: int
    confirmed: int
    pending_appeals: int
    histogram: list[int]

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.reviewed if self.reviewed else None


def overview(db: Session, viewer: User) -> Overview:
    """Headline figures and the score distribution (ten bins of 10 points) of visible calls."""
    visible = _filtered(viewer, CallFilter()).with_only_columns(Scorecard.total, Scorecard.vetoed)
    totals = [(total, vetoed) for total, vetoed in db.execute(visible)]
    hist = [0] * 10
    for total, _ in totals:
        hist[min(max(int(total // 10), 0), 9)] += 1
    reviewed = db.scalar(select(func.count(Review.id))) or 0
    confirmed = db.scalar(select(func.count(Review.id)).where(Review.verdict == Verdict.CONFIRMED.value)) or 0
    return Overview(
        calls=len(totals),
        average=round(sum(t for t, _ in totals) / len(totals), 1) if totals else None,
        vetoed=sum(1 for _, v in totals if v),
        findings=db.scalar(select(func.count(FindingRow.id))) or 0,
        reviewed=reviewed,
        confirmed=confirmed,
        pending_appeals=db.scalar(select(func.count(Appeal.id)).where(Appeal.status == AppealStatus.PENDING.value)) or 0,
        histogram=hist,
    )
