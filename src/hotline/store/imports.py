"""Importing transcript files: read with ``hotline.formats``, score with ``hotline.inspect``,
store each call with its scorecard and findings in one transaction. A bad file or record is
listed on the batch with the reason; the good calls are kept. Whatever fails, the batch ends
``done`` or ``failed`` with the reason recorded, never left running; a restart marks batches it
interrupted as failed. A call whose speaker roles were inferred with low confidence is imported and
listed on the batch as a warning (an entry with ``level: warning``)."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotline.errors import HotlineError
from hotline.formats.callmeta import CALLER_KEYS, agent_code_of, date_of
from hotline.formats.roles import role_warning
from hotline.store.audit import record
from hotline.store.db import analyze_after_bulk
from hotline.store.models import Call, FindingRow, ImportBatch, RulebookVersion, Scorecard, User, utcnow
from hotline.store.triage import keep_citizen, triage_new

if TYPE_CHECKING:
    from hotline import model

Inspector = Callable[["model.Call"], "model.Scorecard"]
ErrorSink = Callable[[HotlineError], None]
Reader = Callable[[Path, ErrorSink], Iterable["model.Call"]]


def create_batch(db: Session, filenames: list[str], actor: User | None) -> ImportBatch:
    batch = ImportBatch(uploaded_by=actor.id if actor else None, filenames=filenames, files_total=len(filenames))
    db.add(batch)
    db.flush()
    record(db, actor, "import.batch", "batch", batch.id, files=filenames)
    return batch


def default_inspector() -> Inspector:
    from hotline.inspect import default_engine

    return default_engine(semantic=False).inspect  # bulk import: no sentence embeddings


def caller_digits(meta: dict[str, Any]) -> str:
    """The caller's number as digits only (for search by phone)."""
    return re.sub(r"\D", "", caller_of(meta))[:32]


def caller_of(meta: dict[str, Any]) -> str:
    """The citizen's number as the telephony system recorded it (personal data: shown masked)."""
    for key in CALLER_KEYS:
        value = meta.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def rulebook_row(db: Session, version: str) -> RulebookVersion:
    row = db.scalar(select(RulebookVersion).where(RulebookVersion.version == version))
    if row is None:
        row = RulebookVersion(version=version)
        db.add(row)
        db.flush()
    return row


def store_call(db: Session, call: model.Call, card: model.Scorecard, *, batch_id: int | None, source: str = "import") -> Call:
    """Add one call with its scorecard and findings (the caller commits)."""
    if card.total is None:
        raise HotlineError(f"{card.notice}：这通电话没有总分，不能入库（请提供转写）")
    row = Call(
        external_id=call.id,
        source=source,
        batch_id=batch_id,
        agent_code=agent_code_of(call.meta),
        caller_phone=caller_digits(call.meta),
        call_date=date_of(call.meta),
        turns=call.to_dict()["turns"],
        meta=_jsonable(call.meta),
    )
    db.add(row)
    add_scorecard(db, row, card)
    return row


def add_scorecard(db: Session, row: Call, card: model.Scorecard) -> Scorecard:
    """A new scorecard with its findings for a stored call (the newest one is the call's score)."""
    assert card.total is not None  # only calls with words are stored
    sc = Scorecard(
        call=row,
        rulebook_version=rulebook_row(db, card.rulebook_version),
        total=float(card.total),
        vetoed=bool(card.vetoed),
        dimensions=dict(card.dimensions),
        engine_total=float(card.total),
        engine_vetoed=bool(card.vetoed),
        engine_dimensions=dict(card.dimensions),
        max_dimensions=dict(card.max_dimensions),
        outcomes=outcome_dicts(card),
    )
    db.add(sc)
    for f in card.findings:
        db.add(
            FindingRow(
                scorecard=sc, rule_id=f.rule_id, dimension=f.dimension, severity=str(f.severity),
                turn_index=f.turn_index, span_start=f.span[0] if f.span else None,
                span_end=f.span[1] if f.span else None, evidence=f.evidence, message=f.message,
                suggestion=f.suggestion, points=float(f.points), veto=bool(f.veto), confidence=f.confidence,
                threshold=f.threshold,
            )
        )
    keep_citizen(sc, card.citizen)
    db.flush()
    triage_new(db, sc, row.external_id)
    return sc


def outcome_dicts(card: model.Scorecard) -> list[dict[str, Any]]:
    """The engine's rule outcomes as a scorecard keeps them."""
    return [{"rule_id": o.rule_id, "dimension": o.dimension, "status": o.status, "points": o.points} for o in card.outcomes]


def swap_roles(db: Session, row: Call, inspector: Inspector, actor: User) -> Scorecard:
    """Exchange 坐席 and 市民 on a stored call whose roles were inferred wrongly, and score it again
    (a new scorecard: the old one, with its reviews, stays in the history). The caller commits."""
    from hotline.formats.roles import swap_roles as swapped
    from hotline.store.rulebooks import model_call

    call = swapped(model_call(row))
    row.turns = call.to_dict()["turns"]
    row.meta = _jsonable(call.meta)
    card = add_scorecard(db, row, inspector(call))
    record(db, actor, "call.swap_roles", "call", row.id, external_id=row.external_id, total=card.total)
    return card


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def default_reader() -> Reader:
    from hotline.formats import read_calls

    return read_calls


log = logging.getLogger("hotline.import")


def _failure(exc: BaseException) -> str:
    """A reason a user can act on for an unexpected failure (the details go to the server log)."""
    if isinstance(exc, HotlineError):
        return exc.message
    if isinstance(exc, RecursionError):
        return "内容嵌套层级过深，无法读取"
    if isinstance(exc, MemoryError):
        return "内容太大，内存不足，无法读取"
    if isinstance(exc, OSError | UnicodeError | ValueError):
        return f"无法读取文件：{exc}"
    return "读取时出现内部错误（详情已记入服务器日志）"


def _read(reader: Reader, path: Path, errors: list[dict[str, str]], name: str) -> Iterator[model.Call]:
    """The good calls of one file; each bad record (or an unreadable file) is listed."""

    def listed(exc: HotlineError) -> None:
        errors.append({"file": name, "record": exc.location or "", "message": exc.message})

    try:
        yield from reader(path, listed)
    except Exception as exc:  # any reader failure (RecursionError on nested JSON too) is the file's error
        if not isinstance(exc, HotlineError | OSError | UnicodeError | ValueError | RecursionError):
            log.exception("读取 %s 时出错", name)
        errors.append({"file": name, "record": "", "message": _failure(exc)})


def _store_one(factory: sessionmaker[Session], call: model.Call, inspector: Inspector, batch_id: int) -> str | None:
    """Inspect and store one call in its own transaction; the reason it failed, or None."""
    try:
        card = inspector(call)
    except Exception as exc:  # a rule that fails on one call does not stop the batch
        if not isinstance(exc, HotlineError):
            log.exception("质检 %s 时出错", call.id)
        return f"质检失败：{_failure(exc)}"
    with factory() as db:
        if db.scalar(select(Call.id).where(Call.external_id == call.id)):
            return f"通话编号“{call.id}”已导入过，未重复保存"
        try:
            store_call(db, call, card, batch_id=batch_id)
            db.commit()
        except Exception as exc:  # whatever failed, the whole call is rolled back and listed
            db.rollback()
            if db.scalar(select(Call.id).where(Call.external_id == call.id)):
                return f"通话编号“{call.id}”已导入过，未重复保存"
            return f"保存失败，整条通话未保存：{getattr(exc, 'orig', exc)}"
    return None


def run_import(
    factory: sessionmaker[Session],
    batch_id: int,
    files: Iterable[tuple[str, Path]],
    inspector: Inspector | None = None,
    reader: Reader | None = None,
) -> dict[str, list[str]]:
    """Import every file of a batch, updating its progress after each call and file; returns the
    ids of the calls stored from each file. The batch always ends ``done`` or ``failed``."""
    stored: dict[str, list[str]] = {}
    try:
        inspector = inspector or default_inspector()
        reader = reader or default_reader()
        _update(factory, batch_id, status="running")
        for name, path in files:
            stored[name] = _import_file(factory, batch_id, name, path, inspector, reader)
        _analyze(factory, sum(len(ids) for ids in stored.values()))
    except Exception as exc:
        log.exception("导入批次 %s 中断", batch_id)
        _update(factory, batch_id, status="failed", finished=True,
                errors=[{"file": "", "record": "", "message": f"导入中断：{_failure(exc)}"}])
        return stored
    _update(factory, batch_id, status="done", finished=True)
    return stored


def _analyze(factory: sessionmaker[Session], stored: int) -> None:
    """After a large batch, the planner's statistics of the tables it filled (the calls are stored
    whatever happens here: a failure is logged, not the batch's)."""
    try:
        with factory() as db:
            analyze_after_bulk(db, stored)
    except Exception:
        log.exception("导入 %s 通后更新数据库统计信息失败", stored)


def _import_file(factory: sessionmaker[Session], batch_id: int, name: str, path: Path, inspector: Inspector,
                 reader: Reader) -> list[str]:
    errors: list[dict[str, str]] = []
    ids: list[str] = []
    for index, call in enumerate(_read(reader, path, errors, name), start=1):
        if warning := role_warning(call):
            errors.append({"file": name, "record": f"第 {index} 条（{call.id}）", "message": warning,
                           "level": "warning"})
        reason = _store_one(factory, call, inspector, batch_id)
        if reason:
            errors.append({"file": name, "record": f"第 {index} 条（{call.id}）", "message": reason})
        else:
            ids.append(call.id)
            _update(factory, batch_id, calls_ok=1)
    _update(factory, batch_id, files_done=1, errors=errors)
    return ids


def add_errors(factory: sessionmaker[Session], batch_id: int, errors: list[dict[str, str]]) -> None:
    """List more rejected records on a batch (a recording that matched no transcript, say)."""
    _update(factory, batch_id, errors=errors)


def fail_batch(factory: sessionmaker[Session], batch_id: int, message: str) -> None:
    _update(factory, batch_id, status="failed", finished=True, errors=[{"file": "", "record": "", "message": message}])


def fail_interrupted(factory: sessionmaker[Session], uploads: Path | None = None) -> list[int]:
    """At start-up: batches still queued or running were cut off by a restart; mark them failed
    and remove what their uploads left on disk (transcripts hold citizens' personal data)."""
    with factory() as db:
        ids = list(db.scalars(select(ImportBatch.id).where(ImportBatch.status.in_(("queued", "running")))))
    for batch_id in ids:
        fail_batch(factory, batch_id, "服务重启时导入被中断，未完成的文件没有导入：请重新上传这些文件")
    if uploads is not None and uploads.is_dir():
        for folder in uploads.iterdir():
            shutil.rmtree(folder, ignore_errors=True)
    return ids


def _update(
    factory: sessionmaker[Session], batch_id: int, *, status: str | None = None, calls_ok: int = 0,
    files_done: int = 0, errors: list[dict[str, str]] | None = None, finished: bool = False,
) -> None:
    with factory() as db:
        batch = db.get(ImportBatch, batch_id)
        if batch is None:
            return
        if status:
            batch.status = status
        batch.calls_ok += calls_ok
        batch.files_done += files_done
        if errors:
            batch.errors = [*batch.errors, *errors]
        if finished:
            batch.finished_at = utcnow()
        db.commit()
