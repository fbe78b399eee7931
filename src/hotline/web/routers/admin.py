"""管理: users (create, edit, disable, role, password reset, unlock), their sessions, teams, and the
audit log with filters, paging and Excel export (admins only)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from hotline.store.accounts import (
    AccountError,
    create_team,
    create_user,
    is_locked,
    reset_password,
    revoke_session,
    sessions_of,
    unlock,
    update_user,
)
from hotline.store.audit import ACTION_LABELS, describe, record, search, target_label
from hotline.store.models import Role, Team, User
from hotline.web.deps import Admin, Db, Id, NotFound, PageNo, check_csrf, int_id
from hotline.web.render import render
from hotline.web.timefmt import beijing_day_start_utc, bj

router = APIRouter(prefix="/admin", tags=["管理"], dependencies=[Depends(check_csrf)])


def _page(request: Request, db: Db, status: int = 200, error: str = "", notice: str = "") -> Response:
    users = db.scalars(select(User).order_by(User.id)).all()
    teams = db.scalars(select(Team).order_by(Team.name)).all()
    locked = {u.id for u in users if is_locked(db, u.username)}
    return render(request, "admin_users.html", status, users=users, teams=teams, roles=list(Role), error=error,
                  notice=notice, locked=locked)


@router.get("/users")
def users_page(request: Request, db: Db, user: Admin) -> Response:
    return _page(request, db)


@router.post("/users")
def add_user(
    request: Request, db: Db, user: Admin,
    username: Annotated[str, Form()], password: Annotated[str, Form()], role: Annotated[str, Form()],
    display_name: Annotated[str, Form()] = "", team_id: Annotated[str, Form()] = "",
    agent_code: Annotated[str, Form()] = "", lead_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        create_user(
            db, username, password, role, display_name=display_name, team_id=int_id(team_id),
            agent_code=agent_code, lead_id=int_id(lead_id), actor=user, must_change=True,
        )
    except AccountError as exc:
        db.rollback()
        return _page(request, db, 400, exc.message)
    db.commit()
    return RedirectResponse("/admin/users", status_code=303)


def _user(db: Db, user_id: int) -> User:
    found = db.get(User, user_id)
    if found is None:
        raise NotFound("找不到该用户")
    return found


def _editor(request: Request, db: Db, target: User, status: int = 200, error: str = "", password: str = "") -> Response:
    users = db.scalars(select(User).order_by(User.id)).all()
    teams = db.scalars(select(Team).order_by(Team.name)).all()
    return render(request, "admin_user.html", status, target=target, users=users, teams=teams, roles=list(Role),
                  sessions=sessions_of(db, target.id), locked=is_locked(db, target.username), error=error, password=password)


@router.get("/users/{user_id}")
def edit_page(request: Request, db: Db, user: Admin, user_id: Id) -> Response:
    return _editor(request, db, _user(db, user_id))


@router.post("/users/{user_id}")
def edit_user(
    request: Request, db: Db, user: Admin, user_id: Id, role: Annotated[str, Form()],
    display_name: Annotated[str, Form()] = "", team_id: Annotated[str, Form()] = "", agent_code: Annotated[str, Form()] = "",
    lead_id: Annotated[str, Form()] = "", active: Annotated[str, Form()] = "",
) -> Response:
    target = _user(db, user_id)
    try:
        update_user(db, target, actor=user, display_name=display_name, role=role, team_id=int_id(team_id),
                    agent_code=agent_code, lead_id=int_id(lead_id), active=bool(active))
    except AccountError as exc:
        db.rollback()
        return _editor(request, db, _user(db, user_id), 400, exc.message)
    db.commit()
    return RedirectResponse(f"/admin/users/{user_id}?saved=1", status_code=303)


@router.post("/users/{user_id}/reset")
def reset(request: Request, db: Db, user: Admin, user_id: Id) -> Response:
    """A new temporary password, shown once to the administrator; the user must change it at login."""
    target = _user(db, user_id)
    password = reset_password(db, target, actor=user)
    db.commit()
    return _editor(request, db, target, password=password)


@router.post("/users/{user_id}/unlock")
def unlock_user(db: Db, user: Admin, user_id: Id) -> Response:
    unlock(db, _user(db, user_id), actor=user)
    db.commit()
    return RedirectResponse(f"/admin/users/{user_id}?unlocked=1", status_code=303)


@router.post("/sessions/{session_id}/revoke")
def revoke(db: Db, user: Admin, session_id: Id) -> Response:
    row = revoke_session(db, session_id, actor=user)
    db.commit()
    return RedirectResponse(f"/admin/users/{row.user_id}", status_code=303)


@router.post("/teams")
def add_team(request: Request, db: Db, user: Admin, name: Annotated[str, Form()]) -> Response:
    try:
        create_team(db, name, actor=user)
    except AccountError as exc:
        db.rollback()
        return _page(request, db, 400, exc.message)
    db.commit()
    return RedirectResponse("/admin/users", status_code=303)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _audit_query(db: Db, user_id: str, action: str, date_from: str, date_to: str, page: int, page_size: int | None):  # noqa: ANN202
    start, end = _day(date_from), _day(date_to)
    return search(
        db, user_id=int_id(user_id), action=action if action in ACTION_LABELS else "",
        since=beijing_day_start_utc(start) if start else None,
        until=beijing_day_start_utc(end + timedelta(days=1)) if end else None, page=page, page_size=page_size,
    )


@router.get("/audit")
def audit_page(
    request: Request, db: Db, user: Admin, user_id: str = "", action: str = "", date_from: str = "", date_to: str = "",
    page: PageNo = 1,
) -> Response:
    from hotline.store.audit import AUDIT_PAGE
    from hotline.web.routers.calls import _without_page

    rows, total = _audit_query(db, user_id, action, date_from, date_to, page, AUDIT_PAGE)
    users = db.scalars(select(User).order_by(User.id)).all()
    return render(request, "audit.html", entries=rows, total=total, names={u.id: u.display_name for u in users}, users=users,
                  labels=ACTION_LABELS, action=action, user_id=user_id, date_from=date_from, date_to=date_to, page=page,
                  pages=max(1, -(-total // AUDIT_PAGE)), describe=describe, target_label=target_label,
                  query=request.url.query, page_query=_without_page(request))


@router.get("/audit/export.xlsx")
def audit_export(db: Db, user: Admin, user_id: str = "", action: str = "", date_from: str = "", date_to: str = "") -> Response:
    from urllib.parse import quote

    from hotline.web.export import XLSX, tables_workbook

    rows, _ = _audit_query(db, user_id, action, date_from, date_to, 1, None)
    names = {u.id: f"{u.display_name}（{u.username}）" for u in db.scalars(select(User))}
    table = [[bj(e.at, "%Y-%m-%d %H:%M:%S"), names.get(e.user_id, "—") if e.user_id else "—", ACTION_LABELS.get(e.action, e.action),
              target_label(e), e.ip, describe(e)] for e in rows]
    body = tables_workbook([("审计日志", ["时间（北京时间）", "用户", "操作", "对象", "地址", "详情"], table)])
    record(db, user, "audit.export", "audit", "", rows=len(table))
    db.commit()
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote('审计日志.xlsx')}"})


def _triage_page(request: Request, db: Db, status: int = 200, error: str = "", form: dict | None = None,
                 changed: int | None = None) -> Response:
    from sqlalchemy import func

    from hotline.store.models import AppSetting, Scorecard
    from hotline.store.triage import FIELDS, SETTING_KEY, effective_settings, level_labels

    current = effective_settings(db).model_dump()
    values = {k: (form or {}).get(k, current[k]) for k in FIELDS}
    if form is not None:
        values["sample_below_pass_mark"] = form.get("sample_below_pass_mark") in ("1", "on", "true")
    row = db.scalar(select(AppSetting).where(AppSetting.key == SETTING_KEY))
    latest = select(func.max(Scorecard.id)).group_by(Scorecard.call_id)
    counts = dict(db.execute(select(func.coalesce(Scorecard.review_level, ""), func.count()).where(Scorecard.id.in_(latest))
                             .group_by(Scorecard.review_level)).all())
    return render(request, "admin_triage.html", status, fields=FIELDS, values=values, error=error, row=row,
                  editor=db.get(User, row.updated_by) if row and row.updated_by else None, counts=counts,
                  labels=level_labels(), changed=changed, bj=bj)


@router.get("/triage")
def triage_page(request: Request, db: Db, user: Admin) -> Response:
    return _triage_page(request, db)


@router.post("/triage")
async def save_triage(request: Request, db: Db, user: Admin) -> Response:
    """New thresholds: kept, audited, and every call triaged again with them."""
    from starlette.concurrency import run_in_threadpool

    from hotline.store.triage import FIELDS, TriageSettingsError, parse_settings, save_settings

    form = {k: str(v) for k, v in (await request.form()).items() if k in FIELDS}

    def save() -> Response:
        try:
            changed = save_settings(db, parse_settings(form), user)
        except TriageSettingsError as exc:
            db.rollback()
            return _triage_page(request, db, 400, exc.message, form)
        db.commit()
        return RedirectResponse(f"/admin/triage?changed={changed}", status_code=303)

    return await run_in_threadpool(save)
