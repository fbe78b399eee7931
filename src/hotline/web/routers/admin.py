"""管理: users, teams and the audit log (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from hotline.store.accounts import AccountError, create_team, create_user
from hotline.store.audit import ACTION_LABELS, entries
from hotline.store.models import Role, Team, User
from hotline.web.deps import Admin, Db, check_csrf
from hotline.web.render import render

router = APIRouter(prefix="/admin", tags=["管理"], dependencies=[Depends(check_csrf)])


def _page(request: Request, db: Db, status: int = 200, error: str = "") -> Response:
    users = db.scalars(select(User).order_by(User.id)).all()
    teams = db.scalars(select(Team).order_by(Team.name)).all()
    return render(request, "admin_users.html", status, users=users, teams=teams, roles=list(Role), error=error)


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
            db, username, password, role, display_name=display_name, team_id=int(team_id) if team_id else None,
            agent_code=agent_code, lead_id=int(lead_id) if lead_id else None, actor=user,
        )
    except AccountError as exc:
        db.rollback()
        return _page(request, db, 400, exc.message)
    db.commit()
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/teams")
def add_team(request: Request, db: Db, user: Admin, name: Annotated[str, Form()]) -> Response:
    try:
        create_team(db, name, actor=user)
    except AccountError as exc:
        db.rollback()
        return _page(request, db, 400, exc.message)
    db.commit()
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/audit")
def audit_page(request: Request, db: Db, user: Admin, action: str = "") -> Response:
    names = {u.id: u.display_name for u in db.scalars(select(User))}
    return render(request, "audit.html", entries=entries(db, action or None), names=names, labels=ACTION_LABELS, action=action)
