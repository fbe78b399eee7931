"""工单 lists: the orders of drills (checked against the scenario) and of imported calls (checked
by the engine's 工单 rules)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.store.audit import record
from hotline.store.models import Call, CallOrder, Drill, Role, User


def drill_orders(db: Session, viewer: User, limit: int = 200) -> list[tuple[Drill, User]]:
    query = select(Drill, User).join(User, User.id == Drill.user_id).where(Drill.order.is_not(None))
    if viewer.role == Role.TRAINEE.value:
        query = query.where(Drill.user_id == viewer.id)
    return [(d, u) for d, u in db.execute(query.order_by(Drill.id.desc()).limit(limit))]


def call_orders(db: Session, viewer: User, limit: int = 200) -> list[tuple[CallOrder, Call]]:
    query = select(CallOrder, Call).join(Call, Call.id == CallOrder.call_id)
    if viewer.role == Role.TRAINEE.value:
        query = query.where(Call.agent_code == (viewer.agent_code or "\x00"))
    return [(o, c) for o, c in db.execute(query.order_by(CallOrder.id.desc()).limit(limit))]


def save_call_order(db: Session, call: Call, user: User, order: dict[str, Any], findings: list[dict[str, Any]]) -> CallOrder:
    row = CallOrder(call_id=call.id, user_id=user.id, order=order, findings=findings)
    db.add(row)
    record(db, user, "order.save", "call", call.id, findings=len(findings))
    db.flush()
    return row


def latest_for_call(db: Session, call_id: int) -> CallOrder | None:
    return db.scalar(select(CallOrder).where(CallOrder.call_id == call_id).order_by(CallOrder.id.desc()).limit(1))
