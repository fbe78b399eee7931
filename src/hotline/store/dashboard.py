"""看板 figures: per-agent scorecard dimensions, trend, ranking, most-hit rules, drill and exam
progress, all under the same filters (team, agent, dates)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hotline.store.models import (
    Attempt,
    Call,
    Drill,
    FindingRow,
    LessonProgress,
    Review,
    Role,
    Scorecard,
    User,
    Verdict,
)


@dataclass(slots=True)
class Filters:
    team_id: int | None = None
    agent: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(slots=True)
class AgentRow:
    code: str
    name: str
    team: str
    calls: int = 0
    total: float = 0.0
    vetoed: int = 0
    findings: int = 0
    dims: dict[str, list[float]] = field(default_factory=dict)

    @property
    def average(self) -> float:
        return round(self.total / self.calls, 1) if self.calls else 0.0

    def dimension_percent(self) -> dict[str, float]:
        return {d: round(100 * sum(v) / len(v), 1) for d, v in self.dims.items() if v}


def _people(db: Session, flt: Filters) -> dict[str, User]:
    query = select(User).where(User.agent_code.is_not(None))
    if flt.team_id:
        query = query.where(User.team_id == flt.team_id)
    return {u.agent_code: u for u in db.scalars(query) if u.agent_code}


def _cards(db: Session, flt: Filters, codes: set[str] | None):  # noqa: ANN202 - rows of a select
    latest = select(func.max(Scorecard.id)).group_by(Scorecard.call_id).scalar_subquery()
    query = select(Call.id, Call.agent_code, Call.call_date, Scorecard.id, Scorecard.total, Scorecard.vetoed,
                   Scorecard.dimensions, Scorecard.max_dimensions).join(Scorecard, Scorecard.call_id == Call.id)
    query = query.where(Scorecard.id.in_(latest), Call.agent_code != "")
    return db.execute(filtered(query, flt, codes)).all()


def filtered(query: Any, flt: Filters, codes: set[str] | None) -> Any:
    """``query`` narrowed to the filters' agent (or the team's agents ``codes``) and dates."""
    if flt.agent:
        query = query.where(Call.agent_code == flt.agent)
    elif codes is not None:
        query = query.where(Call.agent_code.in_(codes))
    if flt.date_from:
        query = query.where(Call.call_date >= flt.date_from)
    if flt.date_to:
        query = query.where(Call.call_date <= flt.date_to)
    return query


def _standing():  # noqa: ANN202 - a SQL condition
    """Findings that still count: not overturned by 复核 or an upheld 申诉."""
    return or_(Review.id.is_(None), Review.verdict != Verdict.OVERTURNED.value)


def agents(db: Session, flt: Filters) -> tuple[list[AgentRow], dict[int, str], list]:
    """Ranking rows (best average first), card id → agent code, and the raw rows (for trends)."""
    people = _people(db, flt)
    rows = _cards(db, flt, set(people) if flt.team_id else None)
    by_code: dict[str, AgentRow] = {}
    card_agent: dict[int, str] = {}
    for _cid, code, _day, card_id, total, vetoed, dims, maxes in rows:
        u = people.get(code)
        row = by_code.setdefault(code, AgentRow(code, u.display_name if u else "", u.team.name if u and u.team else ""))
        row.calls += 1
        row.total += total
        row.vetoed += bool(vetoed)
        card_agent[card_id] = code
        for dim, value in (dims or {}).items():
            top = (maxes or {}).get(dim)
            if top:
                row.dims.setdefault(dim, []).append(max(0.0, value) / top)
    if card_agent:
        counts = db.execute(select(FindingRow.scorecard_id, func.count()).where(FindingRow.scorecard_id.in_(card_agent), _standing())
                            .outerjoin(Review).group_by(FindingRow.scorecard_id)).all()
        for card_id, n in counts:
            by_code[card_agent[card_id]].findings += n
    ranking = sorted(by_code.values(), key=lambda r: (-r.average, r.code))
    return ranking, card_agent, rows


def trend(rows: list) -> list[tuple[str, float, int]]:
    """Average total per ISO week: (week label, average, calls)."""
    weeks: dict[str, list[float]] = defaultdict(list)
    for _cid, _code, day, _card, total, *_ in rows:
        if day is not None:
            year, week, _ = day.isocalendar()
            weeks[f"{year}-W{week:02d}"].append(total)
    return [(w, round(sum(v) / len(v), 1), len(v)) for w, v in sorted(weeks.items())]


def top_rules(db: Session, card_ids: list[int], limit: int = 15) -> list[tuple[str, int, int]]:
    """(rule id, findings, calls) of the most-hit rules among these scorecards."""
    if not card_ids:
        return []
    hits = db.execute(select(FindingRow.rule_id, FindingRow.scorecard_id).outerjoin(Review)
                      .where(FindingRow.scorecard_id.in_(card_ids), _standing())).all()
    count = Counter(r for r, _ in hits)
    calls = Counter(r for r, _ in set(hits))
    return [(r, n, calls[r]) for r, n in count.most_common(limit)]


@dataclass(slots=True)
class LearnerRow:
    user: User
    lessons: int = 0
    quizzes: int = 0
    exams: int = 0
    exams_passed: int = 0
    best_exam: float | None = None
    drills: int = 0
    drill_average: float | None = None


def learners(db: Session, flt: Filters) -> list[LearnerRow]:
    """Drill and exam progress of every trainee (of the team, when filtered)."""
    query = select(User).where(User.role == Role.TRAINEE.value)
    if flt.team_id:
        query = query.where(User.team_id == flt.team_id)
    if flt.agent:
        query = query.where(User.agent_code == flt.agent)
    out = {u.id: LearnerRow(u) for u in db.scalars(query.order_by(User.id))}
    if not out:
        return []
    for uid, n in db.execute(select(LessonProgress.user_id, func.count()).where(LessonProgress.user_id.in_(out)).group_by(LessonProgress.user_id)):
        out[uid].lessons = n
    attempts = select(Attempt).where(Attempt.user_id.in_(out), Attempt.finished_at.is_not(None))
    for a in db.scalars(attempts):
        row = out[a.user_id]
        if a.kind == "quiz":
            row.quizzes += 1
        else:
            row.exams += 1
            row.exams_passed += bool(a.passed)
            row.best_exam = max(row.best_exam or 0.0, a.percent or 0.0)
    drills = select(Drill.user_id, func.count(), func.avg(Drill.total)).where(Drill.user_id.in_(out), Drill.status == "done")
    for uid, n, avg in db.execute(drills.group_by(Drill.user_id)):
        out[uid].drills, out[uid].drill_average = n, round(float(avg), 1) if avg is not None else None
    return list(out.values())
