"""重新质检: calls already in the store judged again by the rulebook in use (the center's saved
override, else the bundled one; the dissatisfaction model ``HOTLINE_CITIZEN_MODEL`` names) through
``hotline.inspect``, and stored as an import stores them (``rejudge``: a new scorecard, reviews,
appeals and 漏判 carried with their finding, the others listed).

Which calls: filters on the newest scorecard of each call (import batch, call date, team, 工号, no
citizen block, judged by another rulebook version). A run reads the selected calls by key, a chunk at a
time; each chunk is judged, then written in one transaction together with the counts of the run's one
audit entry, so a large store never holds one giant transaction nor all its rows in memory, and the
audit entry always says what is committed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from hotline.errors import HotlineError
from hotline.store.audit import DETAIL_VALUES, record
from hotline.store.db import StoreError
from hotline.store.models import (
    AuditEntry,
    Call,
    FindingRow,
    ImportBatch,
    Role,
    RulebookVersion,
    Scorecard,
    Team,
    User,
    utcnow,
)
from hotline.store.rejudge import Judged, Summary, store_judged

if TYPE_CHECKING:
    from hotline import model
    from hotline.inspect import Engine

ACTION = "calls.reinspect"
QUIET = timedelta(minutes=30)  # a run whose audit entry has not moved this long is no longer going on
STATE_LABELS = DETAIL_VALUES["state"]
log = logging.getLogger("hotline.reinspect")
CHUNK = 200
MAX_CHUNK = 5000
ROLES = (Role.ADMIN.value, Role.INSPECTOR.value)


class ReinspectError(StoreError):
    """A re-inspection cannot start: a filter names nothing that exists, or the operator may not run it.
    ``field`` is the filter it is about (``FIELDS``), so each front end names its own option."""

    code = "E805"

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


FIELDS = {"all": "范围", "batch": "导入批次", "date_from": "开始日期", "date_to": "结束日期", "team": "团队",
          "agent": "坐席工号", "operator": "操作人", "chunk": "每批条数"}


@dataclass(frozen=True, slots=True)
class Selection:
    """Which stored calls to judge again; the filters combine (all of them must hold)."""

    everything: bool = False
    batches: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    teams: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    no_citizen: bool = False  # scorecards without a citizen block or a review triage
    outdated: bool = False  # scorecards judged by another rulebook version than the one in use

    @property
    def empty(self) -> bool:
        return not (self.everything or self.batches or self.date_from or self.date_to or self.teams or self.agents
                    or self.no_citizen or self.outdated)

    def describe(self, version: str) -> list[str]:
        """The filters in Chinese (the summary, the audit log)."""
        out = []
        if self.batches:
            out.append("导入批次 " + "、".join(map(str, self.batches)))
        if self.date_from or self.date_to:
            out.append(f"通话日期 {self.date_from or '最早'} 至 {self.date_to or '最近'}")
        if self.teams:
            out.append("团队 " + "、".join(self.teams))
        if self.agents:
            out.append("坐席工号 " + "、".join(self.agents))
        if self.no_citizen:
            out.append("没有市民感受或复核分流的通话")
        if self.outdated:
            out.append(f"不是按当前规则库版本“{version}”判定的通话")
        return out or ["全部通话"]


def parse_day(value: str | None, field: str) -> date | None:
    """A date given as text (YYYY-MM-DD), or a Chinese error naming the filter."""
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ReinspectError(f"日期“{value.strip()[:20]}”格式不对，应为 年-月-日，例如 2026-11-01", field) from None


def check(db: Session, sel: Selection) -> None:
    """Refuse a selection that names nothing, a batch, team or 工号 the store does not have, or dates
    the wrong way round."""
    if sel.empty:
        raise ReinspectError("请指明要重新质检哪些通话：全部通话，或按导入批次、日期、团队、坐席工号、没有市民感受、"
                             "不是当前规则库版本筛选", "all")
    if sel.date_from and sel.date_to and sel.date_from > sel.date_to:
        raise ReinspectError(f"结束日期 {sel.date_to} 早于开始日期 {sel.date_from}", "date_to")
    known = set(db.scalars(select(ImportBatch.id).where(ImportBatch.id.in_(sel.batches)))) if sel.batches else set()
    for batch in sel.batches:
        if batch not in known:
            raise ReinspectError(f"没有编号为 {batch} 的导入批次（导入记录页可查批次编号）", "batch")
    for name in sel.teams:
        if db.scalar(select(Team.id).where(Team.name == name)) is None:
            names = "、".join(db.scalars(select(Team.name).order_by(Team.name).limit(20))) or "（还没有团队）"
            raise ReinspectError(f"没有名为“{name}”的团队；现有团队：{names}", "team")
    for code in sel.agents:
        if not (db.scalar(select(exists().where(Call.agent_code == code)))
                or db.scalar(select(exists().where(User.agent_code == code)))):
            raise ReinspectError(f"工号“{code}”既没有通话也没有对应的账号", "agent")


def operator_user(db: Session, name: str | None, doing: str = "重新质检") -> User:
    """The active administrator or inspector who runs the re-inspection (or ``doing``; named in the audit log)."""
    name = (name or "").strip()
    if not name:
        raise ReinspectError(f"须指明操作人（登录用户名），{doing}记入审计日志", "operator")
    user = db.scalar(select(User).where(User.username == name))
    if user is None or not user.active:
        raise ReinspectError(f"“{name}”不是在用的账号：请填本人的登录用户名", "operator")
    if user.role not in ROLES:
        raise ReinspectError(f"“{name}”的角色是{user.role_enum.label}，只有管理员或质检员可以{doing}", "operator")
    return user


def _latest() -> Any:
    return select(func.max(Scorecard.id)).where(Scorecard.call_id == Call.id).correlate(Call).scalar_subquery()


def selected(sel: Selection, version: str, *columns: Any) -> Select:
    """The calls ``sel`` picks, with their newest scorecard joined (``columns``: what to read)."""
    query = select(*(columns or (Call.id,))).join(Scorecard, Scorecard.id == _latest())
    if sel.batches:
        query = query.where(Call.batch_id.in_(sel.batches))
    if sel.date_from:
        query = query.where(Call.call_date >= sel.date_from)
    if sel.date_to:
        query = query.where(Call.call_date <= sel.date_to)
    if sel.teams:
        codes = select(User.agent_code).join(Team, Team.id == User.team_id).where(Team.name.in_(sel.teams),
                                                                                  User.agent_code.is_not(None))
        query = query.where(Call.agent_code.in_(codes))
    if sel.agents:
        query = query.where(Call.agent_code.in_(sel.agents))
    if sel.no_citizen:
        query = query.where(or_(Scorecard.emotion_start.is_(None), Scorecard.review_level.is_(None)))
    if sel.outdated:
        current = select(RulebookVersion.id).where(RulebookVersion.version == version)
        query = query.where(Scorecard.rulebook_version_id.not_in(current))
    return query


@dataclass(slots=True)
class Preview:
    """What a run would do (``--dry-run``): how many calls, by the version that judged them now."""

    version: str
    calls: int
    by_version: list[tuple[str, int]]
    without_citizen: int
    reviewed: int  # calls whose scorecard has a review or an appeal

    def lines(self, filters: list[str], source: str) -> list[str]:
        out = [f"将用{source}重新质检 {self.calls} 通通话（范围：{'；'.join(filters)}）。"]
        if self.calls:
            out.append("这些通话现在的评分表按规则库版本："
                       + "、".join(f"“{v}” {n} 通" for v, n in self.by_version) + "。")
            out.append(f"其中没有市民感受或复核分流的 {self.without_citizen} 通；有复核或申诉的 {self.reviewed} 通"
                       "（复核与申诉会随对应的发现转到新评分表）。")
        return out


def preview(db: Session, sel: Selection, version: str) -> Preview:
    picked = selected(sel, version, Call.id.label("call_id"), Scorecard.id.label("card_id"),
                      Scorecard.rulebook_version_id.label("version_id"), Scorecard.emotion_start, Scorecard.review_level).subquery()
    calls = db.scalar(select(func.count()).select_from(picked)) or 0
    by_version = db.execute(select(RulebookVersion.version, func.count()).join(picked, picked.c.version_id == RulebookVersion.id)
                            .group_by(RulebookVersion.version).order_by(func.count().desc(), RulebookVersion.version)).all()
    bare = db.scalar(select(func.count()).select_from(picked).where(
        or_(picked.c.emotion_start.is_(None), picked.c.review_level.is_(None)))) or 0
    from hotline.store.models import Appeal, Review

    judged = or_(exists().where(Review.finding_id == FindingRow.id), exists().where(Appeal.finding_id == FindingRow.id))
    reviewed = db.scalar(select(func.count(func.distinct(FindingRow.scorecard_id)))
                         .where(FindingRow.scorecard_id.in_(select(picked.c.card_id)), judged)) or 0
    return Preview(version, calls, [(v, int(n)) for v, n in by_version], bare, reviewed)


# ── the run ───────────────────────────────────────────────────────────────


Progress = Callable[[Summary], None]


def count(db: Session, sel: Selection, version: str) -> int:
    return db.scalar(select(func.count()).select_from(selected(sel, version).subquery())) or 0


def start(db: Session, sel: Selection, version: str, actor: User) -> tuple[AuditEntry, Summary]:
    """Check the selection and write the run's audit entry (the caller commits it before ``run``)."""
    check(db, sel)
    summary = Summary(version, sel.describe(version))
    summary.selected = count(db, sel, version)
    entry = record(db, actor, ACTION, "calls", version, **summary.detail(actor.username))
    db.flush()
    return entry, summary


def run(factory: sessionmaker[Session], entry_id: int, sel: Selection, eng: Engine, summary: Summary,
        chunk: int = CHUNK, progress: Progress | None = None) -> Summary:
    """Judge the selected calls again, ``chunk`` calls per transaction, keeping the audit entry's
    counts in step with what is committed; the summary of what was done. A run that stops half way
    (an error, Ctrl+C) says so in its audit entry; what it committed stays."""
    with factory() as db:
        operator = db.get_one(User, db.get_one(AuditEntry, entry_id).user_id).username
    try:
        for ids in _chunks(factory, sel, eng.rulebook.version, chunk):
            _write(factory, entry_id, operator, _judge(factory, ids, eng), summary, eng.rulebook.version)
            if progress is not None:
                progress(summary)
    except BaseException as exc:
        state = "failed" if isinstance(exc, Exception) else "interrupted"
        _set_state(factory, entry_id, summary.detail(operator, state) | ({"reason": _reason(exc)} if state == "failed" else {}))
        raise
    summary.finished = True
    _set_state(factory, entry_id, summary.detail(operator))
    return summary


def run_quietly(factory: sessionmaker[Session], entry_id: int, sel: Selection, eng: Engine, summary: Summary) -> None:
    """``run`` for the web app's background task: a failure is in the audit entry and the server log."""
    try:
        run(factory, entry_id, sel, eng, summary)
    except Exception:
        log.exception("重新质检 %s 中断", entry_id)


def _reason(exc: BaseException) -> str:
    return exc.message if isinstance(exc, HotlineError) else f"{type(exc).__name__}: {str(getattr(exc, 'orig', exc))[:160]}"


def _set_state(factory: sessionmaker[Session], entry_id: int, detail: dict[str, Any]) -> None:
    with factory() as db:
        db.get_one(AuditEntry, entry_id).detail = detail
        db.commit()


def running(db: Session) -> AuditEntry | None:
    """A run going on now: not finished, and its audit entry updated within ``QUIET`` (a process that
    was killed leaves its entry "running"; it does not block the next run for ever)."""
    recent = db.scalars(select(AuditEntry).where(AuditEntry.action == ACTION).order_by(AuditEntry.id.desc()).limit(20))
    since = (utcnow() - QUIET).isoformat(timespec="seconds")
    return next((e for e in recent if (e.detail or {}).get("state") == "running"
                 and str((e.detail or {}).get("updated") or e.at.isoformat()) >= since), None)


def refuse_if_running(db: Session) -> None:
    """One run at a time: two runs judging the same call would both store a new scorecard."""
    entry = running(db)
    if entry is not None:
        d = entry.detail
        raise ReinspectError(f"另一次重新质检正在进行（审计日志 #{entry.id}，操作人 {d.get('operator', '—')}，"
                             f"已处理 {d.get('rejudged', 0) + d.get('failed', 0)}/{d.get('selected', 0)} 通）：请等它结束再运行；"
                             f"若那个进程已经不在了，它 {QUIET.seconds // 60} 分钟没有进展后即可重新开始")


def interrupt_all(factory: sessionmaker[Session]) -> int:
    """At start-up: runs the web app had going were cut off by a restart; their entries say so."""
    with factory() as db:
        entries = db.scalars(select(AuditEntry).where(AuditEntry.action == ACTION).order_by(AuditEntry.id.desc()).limit(50))
        stale = [e for e in entries if (e.detail or {}).get("state") == "running"]
        for e in stale:
            e.detail = {**e.detail, "state": "interrupted"}
        db.commit()
    return len(stale)


def _chunks(factory: sessionmaker[Session], sel: Selection, version: str, size: int) -> Iterator[list[int]]:
    """The selected call ids, ``size`` at a time, by key (each chunk read after the one before is written)."""
    last = 0
    while True:
        with factory() as db:
            ids = list(db.scalars(selected(sel, version).where(Call.id > last).order_by(Call.id).limit(size)))
        if not ids:
            return
        yield ids
        last = ids[-1]


def _judge(factory: sessionmaker[Session], ids: list[int], eng: Engine) -> list[Judged]:
    """Each call of the chunk judged by the engine (a batch; one by one when the batch fails, so a call
    the engine cannot judge is listed alone)."""
    from hotline.store.rulebooks import model_call

    with factory() as db:
        rows = db.execute(select(Call.id, Call.external_id, Call.turns, Call.meta, _latest()).where(Call.id.in_(ids))
                          .order_by(Call.id)).all()
    judged, calls = [], []
    for row in rows:
        item = Judged(row[0], row.external_id, row[4])
        try:
            calls.append((item, model_call(row)))
        except (KeyError, TypeError, ValueError) as exc:
            item.error = f"保存的通话记录无法还原为转写（{type(exc).__name__}: {str(exc)[:80]}）"
        judged.append(item)
    try:
        for (item, _), card in zip(calls, eng.inspect_batch([c for _, c in calls]), strict=True):
            item.card = card
    except Exception:  # the batch failed on some call: judge them one by one to say which
        for item, call in calls:
            item.card, item.error = _one(eng, call)
    return judged


def _one(eng: Engine, call: model.Call) -> tuple[model.Scorecard | None, str]:
    try:
        return eng.inspect(call), ""
    except HotlineError as exc:
        return None, f"质检失败：{exc.message}"
    except Exception as exc:
        return None, f"质检失败（内部错误 {type(exc).__name__}: {str(exc)[:80]}）"


def _write(factory: sessionmaker[Session], entry_id: int, operator: str, items: list[Judged], summary: Summary,
           version: str) -> None:
    """Store the chunk's results and the audit entry's counts in one transaction; when it fails, each
    call in its own so one call that cannot be saved is listed alone."""
    part = Summary(version, summary.filters)
    try:
        with factory() as db:
            actor = db.get_one(User, db.get_one(AuditEntry, entry_id).user_id)
            store_judged(db, items, actor, part)
            db.get_one(AuditEntry, entry_id).detail = summary.detail(operator, pending=part)
            db.commit()
    except Exception as exc:
        if len(items) == 1:
            summary.failed.append((items[0].external_id, f"保存失败，这通电话未改动：{str(getattr(exc, 'orig', exc))[:120]}"))
            return
        for item in items:
            _write(factory, entry_id, operator, [item], summary, version)
        return
    summary.merge(part)


