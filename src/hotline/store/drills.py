"""Drills in the database: the session state as JSON after every turn, the 工单 and the debrief,
exam-mode assignments, and the weak rules a trainee should practise."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotline.errors import HotlineError
from hotline.store.audit import record
from hotline.store.models import Call, Drill, DrillAssignment, Scorecard, User, utcnow


class DrillError(HotlineError):
    code = "E820"


def create(db: Session, user: User, session: Any, assignment_id: int | None = None) -> Drill:
    drill = Drill(user_id=user.id, scenario_id=session.scenario.id, seed=session.seed, assignment_id=assignment_id,
                  state=session.to_dict(), status="active")
    db.add(drill)
    db.flush()
    return drill


def own(db: Session, user: User, drill_id: int) -> Drill:
    """A drill of ``user``; trainers and admins may open anyone's (read-only use)."""
    drill = db.get(Drill, drill_id)
    if drill is None:
        raise DrillError("找不到这次演练")
    if drill.user_id != user.id and user.role not in ("trainer", "admin"):
        raise DrillError("只能查看自己的演练")
    return drill


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


def create_assignment(db: Session, user: User, title: str, scenario_id: str, seed: int, team_id: int | None) -> DrillAssignment:
    if not title.strip():
        raise DrillError("请填写考核名称")
    row = DrillAssignment(title=title.strip(), scenario_id=scenario_id, seed=seed, team_id=team_id, created_by=user.id)
    db.add(row)
    db.flush()
    record(db, user, "drill.assign", "assignment", row.id, scenario=scenario_id, seed=seed, team=team_id)
    return row


def assignments_for(db: Session, user: User) -> list[DrillAssignment]:
    """Exam-mode drills open to ``user``: their team's and those for everyone; staff see all."""
    query = select(DrillAssignment).order_by(DrillAssignment.id.desc())
    if user.role == "trainee":
        query = query.where(or_(DrillAssignment.team_id.is_(None), DrillAssignment.team_id == user.team_id))
    return list(db.scalars(query))


def assignment_results(db: Session, assignment_id: int) -> list[tuple[User, Drill]]:
    query = select(User, Drill).join(Drill, Drill.user_id == User.id).where(Drill.assignment_id == assignment_id)
    return [(u, d) for u, d in db.execute(query.order_by(Drill.total.desc().nulls_last()))]
