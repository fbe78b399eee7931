"""质检: uploading transcripts (and their recordings), import batches, the result list, one call,
Excel export, the recording of a call."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from hotline.masking import agent_suggestion, mask_text, may_unmask
from hotline.store.audit import record
from hotline.store.imports import add_errors, caller_of, create_batch, fail_batch, run_import, swap_roles
from hotline.store.models import Call, ImportBatch, Role, User
from hotline.store.queries import (
    PAGE_SIZE,
    REVIEW_STATUS,
    SORTS,
    TRIAGE_FILTERS,
    CallFilter,
    agent_by_code,
    agent_codes,
    agents_by_code,
    count_calls,
    get_call,
    hit_rule_ids,
    list_calls,
)
from hotline.store.reviews import may_appeal, may_decide
from hotline.store.rulebooks import active_engine
from hotline.store.triage import level_labels
from hotline.web.citizen import citizen_view
from hotline.web.deps import (
    CurrentUser,
    Db,
    Forbidden,
    Id,
    Inspector,
    NotFound,
    PageNo,
    Staff,
    allow_unmask,
    check_csrf,
)
from hotline.web.export import XLSX, workbook_bytes
from hotline.web.highlight import segments, turn_findings
from hotline.web.render import render
from hotline.web.rules import rule_catalog, rule_title

router = APIRouter(tags=["质检"], dependencies=[Depends(check_csrf)])
SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
AUDIO = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".flac": "audio/flac", ".m4a": "audio/mp4"}
TRANSCRIPT = {".jsonl", ".ndjson", ".json", ".csv", ".txt", ".dialog", ".text", ".parquet"}


def _upload_dir(request: Request, batch_id: int) -> Path:
    folder = request.app.state.settings.resolved_data_dir() / "uploads" / str(batch_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def recordings_dir(request: Request) -> Path:
    folder = request.app.state.settings.resolved_data_dir() / "recordings"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@router.get("/upload")
def upload_form(request: Request, user: Inspector) -> Response:
    return render(request, "upload.html", limit_mb=request.app.state.settings.max_upload_mb)


def _refuse(request: Request, message: str, status: int = 400) -> Response:
    return render(request, "upload.html", status, error=message, limit_mb=request.app.state.settings.max_upload_mb)


@router.post("/upload")
async def upload(request: Request, db: Db, user: Inspector, tasks: BackgroundTasks, files: Annotated[list[UploadFile], File()]) -> Response:
    files = [f for f in files if f.filename]
    if not files:
        return _refuse(request, "请选择至少一个转写文件")
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    names = [SAFE_NAME.sub("_", Path(f.filename or "file").name) for f in files]
    # every file is checked before anything is kept: a refused upload leaves nothing on disk
    for upload_file, name in zip(files, names, strict=True):
        if (upload_file.size or 0) > limit:
            return _refuse(request, f"文件“{name}”超过 {limit // 1048576} MB 上限，本次上传的文件都没有保存", 413)
        if Path(name).suffix.lower() not in TRANSCRIPT | set(AUDIO):
            return _refuse(request, f"文件“{name}”的类型不支持：请上传转写文件（.jsonl .json .csv .txt .parquet）或录音（.wav .mp3 .ogg）")
    if all(Path(n).suffix.lower() in AUDIO for n in names):
        return _refuse(request, "只有录音没有转写：请把录音和它的转写文件（文件名相同）一起上传")
    # database work off the event loop: a loop waiting for a pooled connection can deadlock the server
    batch_id = await run_in_threadpool(_new_batch, db, names, user)
    folder = _upload_dir(request, batch_id)
    try:
        saved = [(name, await _save(f, folder / f"{i:03d}_{name}")) for i, (f, name) in enumerate(zip(files, names, strict=True))]
        inspector = request.app.state.inspector or (await run_in_threadpool(active_engine, db)).inspect  # latest version
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        await run_in_threadpool(fail_batch, request.app.state.factory, batch_id, "上传的文件未能保存，请重新上传")
        raise
    tasks.add_task(_import_then_remove, request.app.state.factory, batch_id, saved, inspector, folder, recordings_dir(request))
    return RedirectResponse(f"/batches/{batch_id}", status_code=303)


async def _save(upload_file: UploadFile, path: Path) -> Path:
    with path.open("wb") as out:
        while chunk := await upload_file.read(1 << 20):
            out.write(chunk)
    return path


def _new_batch(db, names: list[str], user) -> int:  # noqa: ANN001
    batch = create_batch(db, names, user)
    db.commit()
    return int(batch.id)


def _import_then_remove(factory, batch_id: int, saved: list[tuple[str, Path]], inspector, folder: Path,  # noqa: ANN001
                        recordings: Path) -> None:
    """Import, attach the recordings to the calls of the transcript with the same name, then delete
    the uploaded copies: transcripts hold citizens' personal data that should not linger on disk."""
    try:
        transcripts = [(n, p) for n, p in saved if Path(n).suffix.lower() not in AUDIO]
        stored = run_import(factory, batch_id, transcripts, inspector)
        _attach_recordings(factory, batch_id, saved, stored, recordings)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _attach_recordings(factory, batch_id: int, saved: list[tuple[str, Path]], stored: dict[str, list[str]],  # noqa: ANN001
                       recordings: Path) -> None:
    by_stem = {Path(n).stem: ids for n, ids in stored.items()}
    problems = []
    for name, path in saved:
        if Path(name).suffix.lower() not in AUDIO:
            continue
        ids = by_stem.get(Path(name).stem, [])
        if len(ids) != 1:
            problems.append({"file": name, "record": "", "message": "找不到同名且只含一通通话的转写文件，录音未关联"})
            continue
        with factory() as db:
            call = db.scalar(select(Call).where(Call.external_id == ids[0]))
            if call is not None:
                _keep_recording(call, path, recordings)
                db.commit()
    if problems:
        add_errors(factory, batch_id, problems)


def _keep_recording(call: Call, source: Path, recordings: Path) -> None:
    name = f"{call.id}{Path(source.name).suffix.lower()}"
    shutil.copyfile(source, recordings / name)
    call.recording = name


def _batch(db: Db, batch_id: int) -> ImportBatch:
    batch = db.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound("找不到该导入批次")
    return batch


@router.get("/batches")
def batches_page(request: Request, db: Db, user: Inspector, page: PageNo = 1) -> Response:
    from sqlalchemy import func

    total = db.scalar(select(func.count(ImportBatch.id))) or 0
    rows = db.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    names = {u.id: u.display_name for u in db.scalars(select(User))}
    return render(request, "batches.html", batches=list(rows), names=names, page=page,
                  pages=max(1, -(-total // PAGE_SIZE)), total=total)


@router.get("/batches/{batch_id}")
def batch_page(request: Request, db: Db, user: Inspector, batch_id: Id) -> Response:
    return render(request, "batch.html", batch=_batch(db, batch_id))


@router.get("/batches/{batch_id}/progress")
def batch_progress(request: Request, db: Db, user: Inspector, batch_id: Id) -> Response:
    return render(request, "_batch_progress.html", batch=_batch(db, batch_id))


def _filter(
    agent: str = "", date_from: str = "", date_to: str = "", score_min: str = "", score_max: str = "", rule: str = "",
    page: PageNo = 1, q: str = "", status: str = "", sort: str = "", level: str = "",
) -> CallFilter:
    def day(value: str) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    def num(value: str) -> float | None:
        try:
            number = float(value) if value.strip() else None
        except ValueError:
            return None
        return number if number is not None and -1e9 < number < 1e9 else None

    return CallFilter(agent.strip()[:32], day(date_from), day(date_to), num(score_min), num(score_max), rule.strip()[:100], page,
                      q.strip()[:64], status if status in REVIEW_STATUS else "", sort if sort in SORTS else "",
                      level if level in TRIAGE_FILTERS else "")


Filter = Annotated[CallFilter, Depends(_filter)]


def _list_context(request: Request, db: Db, user: User, flt: CallFilter, default_sort: str) -> dict:
    total = count_calls(db, user, flt)
    return {
        "rows": list_calls(db, user, flt, default_sort=default_sort), "flt": flt, "total": total,
        "pages": max(1, -(-total // PAGE_SIZE)), "agents": agent_codes(db, user), "rules": hit_rule_ids(db),
        "rule_title": rule_title, "query": request.url.query, "can_unmask": may_unmask(user.role), "sorts": SORTS,
        "statuses": REVIEW_STATUS, "page_query": _without_page(request), "levels": TRIAGE_FILTERS,
        "level_labels": level_labels(),
    }


def _without_page(request: Request) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])


@router.get("/calls")
def result_list(request: Request, db: Db, user: CurrentUser, flt: Filter) -> Response:
    return render(request, "calls.html", **_list_context(request, db, user, flt, "date"))


@router.get("/review")
def review_queue(request: Request, db: Db, user: Inspector, flt: Filter) -> Response:
    """复核队列: calls by review status, priority first, with bulk review and keyboard shortcuts."""
    if "status" not in request.query_params:
        flt.status = "unreviewed"
    if "level" not in request.query_params:
        flt.level = "queue"  # auto-pass calls only when the filter asks for them
    return render(request, "review_queue.html", **_list_context(request, db, user, flt, "priority"))


def _export(db: Db, user: User, flt: CallFilter, unmasked: bool) -> Response:
    rows = list_calls(db, user, flt, limit=None, with_findings=True)
    record(db, user, "export.xlsx", "calls", "", count=len(rows), unmasked=unmasked)
    db.commit()
    body = workbook_bytes(rows, agents_by_code(db), unmasked=unmasked)
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''%E8%B4%A8%E6%A3%80%E7%BB%93%E6%9E%9C.xlsx"}
    return Response(body, media_type=XLSX, headers=headers)


@router.get("/calls/export.xlsx")
def export_xlsx(request: Request, db: Db, user: Staff, flt: Filter) -> Response:
    return _export(db, user, flt, unmasked=False)


@router.post("/calls/export.xlsx")
def export_unmasked(request: Request, db: Db, user: Staff, flt: Filter) -> Response:
    """The export with citizens' full details: a POST (it writes the audit log), for roles that may unmask."""
    if not may_unmask(user.role):
        raise Forbidden("您的角色无权导出未脱敏信息")
    return _export(db, user, flt, unmasked=True)


def _visible_call(db: Db, user: User, call_id: int) -> Call:
    call = get_call(db, call_id)
    if call is None:
        raise NotFound("找不到该通话")
    if user.role == Role.TRAINEE.value and (not user.agent_code or call.agent_code != user.agent_code):
        raise Forbidden("学员只能查看自己的通话")
    return call


def _call_view(request: Request, db: Db, user: User, call: Call, unmasked: bool) -> Response:
    card = call.scorecard
    findings = card.findings if card else []
    show = (lambda s: s) if unmasked else mask_text
    by_turn = turn_findings(findings)
    times = [(t.get("start"), t.get("end")) for t in call.turns]
    turns = [(i, t, segments(show(t["text"]), by_turn.get(i, []))) for i, t in enumerate(call.turns)]
    return render(
        request, "call.html", call=call, card=card, turns=turns, findings=findings, show=show, by_turn=by_turn,
        whole_call=[f for f in findings if f.turn_index is None or f.turn_index >= len(call.turns)],
        unmasked=unmasked, can_unmask=may_unmask(user.role), rule_title=rule_title,
        catalog=rule_catalog(), may_appeal=lambda f: may_appeal(user, call, f),
        may_decide=lambda a: may_decide(db, user, a), agent=agent_by_code(db, call.agent_code),
        caller=caller_of(call.meta), suggestion=lambda f: agent_suggestion(f.suggestion, call.agent_code),
        can_review=user.role in (Role.INSPECTOR.value, Role.ADMIN.value), timed=any(s is not None for s, _ in times),
        taken=card.deductions() if card else {}, citizen=citizen_view(card) if card else None,
        level_labels=level_labels(), added=_added(db, card),
    )


def _added(db: Db, card) -> list:  # noqa: ANN001
    """The 漏判 inspectors added to this scorecard."""
    from hotline.store.models import AddedFinding

    if card is None:
        return []
    return list(db.scalars(select(AddedFinding).where(AddedFinding.scorecard_id == card.id).order_by(AddedFinding.id)))


@router.post("/calls/{call_id}/swap-roles")
def swap_call_roles(request: Request, db: Db, user: Inspector, call_id: Id) -> Response:
    """The call's roles were inferred the wrong way round: exchange them and inspect it again."""
    call = _visible_call(db, user, call_id)
    inspector = request.app.state.inspector or active_engine(db).inspect
    swap_roles(db, call, inspector, user)
    db.commit()
    return RedirectResponse(f"/calls/{call.id}", status_code=303)


@router.get("/calls/{call_id}")
def call_page(request: Request, db: Db, user: CurrentUser, call_id: Id) -> Response:
    return _call_view(request, db, user, _visible_call(db, user, call_id), unmasked=False)


@router.post("/calls/{call_id}/unmask")
def call_unmasked(request: Request, db: Db, user: CurrentUser, call_id: Id) -> Response:
    """The call with full personal details: a POST (the view is written to the audit log), never cached."""
    call = _visible_call(db, user, call_id)
    allow_unmask(db, user, "call.view_unmasked", call)
    return _call_view(request, db, user, call, unmasked=True)


@router.post("/calls/{call_id}/recording")
async def upload_recording(request: Request, db: Db, user: Inspector, call_id: Id, file: Annotated[UploadFile, File()]) -> Response:
    name = file.filename or ""
    suffix = Path(name).suffix.lower()
    if suffix not in AUDIO:
        from hotline.store.db import StoreError

        raise StoreError("录音格式不支持：请上传 .wav .mp3 .ogg .flac 或 .m4a 文件")
    call = await run_in_threadpool(_visible_call, db, user, call_id)
    folder = recordings_dir(request)
    target = folder / f"{call.id}{suffix}"
    await _save(file, target)
    await run_in_threadpool(_set_recording, db, user, call, target.name)
    return RedirectResponse(f"/calls/{call.id}#recording", status_code=303)


def _set_recording(db: Db, user: User, call: Call, name: str) -> None:
    call.recording = name
    record(db, user, "call.upload_recording", "call", call.id, filename=name)
    db.commit()


@router.get("/calls/{call_id}/recording")
def recording(request: Request, db: Db, user: CurrentUser, call_id: Id) -> Response:
    call = _visible_call(db, user, call_id)
    path = recordings_dir(request) / (call.recording or "")
    if not call.recording or not path.is_file():
        raise NotFound("这通电话没有上传录音")
    return FileResponse(path, media_type=AUDIO.get(path.suffix, "application/octet-stream"))


@router.post("/review/bulk")
def bulk_review(
    db: Db, user: Inspector, verdict: Annotated[str, Form()], note: Annotated[str, Form()] = "",
    finding_ids: Annotated[list[int] | None, Form()] = None, call_ids: Annotated[list[int] | None, Form()] = None,
    back: Annotated[str, Form()] = "",
) -> Response:
    """Confirm or overturn many findings with one note: the ticked findings, or every unreviewed
    finding of the ticked calls."""
    from hotline.store.reviews import ReviewError, review_findings, unreviewed_of_calls

    ids = [i for i in (finding_ids or []) if 0 < i <= 2**31 - 1]
    ids += unreviewed_of_calls(db, [i for i in (call_ids or []) if 0 < i <= 2**31 - 1])
    if not ids:
        raise ReviewError("请先勾选要复核的发现或通话")
    problems = review_findings(db, ids, user, verdict, note)
    db.commit()
    target = back if back.startswith("/") and not back.startswith("//") else "/review"
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}done={len(ids) - len(problems)}&skipped={len(problems)}", status_code=303)
