"""一致性: engine × inspectors per rule from 复核 results (with the 漏判 inspectors add on a call
page), its Excel export, and 校准 sessions where inspectors judge the same calls blind."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from hotline.masking import mask_text
from hotline.store.agreement import engine_agreement
from hotline.store.audit import record
from hotline.store.calibration import (
    MEMBER_ROLES,
    CalibrationError,
    compare,
    create_session,
    engine_items,
    get_session,
    marks_of,
    may_view,
    member_of,
    save_marks,
    sessions_for,
)
from hotline.store.models import AddedFinding, Call, Role, Scorecard, User
from hotline.store.reviews import ReviewError
from hotline.web.deps import Db, Forbidden, Id, Inspector, NotFound, Staff, Trainer, check_csrf, int_id
from hotline.web.export import XLSX, tables_workbook
from hotline.web.render import render
from hotline.web.rules import rule_catalog, rule_title

router = APIRouter(tags=["一致性"], dependencies=[Depends(check_csrf)])
HEADERS = ["规则编号", "规则名称", "已复核发现", "复核维持", "精确率", "复核通话", "双方都判", "仅引擎判", "仅质检员判（补充漏判）",
           "双方都未判", "一致率", "Cohen's κ", "召回率（有补充漏判时）"]


def _num(value: float | None, digits: int = 3) -> float | str:
    return "" if value is None else round(value, digits)


@router.get("/agreement")
def agreement_page(request: Request, db: Db, user: Staff) -> Response:
    rows, calls = engine_agreement(db)
    return render(request, "agreement.html", rows=rows, calls=calls, rule_title=rule_title)


@router.get("/agreement/export.xlsx")
def agreement_export(db: Db, user: Staff) -> Response:
    rows, _ = engine_agreement(db)
    table = [[r.rule_id, rule_title(r.rule_id), r.reviewed, r.upheld, _num(r.precision), r.table.n, r.table.both, r.table.only_a,
              r.table.only_b, r.table.neither, _num(r.table.observed), _num(r.table.kappa), _num(r.recall)] for r in rows]
    record(db, user, "export.xlsx", "agreement", "", rows=len(table))
    db.commit()
    body = tables_workbook([("引擎与质检员一致性", HEADERS, table)])
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote('规则一致性.xlsx')}"})


# ── 漏判: a rule the engine missed, added by an inspector on the call page ──────


def _latest_card(db: Db, call_id: int) -> Scorecard:
    call = db.get(Call, call_id)
    if call is None or call.scorecard is None:
        raise NotFound("找不到该通话")
    return call.scorecard


@router.post("/calls/{call_id}/added-findings")
def add_finding(db: Db, user: Inspector, call_id: Id, rule_id: Annotated[str, Form()], turn: Annotated[str, Form()] = "",
                note: Annotated[str, Form()] = "") -> Response:
    card = _latest_card(db, call_id)
    rule_id = rule_id.strip()
    if rule_id not in rule_catalog():
        raise ReviewError(f"没有规则“{rule_id[:100]}”，请从列表中选择")
    if any(f.rule_id == rule_id for f in card.findings):
        raise ReviewError(f"引擎已判出“{rule_title(rule_id)}”，请在该发现上复核确认，不必补充")
    if db.scalar(select(AddedFinding.id).where(AddedFinding.scorecard_id == card.id, AddedFinding.rule_id == rule_id)):
        raise ReviewError(f"“{rule_title(rule_id)}”已补充过")
    index = int_id(turn)
    turns = len(db.get_one(Call, call_id).turns)
    row = AddedFinding(scorecard_id=card.id, rule_id=rule_id, turn_index=index - 1 if index and index <= turns else None,
                       note=note.strip()[:1000], user_id=user.id)
    db.add(row)
    db.flush()
    record(db, user, "finding.add", "call", call_id, rule_id=rule_id)
    db.commit()
    return RedirectResponse(f"/calls/{call_id}#added", status_code=303)


@router.post("/added-findings/{added_id}/remove")
def remove_added(db: Db, user: Inspector, added_id: Id) -> Response:
    row = db.get(AddedFinding, added_id)
    if row is None:
        raise NotFound("找不到该补充漏判")
    call_id = db.get_one(Scorecard, row.scorecard_id).call_id
    record(db, user, "finding.remove_added", "call", call_id, rule_id=row.rule_id)
    db.delete(row)
    db.commit()
    return RedirectResponse(f"/calls/{call_id}#added", status_code=303)


# ── 校准 ──────────────────────────────────────────────────────────────────────


def _candidates(db: Db) -> list[User]:
    return list(db.scalars(select(User).where(User.role.in_(MEMBER_ROLES), User.active.is_(True)).order_by(User.id)))


@router.get("/calibration")
def calibration_list(request: Request, db: Db, user: Staff) -> Response:
    return render(request, "calibration_list.html", sessions=sessions_for(db, user), candidates=_candidates(db),
                  can_create=user.role in (Role.TRAINER.value, Role.ADMIN.value))


@router.post("/calibration")
async def calibration_create(request: Request, db: Db, user: Trainer) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    members = [i for i in (int_id(str(v)) for v in form.getlist("member_ids")) if i]
    title, calls = str(form.get("title") or ""), str(form.get("calls") or "")

    def create() -> Response:
        try:
            session = create_session(db, title, calls, members, user)
        except CalibrationError as exc:
            db.rollback()
            return render(request, "calibration_list.html", 400, sessions=sessions_for(db, user), candidates=_candidates(db),
                          can_create=True, error=exc.message, title=title, calls=calls, chosen=set(members))
        db.commit()
        return RedirectResponse(f"/calibration/{session.id}", status_code=303)

    return await run_in_threadpool(create)


def _session(db: Db, user: User, session_id: int):  # noqa: ANN202
    session = get_session(db, session_id)
    if session is None:
        raise NotFound("找不到该校准")
    if not may_view(session, user):
        raise Forbidden("您不是这次校准的参加人或发起人")
    return session


@router.get("/calibration/{session_id}")
def calibration_page(request: Request, db: Db, user: Staff, session_id: Id) -> Response:
    session = _session(db, user, session_id)
    me = member_of(session, user)
    call_ids = [c.call_id for c in session.calls]
    if me is not None and me.submitted_at is None:  # blind: only the engine's items and one's own decisions
        return render(request, "calibration_mark.html", session=session, items=engine_items(db, call_ids),
                      mine=marks_of(db, session.id, [user.id]).get(user.id, {}), catalog=rule_catalog(), rule_title=rule_title,
                      mask=mask_text)
    return render(request, "calibration_compare.html", session=session, cmp=compare(db, session), me=me, rule_title=rule_title,
                  calls={c.call_id: c.call for c in session.calls})


@router.get("/calibration/{session_id}/export.xlsx")
def calibration_export(db: Db, user: Staff, session_id: Id) -> Response:
    """The submitted decisions side by side and the pairwise κ (after one's own submission)."""
    session = _session(db, user, session_id)
    me = member_of(session, user)
    if me is not None and me.submitted_at is None:
        raise Forbidden("提交自己的判定之后才能查看和导出其他人的判定（您无权提前查看）")
    cmp = compare(db, session)
    names = [m.user.display_name for m in cmp.members]
    calls = {c.call_id: c.call.external_id for c in session.calls}
    rows = [[calls[r.call_id], r.rule_id, rule_title(r.rule_id), "引擎判出" if r.engine else "补充漏判", "是" if r.differs else "否",
             *("成立" if r.decisions[m.user_id] else "不成立" for m in cmp.members)] for r in cmp.rows]
    pairs = [[a.user.display_name, b.user.display_name, t.n, _num(t.observed), _num(t.kappa)] for a, b, t in cmp.pairs]
    record(db, user, "export.xlsx", "calibration", session.id, rows=len(rows))
    db.commit()
    body = tables_workbook([("逐通逐条判定", ["通话编号", "规则编号", "规则名称", "来源", "意见不一", *names], rows),
                            ("两两一致性", ["质检员", "质检员", "项数", "一致率", "Cohen's κ"], pairs)])
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote('校准结果.xlsx')}"})


@router.post("/calibration/{session_id}/marks")
async def calibration_marks(request: Request, db: Db, user: Staff, session_id: Id) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    decisions: dict[tuple[int, str], bool] = {}
    for key, value in form.multi_items():
        key, value = str(key), str(value)
        if key.startswith("m:") and value in ("1", "0"):
            call, _, rule = key[2:].partition(":")
            if (cid := int_id(call)) and rule:
                decisions[(cid, rule[:100])] = value == "1"
        elif key.startswith("add:") and value and (cid := int_id(key[4:])):
            decisions[(cid, value[:100])] = True
    submit = form.get("action") == "submit"

    def save() -> Response:
        session = _session(db, user, session_id)
        if member_of(session, user) is None:
            raise Forbidden("您不是这次校准的参加人，无权提交判定")
        try:
            save_marks(db, session, user, decisions, submit, set(rule_catalog()))
        except CalibrationError as exc:
            db.rollback()
            session = _session(db, user, session_id)
            return render(request, "calibration_mark.html", 400, session=session,
                          items=engine_items(db, [c.call_id for c in session.calls]), mine=decisions, catalog=rule_catalog(),
                          rule_title=rule_title, mask=mask_text, error=exc.message)
        db.commit()
        return RedirectResponse(f"/calibration/{session_id}{'' if submit else '?saved=1'}", status_code=303)

    return await run_in_threadpool(save)
