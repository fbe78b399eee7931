"""校准 (calibration sessions): a trainer or manager picks calls and inspectors; each inspector
decides, for every rule the engine fired on each call (and any rule they add), whether it applies —
blind: nobody sees another's decisions before submitting their own. Once submitted, they see each
other's differences per call and rule, and Cohen's κ between every two of them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from hotline.store.agreement import Table
from hotline.store.audit import record
from hotline.store.db import StoreError
from hotline.store.models import (
    CalibrationCall,
    CalibrationMark,
    CalibrationMember,
    CalibrationSession,
    Call,
    FindingRow,
    Role,
    Scorecard,
    User,
    utcnow,
)

MAX_CALLS = 50
MEMBER_ROLES = (Role.INSPECTOR.value, Role.ADMIN.value, Role.TRAINER.value)


class CalibrationError(StoreError):
    code = "E804"


def create_session(db: Session, title: str, call_refs: str, member_ids: list[int], actor: User) -> CalibrationSession:
    """``call_refs``: call numbers (通话编号) separated by spaces, commas or new lines."""
    title = title.strip()
    if not title:
        raise CalibrationError("请填写校准名称")
    refs = list(dict.fromkeys(r for r in re.split(r"[\s,，、;；]+", call_refs) if r))
    if not refs:
        raise CalibrationError("请填写至少一个通话编号")
    if len(refs) > MAX_CALLS:
        raise CalibrationError(f"一次校准最多 {MAX_CALLS} 通电话，收到 {len(refs)} 个通话编号")
    found = dict(db.execute(select(Call.external_id, Call.id).where(Call.external_id.in_(refs))).all())
    unknown = [r for r in refs if r not in found]
    if unknown:
        raise CalibrationError(f"找不到这些通话编号：{'、'.join(unknown[:10])}{' 等' if len(unknown) > 10 else ''}")
    members = list(db.scalars(select(User).where(User.id.in_(set(member_ids)), User.active.is_(True))))
    wrong = [u.display_name for u in members if u.role not in MEMBER_ROLES]
    if wrong:
        raise CalibrationError(f"只有质检员、培训师或管理员可以参加校准：{'、'.join(wrong)}")
    if len(members) < 2:
        raise CalibrationError("请选择至少两名参加校准的质检员")
    session = CalibrationSession(title=title[:200], created_by=actor.id)
    session.calls = [CalibrationCall(call_id=found[r]) for r in refs]
    session.members = [CalibrationMember(user_id=u.id) for u in members]
    db.add(session)
    db.flush()
    record(db, actor, "calibration.create", "calibration", session.id, title=session.title, calls=len(refs),
           members=[u.username for u in members])
    return session


def get_session(db: Session, session_id: int) -> CalibrationSession | None:
    query = select(CalibrationSession).where(CalibrationSession.id == session_id).options(
        selectinload(CalibrationSession.calls).selectinload(CalibrationCall.call),
        selectinload(CalibrationSession.members).selectinload(CalibrationMember.user))
    return db.scalar(query)


def member_of(session: CalibrationSession, user: User) -> CalibrationMember | None:
    return next((m for m in session.members if m.user_id == user.id), None)


def may_view(session: CalibrationSession, user: User) -> bool:
    return user.role == Role.ADMIN.value or session.created_by == user.id or member_of(session, user) is not None


def sessions_for(db: Session, user: User) -> list[CalibrationSession]:
    query = select(CalibrationSession).options(selectinload(CalibrationSession.members), selectinload(CalibrationSession.calls))
    if user.role != Role.ADMIN.value:
        mine = select(CalibrationMember.session_id).where(CalibrationMember.user_id == user.id)
        query = query.where(or_(CalibrationSession.created_by == user.id, CalibrationSession.id.in_(mine)))
    return list(db.scalars(query.order_by(CalibrationSession.id.desc())))


@dataclass(slots=True)
class Item:
    rule_id: str
    evidence: list[str] = field(default_factory=list)  # the engine's evidence (shown masked)
    engine: bool = True  # the engine fired it; False: a rule an inspector added


def engine_items(db: Session, call_ids: list[int]) -> dict[int, list[Item]]:
    """Per call: the rules the engine fired on its latest scorecard, with their evidence."""
    latest = select(func.max(Scorecard.id)).where(Scorecard.call_id.in_(call_ids)).group_by(Scorecard.call_id)
    rows = db.execute(select(Scorecard.call_id, FindingRow.rule_id, FindingRow.evidence).join(FindingRow)
                      .where(Scorecard.id.in_(latest)).order_by(FindingRow.id)).all()
    out: dict[int, dict[str, Item]] = {c: {} for c in call_ids}
    for call_id, rule_id, evidence in rows:
        item = out[call_id].setdefault(rule_id, Item(rule_id))
        if evidence:
            item.evidence.append(evidence)
    return {c: list(items.values()) for c, items in out.items()}


def marks_of(db: Session, session_id: int, user_ids: list[int] | None = None) -> dict[int, dict[tuple[int, str], bool]]:
    """user → (call, rule) → fired."""
    query = select(CalibrationMark).where(CalibrationMark.session_id == session_id)
    if user_ids is not None:
        query = query.where(CalibrationMark.user_id.in_(user_ids))
    out: dict[int, dict[tuple[int, str], bool]] = {}
    for m in db.scalars(query):
        out.setdefault(m.user_id, {})[(m.call_id, m.rule_id)] = m.fired
    return out


def save_marks(db: Session, session: CalibrationSession, user: User, decisions: dict[tuple[int, str], bool],
               submit: bool, known_rules: set[str]) -> None:
    """Keep one inspector's decisions; ``submit`` closes them (every engine item must be decided)."""
    member = member_of(session, user)
    if member is None:
        raise CalibrationError("您不是这次校准的参加人")
    if member.submitted_at is not None:
        raise CalibrationError("您已提交过这次校准的结果，不能再修改")
    call_ids = [c.call_id for c in session.calls]
    items = engine_items(db, call_ids)
    for (call_id, rule_id) in decisions:
        if call_id not in items:
            raise CalibrationError(f"通话 {call_id} 不在这次校准里")
        if rule_id not in known_rules and all(i.rule_id != rule_id for i in items[call_id]):
            raise CalibrationError(f"没有规则“{rule_id}”")
    if submit:
        names = {c.call_id: c.call.external_id for c in session.calls}
        missing = [f"{names[c]} 的 {i.rule_id}" for c in call_ids for i in items[c] if (c, i.rule_id) not in decisions]
        if missing:
            raise CalibrationError(f"还有 {len(missing)} 项没有判定，例如：{'；'.join(missing[:3])}")
    existing = {(m.call_id, m.rule_id): m for m in db.scalars(select(CalibrationMark).where(
        CalibrationMark.session_id == session.id, CalibrationMark.user_id == user.id))}
    for key, mark in existing.items():
        if key not in decisions:
            db.delete(mark)
    for (call_id, rule_id), fired in decisions.items():
        held = existing.get((call_id, rule_id))
        if held is None:
            db.add(CalibrationMark(session_id=session.id, user_id=user.id, call_id=call_id, rule_id=rule_id, fired=fired))
        else:
            held.fired = fired
    if submit:
        member.submitted_at = utcnow()
        record(db, user, "calibration.submit", "calibration", session.id, decisions=len(decisions))
    db.flush()


@dataclass(slots=True)
class Row:
    call_id: int
    rule_id: str
    engine: bool
    decisions: dict[int, bool]  # member user id → fired

    @property
    def differs(self) -> bool:
        return len(set(self.decisions.values())) > 1


@dataclass(slots=True)
class Comparison:
    members: list[CalibrationMember]  # the ones who submitted
    rows: list[Row]
    pairs: list[tuple[CalibrationMember, CalibrationMember, Table]]

    @property
    def differing(self) -> int:
        return sum(r.differs for r in self.rows)


def compare(db: Session, session: CalibrationSession) -> Comparison:
    """The submitted members' decisions side by side: every engine item and every rule someone
    added (a member who did not add it said no), with κ for every two members."""
    done = [m for m in session.members if m.submitted_at is not None]
    marks = marks_of(db, session.id, [m.user_id for m in done])
    call_ids = [c.call_id for c in session.calls]
    items = engine_items(db, call_ids)
    keys: dict[tuple[int, str], bool] = {(c, i.rule_id): True for c in call_ids for i in items[c]}
    for user_marks in marks.values():
        for key, fired in user_marks.items():
            if fired:
                keys.setdefault(key, False)
    order = {c: n for n, c in enumerate(call_ids)}
    rows = [Row(c, r, engine, {m.user_id: marks.get(m.user_id, {}).get((c, r), False) for m in done})
            for (c, r), engine in sorted(keys.items(), key=lambda kv: (order[kv[0][0]], not kv[1], kv[0][1]))]
    pairs = [(a, b, Table.of((row.decisions[a.user_id], row.decisions[b.user_id]) for row in rows))
             for a, b in combinations(done, 2)]
    return Comparison(done, rows, pairs)
