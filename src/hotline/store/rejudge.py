"""One stored call judged again: the new result stored as an import stores it (``imports.add_scorecard``),
what reviewers did carried to it, and the summary of a run (``reinspect``).

The old scorecard stays as the call's history (the store keeps every scorecard of a call and reads the
newest as its score). A review, an appeal and the 漏判 inspectors added move to the new scorecard when
the new result has a finding of the same rule on the same turn; the score in force is then recomputed
from them (``scores.recompute``). A review whose finding the new result no longer has stays where it was,
on the old scorecard (the call page shows it under 历次质检), and is listed. A result identical to the
scorecard the call has is not stored again."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from hotline.store.imports import add_scorecard, outcome_dicts
from hotline.store.models import AddedFinding, Call, FindingRow, Scorecard, ScoreChange, User, Verdict, utcnow
from hotline.store.scores import recompute

if TYPE_CHECKING:
    from hotline import model

CAUSE = "reinspect"  # ScoreChange.cause of the change a re-judgement makes
LISTED = 100  # failures and detached reviews kept in the audit entry and printed
VERDICTS = {"confirmed": "确认", "overturned": "推翻"}
APPEALS = {"pending": "申诉待裁决（裁决只改原评分表，不影响现行得分）", "upheld": "申诉成立", "rejected": "申诉驳回"}
COUNTS = ("rejudged", "unchanged", "changed", "citizen_added", "triage_changed", "reviews", "appeals", "added")


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
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failed += other.failed
        self.detached += other.detached

    @property
    def done(self) -> int:
        return self.rejudged + len(self.failed)

    def detail(self, operator: str, state: str = "", pending: Summary | None = None) -> dict[str, Any]:
        """The audit entry's record of the run (with ``pending``: as it will be once that chunk is committed)."""
        more = pending or Summary(self.version, self.filters)
        count = {n: getattr(self, n) + getattr(more, n) for n in COUNTS}
        failed = (self.failed[:LISTED] + more.failed)[:LISTED]
        detached = (self.detached[:LISTED] + more.detached)[:LISTED]
        return {"operator": operator, "filters": self.filters, "rulebook": self.version, "selected": self.selected,
                "rejudged": count["rejudged"], "verdict_changed": count["changed"], "unchanged": count["unchanged"],
                "citizen_added": count["citizen_added"], "carried": count["reviews"] + count["appeals"],
                "failed": len(self.failed) + len(more.failed), "failed_calls": [f"{c}：{why}" for c, why in failed],
                "detached": len(self.detached) + len(more.detached),
                "detached_calls": [f"{d.external_id}：{d.rule_id}" for d in detached],
                "state": state or ("done" if self.finished else "running"), "updated": utcnow().isoformat(timespec="seconds")}

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
class Judged:
    """A call of a chunk and what the engine made of it (or why it could not)."""

    call_id: int
    external_id: str
    card_id: int  # the newest scorecard when the call was read
    card: model.Scorecard | None = None
    error: str = ""


def store_judged(db: Session, items: list[Judged], actor: User, part: Summary) -> None:
    """Store the chunk's new results (the caller commits), counting into ``part``."""
    ids = [i.call_id for i in items]
    rows = {c.id: c for c in db.scalars(select(Call).where(Call.id.in_(ids)).options(defer(Call.turns), defer(Call.meta)))}
    newest = dict(db.execute(select(Scorecard.call_id, func.max(Scorecard.id)).where(Scorecard.call_id.in_(ids))
                             .group_by(Scorecard.call_id)).all())
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
        # findings just stored have no review nor appeal: known without asking the database for each
        set_committed_value(f, "review", None)
        set_committed_value(f, "appeal", None)
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
    return (stored == fresh and old.original_total == card.total and old.original_vetoed == bool(card.vetoed)
            and dict(old.engine_dimensions or old.dimensions) == dict(card.dimensions)
            and dict(old.max_dimensions) == dict(card.max_dimensions) and list(old.outcomes or []) == outcome_dicts(card)
            and old.citizen == (card.citizen.to_dict() if card.citizen else None))
