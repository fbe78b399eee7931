"""复核分流 in the web app: the center's thresholds (set by the administrator, kept in
``app_settings``), the citizen figures and the triage level kept on each scorecard, and the level
recomputed with ``hotline.citizen.triage`` (never a copy of its logic) when a call is stored or the
thresholds change."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.store.audit import record
from hotline.store.db import StoreError
from hotline.store.models import AppSetting, RulebookOverride, Scorecard, User, utcnow

if TYPE_CHECKING:
    from hotline import model
    from hotline.citizen.settings import ReviewSettings
    from hotline.norms.schema import Rulebook

SETTING_KEY = "review"
# the administrator's form: field → (label, help); the order of the page
FIELDS: dict[str, tuple[str, str]] = {
    "mandatory_dissatisfaction": ("必须复核：预测不满意达到", "0–1，预测不满意概率达到它的通话必须复核"),
    "mandatory_escalation": ("必须复核：升级风险达到", "0–1，上访、媒体、投诉坐席、聚集、自伤等升级风险达到它必须复核"),
    "sample_dissatisfaction": ("抽检：预测不满意达到", "0–1，不能高于“必须复核”的不满意阈值"),
    "uncertain_margin": ("把握不足：概率离阈值不到", "0–1，言语行为发现的概率离阈值不到这么多算把握不足"),
    "sample_rate": ("其余通话随机抽检比例", "0–1，例如 0.05 表示 5%（按通话编号固定抽取）"),
    "sample_below_pass_mark": ("低于合格线的通话至少抽检", "勾选后低于合格线的通话至少进入抽检"),
}
LEVEL_ORDER = {"mandatory": 0, "sample": 1}  # then calls never triaged, then auto_pass


class TriageSettingsError(StoreError):
    """The administrator's triage thresholds are not valid."""

    code = "E803"


def stored_settings(db: Session) -> ReviewSettings | None:
    from hotline.citizen.settings import ReviewSettings

    row = db.scalar(select(AppSetting).where(AppSetting.key == SETTING_KEY))
    if row is None:
        return None
    try:
        return ReviewSettings(**row.value)
    except ValidationError:  # written by an older version with other fields: fall back to the defaults
        return None


def _rulebook_of(db: Session, version_id: int | None) -> Rulebook:
    row = db.scalar(select(RulebookOverride).where(RulebookOverride.rulebook_version_id == version_id)) if version_id else None
    if row is not None:
        from hotline.store.rulebooks import engine_for_text

        return engine_for_text(row.yaml_text).rulebook
    from hotline.inspect import default_engine

    return default_engine(semantic=False).rulebook


def effective_settings(db: Session, rulebook: Rulebook | None = None) -> ReviewSettings:
    """The administrator's thresholds; without them the package's, with the rulebook's overrides."""
    stored = stored_settings(db)
    if stored is not None:
        return stored
    from hotline.citizen import review_settings

    return review_settings(rulebook or _rulebook_of(db, None))


def parse_settings(form: dict[str, str]) -> ReviewSettings:
    """The administrator's form as settings; a bad value is a Chinese error naming the field."""
    from hotline.citizen.settings import ReviewSettings

    values: dict[str, Any] = {}
    for name, (label, _) in FIELDS.items():
        raw = (form.get(name) or "").strip()
        if name == "sample_below_pass_mark":
            values[name] = raw in ("1", "on", "true", "是")
            continue
        if not raw:
            raise TriageSettingsError(f"“{label}”不能为空")
        try:
            number = float(raw.rstrip("%")) / (100 if raw.endswith("%") else 1)
        except ValueError:
            raise TriageSettingsError(f"“{label}”应为 0 到 1 之间的数字，收到：{raw[:20]}") from None
        if not 0 <= number <= 1 or number != number:
            raise TriageSettingsError(f"“{label}”应在 0 到 1 之间，收到：{raw[:20]}")
        values[name] = number
    try:
        return ReviewSettings(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else ""
        label = FIELDS.get(name, (name, ""))[0]
        if name in FIELDS:
            raise TriageSettingsError(f"“{label}”的取值不允许：{_range_hint(name)}") from None
        raise TriageSettingsError("设置无效：请检查各项取值") from None


def _range_hint(name: str) -> str:
    return {"mandatory_dissatisfaction": "应大于 0、不超过 1", "mandatory_escalation": "应大于 0、不超过 1",
            "sample_dissatisfaction": "应大于 0、不超过 1", "uncertain_margin": "应不小于 0、小于 1"}.get(name, "应在 0 到 1 之间")


def check_order(s: ReviewSettings) -> None:
    if s.sample_dissatisfaction > s.mandatory_dissatisfaction:
        raise TriageSettingsError(f"“{FIELDS['sample_dissatisfaction'][0]}”不能高于“{FIELDS['mandatory_dissatisfaction'][0]}”")


def save_settings(db: Session, s: ReviewSettings, actor: User) -> int:
    """Keep the thresholds (audited, with the values before) and triage every call again with them;
    how many calls changed level."""
    check_order(s)
    row = db.scalar(select(AppSetting).where(AppSetting.key == SETTING_KEY))
    before = dict(row.value) if row is not None else effective_settings(db).model_dump()
    if row is None:
        row = AppSetting(key=SETTING_KEY, value={})
        db.add(row)
    row.value, row.updated_by, row.updated_at = s.model_dump(), actor.id, utcnow()
    db.flush()
    changed = retriage_all(db)
    after = s.model_dump()
    edits = [f"{FIELDS[k][0]} {_value(before.get(k))}→{_value(after[k])}" for k in FIELDS if before.get(k) != after[k]]
    record(db, actor, "triage.settings", "settings", SETTING_KEY, settings=edits or ["未改动"], changed=changed)
    return changed


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "—" if value is None else f"{value:g}"


# ── the citizen figures and the level on a scorecard ─────────────────────────


def keep_citizen(sc: Scorecard, block: model.CitizenBlock | None) -> None:
    """Copy the engine's citizen block onto the stored scorecard (whole, and the figures pages query)."""
    if block is None:
        return
    sc.citizen = block.to_dict()
    sc.dissatisfaction = None if block.dissatisfaction is None else round(block.dissatisfaction, 4)
    sc.escalation_risk = round(block.escalation_risk, 4)
    sc.emotion_start, sc.emotion_peak, sc.emotion_end = round(block.start, 4), round(block.peak, 4), round(block.end, 4)
    sc.calmed, sc.escalated = bool(block.calmed), bool(block.escalated)


def citizen_of(data: dict[str, Any] | None) -> model.CitizenBlock | None:
    """A stored ``CitizenBlock.to_dict()`` as the engine's block again."""
    if not data:
        return None
    from hotline.model import CitizenBlock

    return CitizenBlock(
        anger=[(int(t), float(v)) for t, v in data.get("anger") or []],
        anxiety=[(int(t), float(v)) for t, v in data.get("anxiety") or []],
        start=float(data.get("start") or 0), peak=float(data.get("peak") or 0), peak_turn=data.get("peak_turn"),
        end=float(data.get("end") or 0), calmed=bool(data.get("calmed")), escalated=bool(data.get("escalated")),
        dissatisfaction=data.get("dissatisfaction"), drivers=list(data.get("drivers") or []),
        escalation_risk=float(data.get("escalation_risk") or 0),
        escalation=[(e["kind"], int(e["turn_index"]), e.get("evidence", "")) for e in data.get("escalation") or []],
    )


def _card_model(external_id: str, total: float, vetoed: bool, findings: list[tuple[Any, ...]]) -> model.Scorecard:
    """What triage reads of a stored scorecard: the engine's verdict and findings (rule, dimension,
    severity, points, veto, confidence, threshold) — review does not change which calls people should see."""
    from hotline.model import Finding, Severity
    from hotline.model import Scorecard as CardModel

    def severity(value: str) -> Severity:
        return Severity(value) if value in Severity._value2member_map_ else Severity.MINOR

    return CardModel(call_id=external_id, total=total, dimensions={}, rulebook_version="", vetoed=bool(vetoed),
                     findings=[Finding(rule, dim, severity(sev), None, None, "", "", points=points or 0.0, veto=bool(veto),
                                       confidence=conf, threshold=thr) for rule, dim, sev, points, veto, conf, thr in findings])


def _finding_tuple(f: Any) -> tuple[Any, ...]:
    return (f.rule_id, f.dimension, f.severity, f.points, f.veto, f.confidence, f.threshold)


def _review(external_id: str, total: float, vetoed: bool, findings: list[tuple[Any, ...]], citizen: dict[str, Any] | None,
            settings: ReviewSettings, pass_mark: float | None) -> tuple[str, list[str]]:
    from hotline.citizen import triage

    review = triage(_card_model(external_id, total, vetoed, findings), citizen_of(citizen), settings, pass_mark)
    return review.level, list(review.reasons)


def triage_new(db: Session, sc: Scorecard, external_id: str) -> None:
    """The level of a scorecard just stored, under the center's thresholds."""
    rulebook = _rulebook_of(db, sc.rulebook_version_id)
    sc.review_level, sc.review_reasons = _review(external_id, sc.original_total, sc.original_vetoed,
                                                 [_finding_tuple(f) for f in sc.findings], sc.citizen,
                                                 effective_settings(db, rulebook), rulebook.scoring.pass_mark)


def retriage_all(db: Session, batch: int = 2000) -> int:
    """Triage every call's latest scorecard again with the thresholds in force (plain rows, only the
    changed ones written); how many changed level."""
    from sqlalchemy import update

    from hotline.store.models import Call, FindingRow

    db.flush()
    ids = list(db.scalars(select(func.max(Scorecard.id)).group_by(Scorecard.call_id)))
    stored = stored_settings(db)
    per_version: dict[int, tuple[ReviewSettings, float]] = {}
    changed = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        found: dict[int, list[tuple[Any, ...]]] = {}
        for card_id, *rest in db.execute(select(FindingRow.scorecard_id, FindingRow.rule_id, FindingRow.dimension,
                                                FindingRow.severity, FindingRow.points, FindingRow.veto, FindingRow.confidence,
                                                FindingRow.threshold).where(FindingRow.scorecard_id.in_(chunk)).order_by(FindingRow.id)):
            found.setdefault(card_id, []).append(tuple(rest))
        query = (select(Scorecard.id, Call.external_id, Scorecard.rulebook_version_id, func.coalesce(Scorecard.engine_total, Scorecard.total),
                        func.coalesce(Scorecard.engine_vetoed, Scorecard.vetoed), Scorecard.citizen, Scorecard.review_level,
                        Scorecard.review_reasons)
                 .join(Call, Call.id == Scorecard.call_id).where(Scorecard.id.in_(chunk)))
        updates = []
        for card_id, external_id, version_id, total, vetoed, citizen, level, reasons in db.execute(query).all():
            if version_id not in per_version:
                rulebook = _rulebook_of(db, version_id)
                per_version[version_id] = (stored or effective_settings(db, rulebook), rulebook.scoring.pass_mark)
            new_level, new_reasons = _review(external_id, total, vetoed, found.get(card_id, []), citizen, *per_version[version_id])
            if (new_level, new_reasons) != (level, reasons):
                updates.append({"id": card_id, "review_level": new_level, "review_reasons": new_reasons})
                changed += new_level != level
        if updates:
            db.execute(update(Scorecard), updates)
    db.expire_all()
    return changed


@functools.cache
def level_labels() -> dict[str, str]:
    from hotline.labels import REVIEW_LABELS

    return {**REVIEW_LABELS, "": "未分流"}

