"""Request dependencies: the database session, the logged-in user, role guards and CSRF."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from hotline.store.accounts import find_session
from hotline.store.models import Call, Role, User, WebSession

SESSION_COOKIE = "hotline_session"
LOGIN_CSRF_COOKIE = "hotline_login_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MAX_ID = 2**31 - 1  # the largest id a database row can have (PostgreSQL integer); larger ones are a 404
# Record ids in paths: anything that is not a positive integer within range is "not found" (never a 500).
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]
# Pages a user who must change their password can still open.
PASSWORD_PATHS = {"/password", "/logout", "/login"}


def int_id(value: str | None) -> int | None:
    """A form or query field holding a record id: the id, or None when it is empty, not a number or
    out of range (so a bad value can never reach the database as an overflowing integer)."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


class LoginRequired(Exception):
    """No valid session: the page sends the browser to the login form."""

    def __init__(self, expired: bool = False):
        super().__init__()
        self.expired = expired


class PasswordChangeRequired(Exception):
    """An initial or reset password: nothing but the password form until it is changed."""


class Forbidden(Exception):
    def __init__(self, message: str = "您的角色无权访问此页面"):
        super().__init__(message)
        self.message = message


class NotFound(Exception):
    def __init__(self, message: str = "找不到该页面"):
        super().__init__(message)
        self.message = message


class CsrfFailed(Exception):
    """A form came without the right CSRF token."""


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.factory() as db:
        yield db


Db = Annotated[Session, Depends(get_db)]


def _session(request: Request, db: Session) -> tuple[WebSession, User] | None:
    if not hasattr(request.state, "auth"):
        idle = request.app.state.settings.idle_minutes
        found = find_session(db, request.cookies.get(SESSION_COOKIE), idle_minutes=idle)
        request.state.auth = found if found and not isinstance(found, str) else None
        request.state.auth_expired = found == "idle"
        if request.state.auth is not None and db.dirty:
            db.commit()  # the session's last-seen time (for the idle timeout), written at most once a minute
    return request.state.auth


def current_user(request: Request, db: Db) -> User:
    found = _session(request, db)
    if found is None:
        raise LoginRequired(expired=getattr(request.state, "auth_expired", False))
    user = found[1]
    if user.must_change_password and request.url.path not in PASSWORD_PATHS:
        raise PasswordChangeRequired
    if user.role == Role.TRAINEE.value and request.method == "GET":  # the header's notice of decided appeals
        from hotline.store.reviews import unseen_decisions

        request.state.appeal_notices = unseen_decisions(db, user.id)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only ``roles`` through (403 for the others)."""
    allowed = {r.value for r in roles}

    def guard(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden
        return user

    return guard


Inspector = Annotated[User, Depends(require(Role.INSPECTOR, Role.ADMIN))]
Staff = Annotated[User, Depends(require(Role.INSPECTOR, Role.TRAINER, Role.ADMIN))]
Admin = Annotated[User, Depends(require(Role.ADMIN))]
Trainee = Annotated[User, Depends(require(Role.TRAINEE))]
Trainer = Annotated[User, Depends(require(Role.TRAINER, Role.ADMIN))]


async def _submitted_token(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    ctype = request.headers.get("content-type", "")
    if "form" in ctype:
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request, db: Db) -> None:
    """Every unsafe request of a logged-in user must carry the session's CSRF token (the login form
    a cookie's). Without a session there is nothing to forge: the route's login guard sends the
    browser to the login form (every unsafe route but /login requires a login)."""
    if request.method not in UNSAFE:
        return
    submitted = await _submitted_token(request)
    if request.url.path == "/login":
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    else:
        # the session lookup queries the database: off the event loop, which must never wait for a connection
        found = await run_in_threadpool(_session, request, db)
        if found is None:
            return
        expected = found[0].csrf_token
    if not expected or not submitted or not secrets.compare_digest(submitted, expected):
        raise CsrfFailed


def allow_unmask(db: Session, user: User, action: str, call: Call) -> None:
    """A role that may see a call's citizen details unmasked, with the view written to the audit log
    (``action``: call.view_unmasked, order.view_unmasked …); any other role is refused."""
    from hotline.masking import may_unmask
    from hotline.store.audit import record

    if not may_unmask(user.role):
        raise Forbidden("您的角色无权查看未脱敏信息")
    record(db, user, action, "call", call.id, external_id=call.external_id)
    db.commit()
