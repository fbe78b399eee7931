"""登录、退出、修改密码、我的会话."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from hotline.store.accounts import (
    AccountError,
    authenticate,
    change_password,
    close_session,
    login_block,
    open_session,
    record_failure,
    revoke_session,
    sessions_of,
)
from hotline.store.audit import client_ip, record
from hotline.store.models import Role
from hotline.web.deps import LOGIN_CSRF_COOKIE, SESSION_COOKIE, CurrentUser, Db, Id, check_csrf
from hotline.web.render import render

router = APIRouter(tags=["登录"], dependencies=[Depends(check_csrf)])


def home_for(role: str) -> str:
    return "/calls" if role == Role.TRAINEE.value else "/overview"


def _safe_next(target: str | None) -> str | None:
    ok = target and target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if ok else None


@router.get("/")
def home(user: CurrentUser) -> RedirectResponse:
    return RedirectResponse(home_for(user.role), status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None, changed: int = 0, expired: int = 0, error: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    notice = "密码已修改，请用新密码重新登录。" if changed else ("长时间未操作，已自动退出，请重新登录。" if expired else "")
    response = render(request, "login.html", login_csrf=token, next=_safe_next(next) or "", error=error, notice=notice)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=request.app.state.settings.secure_cookies)
    return response


@router.post("/login")
def login(
    request: Request, db: Db, username: Annotated[str, Form()], password: Annotated[str, Form()], next: Annotated[str, Form()] = ""
) -> Response:
    blocked = login_block(db, username, client_ip.get())
    if blocked:
        record(db, None, "auth.blocked", "username", username.strip()[:64])
        db.commit()
        return login_form(request, next, error=blocked)
    user = authenticate(db, username, password)
    if user is None:
        record_failure(db, username)
        db.commit()
        return login_form(request, next, error="用户名或密码不正确")  # 200: the form again, with the reason
    token, _ = open_session(db, user, request.app.state.settings.session_hours, ip=client_ip.get(),
                            user_agent=request.headers.get("user-agent", ""))
    db.commit()
    target = "/password?required=1" if user.must_change_password else _safe_next(next) or home_for(user.role)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=request.app.state.settings.secure_cookies,
        max_age=request.app.state.settings.session_hours * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, db: Db, user: CurrentUser) -> Response:
    close_session(db, request.cookies.get(SESSION_COOKIE))
    record(db, user, "auth.logout", "user", user.id)
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/password")
def password_form(request: Request, user: CurrentUser, required: int = 0) -> Response:
    return render(request, "password.html", required=bool(required or user.must_change_password))


@router.post("/password")
def password_change(
    request: Request, db: Db, user: CurrentUser,
    old: Annotated[str, Form()], new: Annotated[str, Form()], repeat: Annotated[str, Form()],
) -> Response:
    required = user.must_change_password
    if new != repeat:
        return render(request, "password.html", 400, error="两次输入的新密码不一致", required=required)
    try:
        change_password(db, user, old, new)
    except AccountError as exc:
        db.rollback()
        return render(request, "password.html", 400, error=exc.message, required=required)
    db.commit()
    response = RedirectResponse("/login?changed=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/sessions")
def sessions_page(request: Request, db: Db, user: CurrentUser) -> Response:
    current = request.state.auth[0].id
    return render(request, "sessions.html", sessions=sessions_of(db, user.id), current=current)


@router.post("/sessions/{session_id}/revoke")
def revoke(request: Request, db: Db, user: CurrentUser, session_id: Id) -> Response:
    revoke_session(db, session_id, actor=user)
    db.commit()
    if session_id == request.state.auth[0].id:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response
    return RedirectResponse("/sessions", status_code=303)
