"""质检: uploading transcripts, import progress, the result list, one call, Excel export."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, File, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hotline.store.audit import record
from hotline.store.imports import caller_of, create_batch, run_import, swap_roles
from hotline.store.models import ImportBatch, Role
from hotline.store.queries import (
    PAGE_SIZE,
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
from hotline.web.deps import CurrentUser, Db, Forbidden, Inspector, NotFound, Staff, check_csrf
from hotline.web.export import workbook_bytes
from hotline.web.highlight import segments, turn_findings
from hotline.web.masking import mask_text, may_unmask
from hotline.web.render import render
from hotline.web.rules import rule_catalog, rule_title

router = APIRouter(tags=["质检"], dependencies=[Depends(check_csrf)])
SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def _upload_dir(request: Request, batch_id: int) -> Path:
    folder = request.app.state.settings.resolved_data_dir() / "uploads" / str(batch_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@router.get("/upload")
def upload_form(request: Request, user: Inspector) -> Response:
    return render(request, "upload.html")


@router.post("/upload")
async def upload(request: Request, db: Db, user: Inspector, tasks: BackgroundTasks, files: Annotated[list[UploadFile], File()]) -> Response:
    files = [f for f in files if f.filename]
    if not files:
        return render(request, "upload.html", 400, error="请选择至少一个转写文件")
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    names = [SAFE_NAME.sub("_", Path(f.filename or "file").name) for f in files]
    # database work off the event loop: a loop waiting for a pooled connection can deadlock the server
    batch_id = await run_in_threadpool(_new_batch, db, names, user)
    folder, saved = _upload_dir(request, batch_id), []
    for index, (upload, name) in enumerate(zip(files, names, strict=True)):
        data = await upload.read(limit + 1)
        if len(data) > limit:
            return render(request, "upload.html", 400, error=f"文件“{name}”超过 {limit // 1048576} MB 上限")
        path = folder / f"{index:03d}_{name}"
        path.write_bytes(data)
        saved.append((name, path))
    inspector = request.app.state.inspector or (await run_in_threadpool(active_engine, db)).inspect  # latest version
    tasks.add_task(_import_then_remove, request.app.state.factory, batch_id, saved, inspector, folder)
    return RedirectResponse(f"/batches/{batch_id}", status_code=303)


def _new_batch(db, names: list[str], user) -> int:  # noqa: ANN001
    batch = create_batch(db, names, user)
    db.commit()
    return int(batch.id)


def _import_then_remove(factory, batch_id: int, saved: list[tuple[str, Path]], inspector, folder: Path) -> None:  # noqa: ANN001
    """Import, then delete the uploaded copies: the calls are in the database, and transcripts
    hold citizens' personal data that should not linger on disk."""
    try:
        run_import(factory, batch_id, saved, inspector)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _batch(db: Db, batch_id: int) -> ImportBatch:
    batch = db.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound("找不到该导入批次")
    return batch


@router.get("/batches/{batch_id}")
def batch_page(request: Request, db: Db, user: Inspector, batch_id: int) -> Response:
    return render(request, "batch.html", batch=_batch(db, batch_id))


@router.get("/batches/{batch_id}/progress")
def batch_progress(request: Request, db: Db, user: Inspector, batch_id: int) -> Response:
    return render(request, "_batch_progress.html", batch=_batch(db, batch_id))


def _filter(
    agent: str = "", date_from: str = "", date_to: str = "", score_min: str = "", score_max: str = "", rule: str = "",
    page: int = Query(1, ge=1),
) -> CallFilter:
    def day(value: str) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    def num(value: str) -> float | None:
        try:
            return float(value) if value.strip() else None
        except ValueError:
            return None

    return CallFilter(agent.strip(), day(date_from), day(date_to), num(score_min), num(score_max), rule.strip(), page)


Filter = Annotated[CallFilter, Depends(_filter)]


@router.get("/calls")
def result_list(request: Request, db: Db, user: CurrentUser, flt: Filter) -> Response:
    total = count_calls(db, user, flt)
    return render(
        request, "calls.html", rows=list_calls(db, user, flt), flt=flt, total=total,
        pages=max(1, -(-total // PAGE_SIZE)), agents=agent_codes(db, user), rules=hit_rule_ids(db),
        rule_title=rule_title, query=request.url.query, can_unmask=may_unmask(user.role),
    )


@router.get("/calls/export.xlsx")
def export_xlsx(request: Request, db: Db, user: Staff, flt: Filter, unmasked: int = 0) -> Response:
    if unmasked and not may_unmask(user.role):
        raise Forbidden("您的角色无权导出未脱敏信息")
    rows = list_calls(db, user, flt, limit=None, with_findings=True)
    record(db, user, "export.xlsx", "calls", "", count=len(rows), unmasked=bool(unmasked))
    db.commit()
    body = workbook_bytes(rows, agents_by_code(db), unmasked=bool(unmasked))
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''%E8%B4%A8%E6%A3%80%E7%BB%93%E6%9E%9C.xlsx"}
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers=headers)


@router.post("/calls/{call_id}/swap-roles")
def swap_call_roles(request: Request, db: Db, user: Inspector, call_id: int) -> Response:
    """The call's roles were inferred the wrong way round: exchange them and inspect it again."""
    call = get_call(db, call_id)
    if call is None:
        raise NotFound("找不到该通话")
    inspector = request.app.state.inspector or active_engine(db).inspect
    swap_roles(db, call, inspector, user)
    db.commit()
    return RedirectResponse(f"/calls/{call_id}", status_code=303)


@router.get("/calls/{call_id}")
def call_page(request: Request, db: Db, user: CurrentUser, call_id: int, unmasked: int = 0) -> Response:
    call = get_call(db, call_id)
    if call is None:
        raise NotFound("找不到该通话")
    if user.role == Role.TRAINEE.value and (not user.agent_code or call.agent_code != user.agent_code):
        raise Forbidden("学员只能查看自己的通话")
    if unmasked and not may_unmask(user.role):
        raise Forbidden("您的角色无权查看未脱敏信息")
    if unmasked:
        record(db, user, "call.view_unmasked", "call", call.id, external_id=call.external_id)
        db.commit()
    card = call.scorecard
    findings = card.findings if card else []
    show = (lambda s: s) if unmasked else mask_text
    by_turn = turn_findings(findings)
    turns = [(i, t, segments(show(t["text"]), by_turn.get(i, []))) for i, t in enumerate(call.turns)]
    return render(
        request, "call.html", call=call, card=card, turns=turns, findings=findings, show=show,
        unmasked=bool(unmasked), can_unmask=may_unmask(user.role), rule_title=rule_title,
        catalog=rule_catalog(), may_appeal=lambda f: may_appeal(user, call, f),
        may_decide=lambda a: may_decide(db, user, a), agent=agent_by_code(db, call.agent_code),
        caller=caller_of(call.meta), taken=card.deductions() if card else {},
    )
