"""Rulebook versions edited in the browser: a city override (YAML) validated by ``hotline.norms``,
tried on past calls, then saved as a new version that scores every later call and drill."""

from __future__ import annotations

import hashlib
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.errors import HotlineError, RulebookError
from hotline.store.audit import record
from hotline.store.imports import rulebook_row
from hotline.store.models import Call, RulebookOverride, RulebookVersion, Scorecard, User

if TYPE_CHECKING:
    from hotline.inspect import Engine

TRY_LIMIT = 200
EXAMPLES = 3


@lru_cache(maxsize=8)
def engine_for_text(yaml_text: str, semantic: bool | None = None) -> Engine:
    """The engine of a city override given as text (compiled once per distinct text); ``semantic=False``
    leaves out the sentence embeddings (bulk work), ``None`` follows the rulebook."""
    from hotline.inspect import load_engine

    with tempfile.TemporaryDirectory(prefix="hotline-rulebook-") as folder:
        path = Path(folder) / "网页编辑的规则库.yaml"
        path.write_text(yaml_text, encoding="utf-8")
        try:
            return load_engine(path, semantic=semantic, untrusted=True)
        except RulebookError as exc:
            raise RulebookError(exc.message, source="网页编辑的规则库", location=exc.location) from None


def active_override(db: Session) -> RulebookOverride | None:
    query = select(RulebookOverride).options(selectinload(RulebookOverride.rulebook_version))
    return db.scalar(query.order_by(RulebookOverride.id.desc()).limit(1))


def active_engine(db: Session, semantic: bool | None = None) -> Engine:
    """The newest saved override, or the default rulebook when none was saved (``semantic`` as in
    ``engine_for_text``)."""
    row = active_override(db)
    if row is None:
        from hotline.inspect import default_engine

        return default_engine(semantic=semantic)
    return engine_for_text(row.yaml_text, semantic)


def save_override(db: Session, yaml_text: str, user: User, note: str = "") -> RulebookVersion:
    """Validate and store a new version; its version string must be new."""
    eng = engine_for_text(yaml_text)
    version = eng.rulebook.version
    if db.scalar(select(RulebookVersion.id).where(RulebookVersion.version == version)):
        raise RulebookError(f"版本号“{version}”已经用过，请在 version 中写一个新的版本号", source="网页编辑的规则库")
    row = rulebook_row(db, version)
    row.note = note
    db.add(RulebookOverride(rulebook_version=row, yaml_text=yaml_text, saved_by=user.id))
    record(db, user, "rulebook.save", "rulebook", version, digest=hashlib.sha256(yaml_text.encode()).hexdigest()[:12])
    db.flush()
    return row


@dataclass(slots=True)
class RuleChange:
    rule_id: str
    title: str
    appeared: int = 0
    disappeared: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class TryResult:
    calls: int
    version: str
    appeared: int
    disappeared: int
    changes: list[RuleChange]
    score_delta: float


def model_call(row: Any) -> Any:
    """A stored call (a ``Call`` or a row with its ``external_id``, ``turns`` and ``meta``) as the
    engine's ``Call`` (turns with their times, the meta)."""
    from hotline.model import Call as ModelCall
    from hotline.model import Speaker, Turn

    turns = [Turn(Speaker(t["speaker"]), t["text"], t.get("start"), t.get("end")) for t in row.turns]
    return ModelCall(row.external_id, turns, dict(row.meta))


def _keys(findings: Any) -> Counter[tuple[str, int | None]]:
    return Counter((f.rule_id, f.turn_index) for f in findings)


def try_on_calls(db: Session, eng: Engine, limit: int = TRY_LIMIT) -> TryResult:
    """Re-inspect the newest ``limit`` calls with ``eng`` and compare with their stored scorecards."""
    query = select(Call).options(selectinload(Call.scorecards).selectinload(Scorecard.findings))
    rows = [(r, r.scorecard) for r in db.scalars(query.order_by(Call.id.desc()).limit(limit)) if r.scorecard is not None]
    changes: dict[str, RuleChange] = {}
    delta = 0.0
    for row, stored in rows:
        call = model_call(row)
        card = eng.inspect(call)
        old, new = _keys(stored.findings), _keys(card.findings)
        delta += (card.total or 0.0) - stored.total  # stored calls have words: always a total
        for key, sign in [*((k, +1) for k in (new - old).elements()), *((k, -1) for k in (old - new).elements())]:
            rule_id, turn = key
            ch = changes.setdefault(rule_id, RuleChange(rule_id, title_of(eng, rule_id)))
            ch.appeared += sign > 0
            ch.disappeared += sign < 0
            if len(ch.examples) < EXAMPLES:
                text = call.turns[turn].text if turn is not None and turn < len(call.turns) else "（整通电话）"
                ch.examples.append({"call_id": row.id, "external_id": row.external_id, "turn": turn,
                                    "text": text, "change": "新增" if sign > 0 else "消失"})
    ordered = sorted(changes.values(), key=lambda c: -(c.appeared + c.disappeared))
    return TryResult(len(rows), eng.rulebook.version, sum(c.appeared for c in ordered),
                     sum(c.disappeared for c in ordered), ordered, round(delta / len(rows), 2) if rows else 0.0)


def title_of(eng: Engine, rule_id: str) -> str:
    """The rule's title in ``eng``, or its id when the version has no such rule."""
    try:
        return eng.rule(rule_id).title
    except HotlineError:  # a rule the new version removed: its id is the best name left
        return rule_id
