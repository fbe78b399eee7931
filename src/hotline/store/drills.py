"""Drills in the database: the session state as JSON after every turn, the 工单 and the debrief,
exam-mode assignments, and the weak rules a trainee should practise."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.errors import HotlineError
from hotline.store.audit import record
from hotline.store.models import Call, Drill, DrillAssignment, DrillRetry, Role, Scorecard, User, utcnow

MAX_TIME_LIMIT = 180  # minutes


class DrillError(HotlineError):
    code = "E820"


def create(db: Session, user: User, session: Any, assignment_id: int | None = None) -> Drill:
    drill = Drill(user_id=user.id, scenario_id=session.scenario.id, seed=session.seed, assignment_id=assignment_id,
                  state=session.to_dict(), status="active")
    db.add(drill)
    db.flush()
    return drill


def own(db: Session, user: User, drill_id: int) -> Drill:
    """A drill of ``user``; an admin may open anyone's, a trainer those of their team (read-only use)."""
    drill = db.get(Drill, drill_id)
    if drill is None:
        raise DrillError("找不到这次演练")
    if drill.user_id == user.id or user.role == Role.ADMIN.value:
        return drill
    if user.role == Role.TRAINER.value:
        owner = db.get(User, drill.user_id)
        if user.team_id is None or (owner is not None and owner.team_id == user.team_id):
            return drill
    raise DrillError("只能查看自己的演练")


def save_state(drill: Drill, session: Any) -> None:
    drill.state = session.to_dict()
    if session.ended and drill.status == "active":
        drill.status = "ended"


def finish(db: Session, drill: Drill, debrief: Any, user: User) -> None:
    data = debrief.to_dict()
    drill.debrief, drill.total, drill.status, drill.finished_at = data, float(debrief.scorecard.total), "done", utcnow()
    record(db, user, "drill.finish", "drill", drill.id, scenario=drill.scenario_id, total=drill.total,
           rulebook=debrief.scorecard.rulebook_version)


def of_user(db: Session, user_id: int, limit: int = 50) -> list[Drill]:
    return list(db.scalars(select(Drill).where(Drill.user_id == user_id).order_by(Drill.id.desc()).limit(limit)))


def weak_rules(db: Session, user: User, limit: int = 30) -> list[str]:
    """Rules this trainee fails most, in drills and in real calls under their 工号."""
    from hotline.simulate.practice import weak_rules_from_records

    records = [d for d in db.scalars(
        select(Drill.debrief).where(Drill.user_id == user.id, Drill.status == "done").order_by(Drill.id.desc()).limit(limit)
    ) if d]
    if user.agent_code:
        cards = db.scalars(select(Scorecard).join(Call).where(Call.agent_code == user.agent_code).order_by(Scorecard.id.desc()).limit(limit))
        records += [{"outcomes": c.outcomes, "findings": [{"rule_id": f.rule_id} for f in c.findings]} for c in cards]
    return weak_rules_from_records(records)


def create_assignment(db: Session, user: User, title: str, scenario_id: str, seed: int, team_id: int | None,
                      time_limit_minutes: int | None = None, closes_at: datetime | None = None) -> DrillAssignment:
    if not title.strip():
        raise DrillError("请填写考核名称")
    if time_limit_minutes is not None and not 1 <= time_limit_minutes <= MAX_TIME_LIMIT:
        raise DrillError(f"考核限时应在 1 到 {MAX_TIME_LIMIT} 分钟之间")
    if team_id is not None and user.role != Role.ADMIN.value and user.team_id not in (None, team_id):
        raise DrillError("只能给自己的团队发布考核")
    row = DrillAssignment(title=title.strip(), scenario_id=scenario_id, seed=seed, team_id=team_id, created_by=user.id,
                          time_limit_minutes=time_limit_minutes, closes_at=closes_at)
    db.add(row)
    db.flush()
    record(db, user, "drill.assign", "assignment", row.id, scenario=scenario_id, seed=seed, team=team_id,
           time_limit=time_limit_minutes)
    return row


def in_scope(user: User, row: DrillAssignment) -> bool:
    """Team scope: an assignment for a team is that team's (its trainees, its trainers); one for everyone is
    everyone's; an admin, or a trainer who leads no team, sees all."""
    if row.team_id is None or user.role == Role.ADMIN.value:
        return True
    if user.role == Role.TRAINER.value and user.team_id is None:
        return True
    return user.team_id == row.team_id


def assignment_of(db: Session, user: User, assignment_id: int | None) -> DrillAssignment:
    """The assignment, when ``user`` may see it; another team's is “not found”, as if it did not exist."""
    row = db.get(DrillAssignment, assignment_id) if assignment_id else None
    if row is None or not in_scope(user, row):
        raise DrillError("找不到该考核")
    return row


def assignments_for(db: Session, user: User) -> list[DrillAssignment]:
    """Exam-mode drills open to ``user``: their team's and those for everyone (team scope, ``in_scope``)."""
    rows = db.scalars(select(DrillAssignment).order_by(DrillAssignment.id.desc()))
    return [r for r in rows if in_scope(user, r)]


def is_closed(row: DrillAssignment, now: datetime | None = None) -> bool:
    """Closed by a trainer, or past its closing time: no more attempts, and the answers may be shown."""
    now = now or utcnow()
    return row.closed_at is not None or (row.closes_at is not None and now >= row.closes_at)


def attempts_used(db: Session, user_id: int, assignment_id: int) -> int:
    query = select(func.count()).select_from(Drill).where(Drill.user_id == user_id, Drill.assignment_id == assignment_id)
    return int(db.scalar(query) or 0)


def attempts_allowed(db: Session, user_id: int, assignment_id: int) -> int:
    """One attempt, plus one for every retry a trainer granted."""
    query = select(func.count()).select_from(DrillRetry).where(
        DrillRetry.user_id == user_id, DrillRetry.assignment_id == assignment_id)
    return 1 + int(db.scalar(query) or 0)


def check_attempt(db: Session, user: User, row: DrillAssignment) -> None:
    """Raise unless ``user`` may start (another) attempt at this exam drill."""
    if not in_scope(user, row):
        raise DrillError("找不到该考核")
    if is_closed(row):
        raise DrillError("该考核已经结束，不能再参加")
    used, allowed = attempts_used(db, user.id, row.id), attempts_allowed(db, user.id, row.id)
    if used >= allowed:
        raise DrillError(f"该考核每人只能参加 {allowed} 次（已参加 {used} 次）；需要重考请联系培训师")


def grant_retry(db: Session, trainer: User, row: DrillAssignment, trainee: User) -> DrillRetry:
    if not in_scope(trainer, row) or not in_scope(trainee, row) or trainee.role != Role.TRAINEE.value:
        raise DrillError("只能给参加该考核的本团队学员重考机会")
    if is_closed(row):
        raise DrillError("该考核已经结束，不能再给重考机会")
    grant = DrillRetry(assignment_id=row.id, user_id=trainee.id, granted_by=trainer.id)
    db.add(grant)
    db.flush()
    record(db, trainer, "drill.retry", "assignment", row.id, trainee=trainee.id)
    return grant


def close_assignment(db: Session, trainer: User, row: DrillAssignment) -> None:
    if not in_scope(trainer, row):
        raise DrillError("找不到该考核")
    if row.closed_at is None:
        row.closed_at = utcnow()
        record(db, trainer, "drill.close", "assignment", row.id)


def time_left(drill: Drill, row: DrillAssignment | None, now: datetime | None = None) -> float | None:
    """Seconds left of an exam drill's time limit (None: no limit)."""
    if row is None or not row.time_limit_minutes:
        return None
    end = drill.created_at + timedelta(minutes=row.time_limit_minutes)
    return max(0.0, (end - (now or utcnow())).total_seconds())


def answers_hidden(user: User, drill: Drill, row: DrillAssignment | None) -> bool:
    """A trainee's exam drill keeps the scenario's answers (facts, standard 工单) to itself until it closes."""
    return row is not None and user.role == Role.TRAINEE.value and not is_closed(row)


def assignment_results(db: Session, assignment_id: int) -> list[tuple[User, Drill]]:
    query = select(User, Drill).join(Drill, Drill.user_id == User.id).where(Drill.assignment_id == assignment_id)
    return [(u, d) for u, d in db.execute(query.order_by(Drill.total.desc().nulls_last()))]


def assignment_people(db: Session, row: DrillAssignment) -> list[tuple[User, int, int]]:
    """The trainees the assignment is for, with attempts used and allowed (the trainer grants retries here)."""
    query = select(User).where(User.role == Role.TRAINEE.value, User.active.is_(True)).order_by(User.username)
    if row.team_id is not None:
        query = query.where(User.team_id == row.team_id)
    return [(u, attempts_used(db, u.id, row.id), attempts_allowed(db, u.id, row.id)) for u in db.scalars(query)]
