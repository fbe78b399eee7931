"""重新质检: calls already in the store judged again by the rulebook in use (the center's saved
override, else the bundled one; the dissatisfaction model ``HOTLINE_CITIZEN_MODEL`` names) through
``hotline.inspect`` and stored the way an import stores them (``imports.add_scorecard``: findings,
citizen block, review triage under the center's thresholds).

A call gets a new scorecard; the old one stays as its history (the store already keeps every
scorecard of a call and reads the newest as the score). What reviewers did moves with the finding it
judged: a review, an appeal and the 漏判 inspectors added go to the new scorecard when the new result
has a finding of the same rule on the same turn, and the score in force is recomputed from them. A
review whose finding the new result no longer has stays on the old scorecard (readable on the call
page) and is listed in the summary. A call whose new result is identical to its scorecard is left
alone. Calls are read by key in chunks, judged, and each chunk is written in one transaction with the
run's audit entry, so a large store never holds one giant transaction or all its rows in memory."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, defer, selectinload, sessionmaker

from hotline.errors import HotlineError
from hotline.store.audit import record
from hotline.store.db import StoreError
from hotline.store.imports import add_scorecard
from hotline.store.models import (
    AddedFinding,
    AuditEntry,
    Call,
    FindingRow,
    ImportBatch,
    Role,
    RulebookVersion,
    Scorecard,
    ScoreChange,
    Team,
    User,
    Verdict,
)
from hotline.store.scores import recompute

if TYPE_CHECKING:
    from hotline import model
    from hotline.inspect import Engine

ACTION = "calls.reinspect"
CAUSE = "reinspect"  # ScoreChange.cause of the change a re-judgement makes
CHUNK = 200
MAX_CHUNK = 5000
LISTED = 100  # failures and detached reviews kept in the audit entry and printed
ROLES = (Role.ADMIN.value, Role.INSPECTOR.value)
VERDICTS = {"confirmed": "确认", "overturned": "推翻"}
APPEALS = {"pending": "申诉待裁决（裁决只改原评分表，不影响现行得分）", "upheld": "申诉成立", "rejected": "申诉驳回"}


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


def operator_user(db: Session, name: str | None) -> User:
    """The active administrator or inspector who runs the re-inspection (named in the audit log)."""
    name = (name or "").strip()
    if not name:
        raise ReinspectError("须指明操作人（登录用户名），重新质检记入审计日志", "operator")
    user = db.scalar(select(User).where(User.username == name))
    if user is None or not user.active:
        raise ReinspectError(f"“{name}”不是在用的账号：请填本人的登录用户名", "operator")
    if user.role not in ROLES:
        raise ReinspectError(f"“{name}”的角色是{user.role_enum.label}，只有管理员或质检员可以重新质检", "operator")
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


@dataclass(slots=True)
class Detached:
    """A review or appeal whose finding the new result no longer has (it stays on the old scorecard)."""

    external_id: str
    rule_id: str
    turn_index: int | None
    review: str = ""  # the verdict
    appeal: str = ""  # the appeal's status

    def line(self, title: Callable[[str], str]) -> str:
        where = "整通电话" if self.turn_index is None else f"第 {self.turn_index + 1} 句"
        what = [f"复核{VERDICTS.get(self.review, self.review)}"] if self.review else []
        if self.appeal:
            what.append(APPEALS.get(self.appeal, self.appeal))
        return f"通话 {self.external_id}：{title(self.rule_id)}（{self.rule_id}）{where}，{'、'.join(what)}"


@dataclass(slots=True)
class Summary:
    """What a run did; ``detail`` is what its audit entry keeps."""

    version: str
    filters: list[str]
    selected: int = 0
    rejudged: int = 0  # judged again and stored (or found identical)
    unchanged: int = 0  # identical to the scorecard they had: nothing written
    changed: int = 0  # the engine's verdict differs: total, veto or the findings (rule and turn)
    citizen_added: int = 0
    triage_changed: int = 0
    reviews: int = 0  # carried to the new scorecards
    appeals: int = 0
    added: int = 0  # 漏判 carried
    failed: list[tuple[str, str]] = field(default_factory=list)  # (call id, why)
    detached: list[Detached] = field(default_factory=list)
    finished: bool = False

    def merge(self, other: Summary) -> None:
        for name in ("rejudged", "unchanged", "changed", "citizen_added", "triage_changed", "reviews", "appeals", "added"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failed += other.failed
        self.detached += other.detached

    @property
    def done(self) -> int:
        return self.rejudged + len(self.failed)

    def detail(self, operator: str) -> dict[str, Any]:
        return {"operator": operator, "filters": self.filters, "rulebook": self.version, "selected": self.selected,
                "rejudged": self.rejudged, "changed": self.changed, "unchanged": self.unchanged,
                "citizen_added": self.citizen_added, "carried": self.reviews + self.appeals,
                "failed": len(self.failed), "failed_calls": [f"{c}：{why}" for c, why in self.failed[:LISTED]],
                "detached": len(self.detached),
                "detached_calls": [f"{d.external_id}：{d.rule_id}" for d in self.detached[:LISTED]],
                "state": "done" if self.finished else "running"}

    def lines(self, title: Callable[[str], str] = str) -> list[str]:
        """The run in Chinese: counts first, then each failed call and each detached review."""
        out = [f"重新质检{'完成' if self.finished else '未完成'}（规则库版本“{self.version}”；范围：{'；'.join(self.filters)}）：",
               f"  选中 {self.selected} 通，重新质检 {self.rejudged} 通，其中结论有变化 {self.changed} 通"
               f"（得分、一票否决或质检发现不同），与原结果完全相同未改动 {self.unchanged} 通；"
               f"补上市民感受与复核分流 {self.citizen_added} 通，复核分流有变化 {self.triage_changed} 通；失败 {len(self.failed)} 通。",
               f"  沿用到新评分表：复核 {self.reviews} 条、申诉 {self.appeals} 条、补充的漏判 {self.added} 条；"
               f"对应发现在新结果中已不存在的复核或申诉 {len(self.detached)} 条（保留在原评分表，通话页“历次质检”可查）。"]
        if self.failed:
            out.append("失败的通话（未改动，原评分表照旧）：")
            out += [f"  通话 {c}：{why}" for c, why in self.failed[:LISTED]]
            out += [f"  ……另有 {len(self.failed) - LISTED} 通"] if len(self.failed) > LISTED else []
        if self.detached:
            out.append("对应发现已不存在的复核与申诉：")
            out += [f"  {d.line(title)}" for d in self.detached[:LISTED]]
            out += [f"  ……另有 {len(self.detached) - LISTED} 条"] if len(self.detached) > LISTED else []
        return out


@dataclass(slots=True)
class _Judged:
    call_id: int
    external_id: str
    card_id: int  # the newest scorecard when the call was read
    card: model.Scorecard | None = None
    error: str = ""


Progress = Callable[[Summary], None]


def start(db: Session, sel: Selection, version: str, actor: User) -> tuple[AuditEntry, Summary]:
    """Check the selection and write the run's audit entry (the caller commits it before ``run``)."""
    check(db, sel)
    summary = Summary(version, sel.describe(version))
    summary.selected = db.scalar(select(func.count()).select_from(selected(sel, version).subquery())) or 0
    entry = record(db, actor, ACTION, "calls", version, **summary.detail(actor.username))
    db.flush()
    return entry, summary


def run(factory: sessionmaker[Session], entry_id: int, sel: Selection, eng: Engine, summary: Summary,
        chunk: int = CHUNK, progress: Progress | None = None) -> Summary:
    """Judge the selected calls again, ``chunk`` calls per transaction, keeping the audit entry's
    counts in step with what is committed; the summary of what was done."""
    with factory() as db:
        operator = db.get_one(User, db.get_one(AuditEntry, entry_id).user_id).username
    for ids in _chunks(factory, sel, eng.rulebook.version, chunk):
        _write(factory, entry_id, operator, _judge(factory, ids, eng), summary, eng.rulebook.version)
        if progress is not None:
            progress(summary)
    summary.finished = True
    with factory() as db:
        db.get_one(AuditEntry, entry_id).detail = summary.detail(operator)
        db.commit()
    return summary


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


def _judge(factory: sessionmaker[Session], ids: list[int], eng: Engine) -> list[_Judged]:
    """Each call of the chunk judged by the engine (a batch; one by one when the batch fails, so a call
    the engine cannot judge is listed alone)."""
    from hotline.store.rulebooks import model_call

    with factory() as db:
        rows = db.execute(select(Call.id, Call.external_id, Call.turns, Call.meta, _latest()).where(Call.id.in_(ids))
                          .order_by(Call.id)).all()
    judged, calls = [], []
    for row in rows:
        item = _Judged(row[0], row.external_id, row[4])
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


def _write(factory: sessionmaker[Session], entry_id: int, operator: str, items: list[_Judged], summary: Summary,
           version: str) -> None:
    """Store the chunk's results and the audit entry's counts in one transaction; when it fails, each
    call in its own so one call that cannot be saved is listed alone."""
    part = Summary(version, summary.filters)
    try:
        with factory() as db:
            actor = db.get_one(User, db.get_one(AuditEntry, entry_id).user_id)
            _store(db, items, actor, part)
            merged = _merged(summary, part)
            db.get_one(AuditEntry, entry_id).detail = merged.detail(operator)
            db.commit()
    except Exception as exc:
        if len(items) == 1:
            summary.failed.append((items[0].external_id, f"保存失败，这通电话未改动：{str(getattr(exc, 'orig', exc))[:120]}"))
            return
        for item in items:
            _write(factory, entry_id, operator, [item], summary, version)
        return
    summary.merge(part)


def _merged(summary: Summary, part: Summary) -> Summary:
    out = Summary(summary.version, summary.filters, summary.selected, failed=list(summary.failed), detached=list(summary.detached))
    for name in ("rejudged", "unchanged", "changed", "citizen_added", "triage_changed", "reviews", "appeals", "added"):
        setattr(out, name, getattr(summary, name))
    out.merge(part)
    return out


def _store(db: Session, items: list[_Judged], actor: User, part: Summary) -> None:
    ids = [i.call_id for i in items]
    rows = {c.id: c for c in db.scalars(select(Call).where(Call.id.in_(ids)).options(defer(Call.turns), defer(Call.meta)))}
    newest = dict(db.execute(select(Scorecard.call_id, func.max(Scorecard.id)).where(Scorecard.call_id.in_(ids))
                             .group_by(Scorecard.call_id)).tuples().all())
    found = selectinload(Scorecard.findings)
    olds = {sc.id: sc for sc in db.scalars(select(Scorecard).where(Scorecard.id.in_([i.card_id for i in items])).options(
        found.selectinload(FindingRow.review), found.selectinload(FindingRow.appeal), selectinload(Scorecard.rulebook_version)))}
    added: dict[int, list[AddedFinding]] = defaultdict(list)
    for a in db.scalars(select(AddedFinding).where(AddedFinding.scorecard_id.in_(olds))):
        added[a.scorecard_id].append(a)
    for item in items:
        if item.card is None or item.card.total is None:
            part.failed.append((item.external_id, item.error or "质检结果没有总分（没有可读的话语）"))
        elif item.call_id not in rows or newest.get(item.call_id) != item.card_id:
            part.failed.append((item.external_id, "重新质检期间这通电话被改动或删除了（如对调了坐席/市民），未覆盖：请再运行一次"))
        elif _same(olds[item.card_id], item.card):
            part.rejudged += 1
            part.unchanged += 1
        else:
            _replace(db, rows[item.call_id], olds[item.card_id], item.card, actor, added[item.card_id], part)


def _replace(db: Session, row: Call, old: Scorecard, card: model.Scorecard, actor: User, added: list[AddedFinding],
             part: Summary) -> None:
    """A new scorecard as an import makes it, what reviewers did carried over, the score in force
    recomputed and the change written to the call's history."""
    new = add_scorecard(db, row, card)
    overturned = _carry(old, new, added, part, row.external_id)
    if overturned:
        recompute(db, new)
    note = f"重新质检：规则库“{old.rulebook_version.version}”→“{card.rulebook_version}”"
    db.add(ScoreChange(scorecard_id=new.id, user_id=actor.id, cause=CAUSE, note=note, total_before=old.total,
                       total_after=new.total, vetoed_before=old.vetoed, vetoed_after=new.vetoed))
    part.rejudged += 1
    part.changed += _verdict(old) != _verdict_of(card)
    bare = old.emotion_start is None or old.review_level is None
    part.citizen_added += bare and new.emotion_start is not None and new.review_level is not None
    part.triage_changed += old.review_level is not None and new.review_level != old.review_level


def _carry(old: Scorecard, new: Scorecard, added: list[AddedFinding], part: Summary, external_id: str) -> bool:
    """Move each review and appeal to the new finding of the same rule on the same turn (the i-th old
    finding of a rule and turn to the i-th new one), and the 漏判 to the new scorecard; whether a carried
    review overturns its finding."""
    pool: dict[tuple[str, int | None], deque[FindingRow]] = defaultdict(deque)
    for f in new.findings:
        pool[(f.rule_id, f.turn_index)].append(f)
    overturned = False
    for f in old.findings:
        candidates = pool[(f.rule_id, f.turn_index)]
        match = candidates.popleft() if candidates else None
        review, appeal = f.review, f.appeal
        if review is None and appeal is None:
            continue
        if match is None:
            part.detached.append(Detached(external_id, f.rule_id, f.turn_index, review.verdict if review else "",
                                          appeal.status if appeal else ""))
            continue
        if review is not None:
            review.finding = match
            part.reviews += 1
            overturned |= review.verdict == Verdict.OVERTURNED.value
        if appeal is not None:
            appeal.finding = match
            part.appeals += 1
    for a in added:
        a.scorecard_id = new.id
    part.added += len(added)
    return overturned


def _verdict(sc: Scorecard) -> tuple[float, bool, list[tuple[str, int | None]]]:
    return sc.original_total, sc.original_vetoed, sorted(((f.rule_id, f.turn_index) for f in sc.findings), key=str)


def _verdict_of(card: model.Scorecard) -> tuple[float, bool, list[tuple[str, int | None]]]:
    return float(card.total or 0.0), bool(card.vetoed), sorted(((f.rule_id, f.turn_index) for f in card.findings), key=str)


def _same(old: Scorecard, card: model.Scorecard) -> bool:
    """Whether the new result is what the scorecard already holds (version, scores, findings, citizen block)."""
    if old.rulebook_version.version != card.rulebook_version or old.review_level is None:
        return False
    stored = [(f.rule_id, f.dimension, f.severity, f.turn_index, f.span_start, f.span_end, f.evidence, f.message, f.suggestion,
               f.points, f.veto, f.confidence, f.threshold) for f in old.findings]
    fresh = [(f.rule_id, f.dimension, str(f.severity), f.turn_index, f.span[0] if f.span else None, f.span[1] if f.span else None,
              f.evidence, f.message, f.suggestion, float(f.points), bool(f.veto), f.confidence, f.threshold) for f in card.findings]
    outcomes = [{"rule_id": o.rule_id, "dimension": o.dimension, "status": o.status, "points": o.points} for o in card.outcomes]
    return (stored == fresh and old.original_total == card.total and old.original_vetoed == bool(card.vetoed)
            and dict(old.engine_dimensions or old.dimensions) == dict(card.dimensions)
            and dict(old.max_dimensions) == dict(card.max_dimensions) and list(old.outcomes or []) == outcomes
            and old.citizen == (card.citizen.to_dict() if card.citizen else None))
