"""清理历次质检: the scorecards re-inspection left as history (``reinspect``), removed on request.

A call keeps its scorecard in force (the newest) and the ``keep`` newest earlier ones. An earlier
scorecard that carries someone's work is never removed, whatever its age: a review or an appeal of one of
its findings, a change of its score, a 漏判 an inspector added. The scorecards are deleted a chunk at a
time (their findings go with them, by the database's ON DELETE CASCADE), each chunk in its own
transaction, and the run is written to the audit log with its counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from hotline.store.audit import record
from hotline.store.models import (
    AddedFinding,
    Appeal,
    AuditEntry,
    FindingRow,
    Review,
    Scorecard,
    ScoreChange,
    User,
)

ACTION = "calls.prune_history"
CHUNK = 500


@dataclass
class PrunePlan:
    """What a run would remove: the scorecard ids, and how many earlier scorecards it keeps and why."""

    keep: int
    calls_with_history: int = 0
    earlier: int = 0  # scorecards that are not in force
    kept_recent: int = 0  # among the ``keep`` newest earlier ones of their call
    kept_work: int = 0  # older, but carrying a review, an appeal, a score change or a 漏判
    remove: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"有历次质检的通话 {self.calls_with_history} 通，历史评分表 {self.earlier} 份；",
                f"保留每通最近 {self.keep} 份历史：{self.kept_recent} 份；因有复核、申诉、改分或补充漏判而保留：{self.kept_work} 份；",
                f"可以删除：{len(self.remove)} 份（现行评分表一概不动）。"]


def worked_on(db: Session) -> set[int]:
    """Scorecards that carry someone's work: a review or an appeal of a finding, a score change, a 漏判."""
    queries = [select(FindingRow.scorecard_id).join(Review, Review.finding_id == FindingRow.id),
               select(FindingRow.scorecard_id).join(Appeal, Appeal.finding_id == FindingRow.id),
               # a review or appeal changed its score (re-inspection's own record of a new scorecard is not work)
               select(ScoreChange.scorecard_id).where(ScoreChange.cause.in_(("review", "appeal"))),
               select(AddedFinding.scorecard_id)]
    return {sid for q in queries for sid in db.scalars(q)}


def plan(db: Session, keep: int) -> PrunePlan:
    """Which earlier scorecards a run with ``keep`` removes (read only)."""
    worked = worked_on(db)
    out = PrunePlan(keep)
    current_call, seen = None, 0
    for card_id, call_id in db.execute(select(Scorecard.id, Scorecard.call_id)
                                       .order_by(Scorecard.call_id, Scorecard.id.desc())):
        if call_id != current_call:
            current_call, seen = call_id, 0
        seen += 1
        if seen == 1:
            continue  # the scorecard in force
        out.earlier += 1
        if seen == 2:
            out.calls_with_history += 1
        if seen - 1 <= keep:
            out.kept_recent += 1
        elif card_id in worked:
            out.kept_work += 1
        else:
            out.remove.append(card_id)
    return out


def run(factory: sessionmaker[Session], todo: PrunePlan, actor: User,
        progress: Callable[[int, int], None] | None = None) -> int:
    """Delete ``todo.remove`` a chunk per transaction; the audit entry follows the count committed.
    A scorecard that gained someone's work since the plan was read is left alone."""
    with factory() as db:
        entry = record(db, actor, ACTION, "scorecards", "", keep=todo.keep, planned=len(todo.remove), removed=0)
        db.commit()
        entry_id = entry.id
    removed = 0
    for i in range(0, len(todo.remove), CHUNK):
        ids = todo.remove[i:i + CHUNK]
        with factory() as db:
            worked = worked_on(db)
            ids = [sid for sid in ids if sid not in worked]
            if ids:
                db.execute(delete(Scorecard).where(Scorecard.id.in_(ids)))
            removed += len(ids)
            row = db.get(AuditEntry, entry_id)
            assert row is not None
            row.detail = {**row.detail, "removed": removed}
            db.commit()
        if progress is not None:
            progress(min(i + CHUNK, len(todo.remove)), len(todo.remove))
    return removed
