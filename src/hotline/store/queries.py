"""Read side: the result list with filters and role scope, one call, overview figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, defer, selectinload

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
    q: str = ""  # call id, 工号 or the caller's phone (whole, a part, or masked like 138****5678)
    status: str = ""  # a key of REVIEW_STATUS
    sort: str = ""  # a key of SORTS
    level: str = ""  # a key of TRIAGE_FILTERS ("" = every call)


# 复核 status of a call, from how many of its findings were reviewed
REVIEW_STATUS = {"unreviewed": "未复核", "partial": "复核中", "done": "已复核"}
# 复核分流 filters: "queue" is the review queue's default (auto-pass calls left out)
TRIAGE_FILTERS = {"queue": "必须复核与抽检", "mandatory": "必须复核", "sample": "抽检", "auto_pass": "自动通过",
                  "untriaged": "未分流", "all": "全部"}


@dataclass(slots=True)
class ResultRow:
    call: Call
    card: Scorecard
    rule_ids: list[str] = field(default_factory=list)
    findings: int = 0
    reviewed: int = 0
    overturned_rules: set[str] = field(default_factory=set)

    @property
    def status(self) -> str:
        if self.findings == 0 or self.reviewed >= self.findings:
            return "done"
        return "partial" if self.reviewed else "unreviewed"


@dataclass(frozen=True, slots=True)
class SortKey:
    """One way to order the result list and the review queue: ``order`` gives the ORDER BY terms
    from the per-scorecard review counts (columns ``n`` and ``reviewed``)."""

    label: str
    order: Callable[[Any], list[Any]]


def _pending(counts: Any) -> Any:
    return func.coalesce(counts.c.n, 0) - func.coalesce(counts.c.reviewed, 0)


def _level_rank() -> Any:
    """复核分流 first: mandatory, sample, calls never triaged, auto-pass."""
    return case((Scorecard.review_level == "mandatory", 0), (Scorecard.review_level == "sample", 1),
                (Scorecard.review_level.is_(None), 2), else_=3)


# The review queue's priority: the first key decides, the next breaks ties.
PRIORITY: list[Callable[[Any], Any]] = [
    lambda counts: _level_rank().asc(),
    lambda counts: Scorecard.vetoed.desc(),
    lambda counts: (_pending(counts) > 0).desc(),
    lambda counts: func.coalesce(Scorecard.escalation_risk, 0).desc(),
    lambda counts: func.coalesce(Scorecard.dissatisfaction, 0).desc(),
    lambda counts: Scorecard.total.asc(),
]
NEWEST = [Call.call_date.desc().nulls_last(), Call.id.desc()]
SORTS: dict[str, SortKey] = {
    "priority": SortKey("复核优先级（必须复核、抽检、否决、待复核在前）", lambda c: [key(c) for key in PRIORITY] + NEWEST),
    "date": SortKey("日期（新→旧）", lambda c: NEWEST),
    "date_asc": SortKey("日期（旧→新）", lambda c: [Call.call_date.asc().nulls_last(), Call.id.asc()]),
    "score": SortKey("得分（低→高）", lambda c: [Scorecard.total.asc(), *NEWEST]),
    "score_desc": SortKey("得分（高→低）", lambda c: [Scorecard.total.desc(), *NEWEST]),
    "pending": SortKey("待复核发现（多→少）", lambda c: [_pending(c).desc(), *NEWEST]),
    "agent": SortKey("坐席工号", lambda c: [Call.agent_code.asc(), *NEWEST]),
}


def _latest_card_id():  # noqa: ANN202 - a correlated scalar subquery
    return select(func.max(Scorecard.id)).where(Scorecard.call_id == Call.id).correlate(Call).scalar_subquery()


def scope_calls(query: Select, viewer: User) -> Select:
    """A trainee sees only the calls taken under their own 工号."""
    if viewer.role == Role.TRAINEE.value:
        return query.where(Call.agent_code == (viewer.agent_code or "\x00"))
    return query


def _review_counts() -> Any:
    """Per scorecard: its findings (``n``) and how many were reviewed (``reviewed``)."""
    return (
        select(FindingRow.scorecard_id.label("card_id"), func.count(FindingRow.id).label("n"),
               func.count(Review.id).label("reviewed"))
        .outerjoin(Review, Review.finding_id == FindingRow.id).group_by(FindingRow.scorecard_id).subquery()
    )


def _search(q: str) -> Any:
    """Call id (part), 工号 (whole) or caller phone: whole, a part of four digits or more, or masked."""
    q = q.strip()[:64]
    terms = [Call.external_id.contains(q, autoescape=True), Call.agent_code == q]
    digits = q.replace("-", "").replace(" ", "")
    if "*" in digits:
        parts = [p for p in digits.split("*") if p]
        if parts and all(p.isdigit() for p in parts):
            head, tail = (digits.split("*")[0], digits.split("*")[-1])
            terms.append(and_(Call.caller_phone.startswith(head, autoescape=True), Call.caller_phone.endswith(tail, autoescape=True),
                              func.length(Call.caller_phone) >= len(head) + len(tail)))
    elif digits.isdigit() and len(digits) >= 4:
        terms.append(Call.caller_phone.contains(digits, autoescape=True))
    return or_(*terms)


def _filtered(viewer: User, flt: CallFilter, counts: Any | None = None) -> Select:
    counts = counts if counts is not None else _review_counts()
    query = (select(Call, Scorecard, func.coalesce(counts.c.n, 0), func.coalesce(counts.c.reviewed, 0))
             .join(Scorecard, Scorecard.id == _latest_card_id()).outerjoin(counts, counts.c.card_id == Scorecard.id))
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
    if flt.q.strip():
        query = query.where(_search(flt.q))
    query = _by_level(query, flt.level)
    n, reviewed = func.coalesce(counts.c.n, 0), func.coalesce(counts.c.reviewed, 0)
    if flt.status == "unreviewed":
        query = query.where(n > 0, reviewed == 0)
    elif flt.status == "partial":
        query = query.where(reviewed > 0, reviewed < n)
    elif flt.status == "done":
        query = query.where(reviewed >= n)
    return query


def _by_level(query: Select, level: str) -> Select:
    if level == "queue":
        return query.where(or_(Scorecard.review_level.in_(("mandatory", "sample")), Scorecard.review_level.is_(None)))
    if level == "untriaged":
        return query.where(Scorecard.review_level.is_(None))
    if level in ("mandatory", "sample", "auto_pass"):
        return query.where(Scorecard.review_level == level)
    return query


def count_calls(db: Session, viewer: User, flt: CallFilter) -> int:
    return db.scalar(select(func.count()).select_from(_filtered(viewer, flt).subquery())) or 0


def list_calls(
    db: Session, viewer: User, flt: CallFilter, *, limit: int | None = PAGE_SIZE, with_findings: bool = False,
    default_sort: str = "date",
) -> list[ResultRow]:
    """Calls visible to ``viewer`` matching ``flt``, in ``flt.sort`` order (newest first by default),
    with the rules each one hit; ``with_findings`` loads every finding and its review up front (for exports)."""
    counts = _review_counts()
    sort = SORTS.get(flt.sort) or SORTS[default_sort]
    # a list shows neither the turns nor the score's parts: their JSON is not read (half the time of a page)
    query = _filtered(viewer, flt, counts).order_by(*sort.order(counts)).options(
        defer(Call.turns), defer(Scorecard.outcomes), defer(Scorecard.max_dimensions), defer(Scorecard.engine_dimensions),
        defer(Scorecard.citizen))
    if with_findings:
        query = query.options(
            selectinload(Scorecard.findings).selectinload(FindingRow.review),
            selectinload(Scorecard.rulebook_version),
        )
    if limit is not None:
        query = query.limit(limit).offset((max(flt.page, 1) - 1) * limit)
    rows = [ResultRow(call, card, findings=n, reviewed=r) for call, card, n, r in db.execute(query)]
    by_card = {r.card.id: r for r in rows}
    if by_card:
        hits = (select(FindingRow.scorecard_id, FindingRow.rule_id, Review.verdict).outerjoin(Review)
                .where(FindingRow.scorecard_id.in_(by_card)))
        for card_id, rule_id, verdict in db.execute(hits.order_by(FindingRow.id)):
            by_card[card_id].rule_ids.append(rule_id)
            if verdict == Verdict.OVERTURNED.value:
                by_card[card_id].overturned_rules.add(rule_id)
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
