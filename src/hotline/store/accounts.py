"""Users, teams, argon2 password hashes and server-side login sessions."""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hotline.store.audit import record
from hotline.store.db import StoreError
from hotline.store.models import AuditEntry, Role, Team, User, WebSession, utcnow


def _make_hasher() -> PasswordHasher:
    """argon2id; cost settable by ``HOTLINE_ARGON2_TIME_COST`` / ``HOTLINE_ARGON2_MEMORY_KIB`` for slow machines."""
    time_cost = int(os.environ.get("HOTLINE_ARGON2_TIME_COST") or 3)
    memory_cost = int(os.environ.get("HOTLINE_ARGON2_MEMORY_KIB") or 65536)
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


_hasher = _make_hasher()
MIN_PASSWORD = 8
SESSION_HOURS = 12


class AccountError(StoreError):
    """A user or team could not be created or changed."""

    code = "E801"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD} 个字符")


def create_team(db: Session, name: str, *, actor: User | None = None) -> Team:
    name = name.strip()
    if not name:
        raise AccountError("团队名称不能为空")
    if db.scalar(select(Team).where(Team.name == name)):
        raise AccountError(f"团队“{name}”已存在")
    team = Team(name=name)
    db.add(team)
    db.flush()
    record(db, actor, "team.create", "team", team.id, name=name)
    return team


def create_user(
    db: Session,
    username: str,
    password: str,
    role: Role | str,
    *,
    display_name: str = "",
    team_id: int | None = None,
    agent_code: str | None = None,
    lead_id: int | None = None,
    actor: User | None = None,
) -> User:
    """Create an account; the username and 工号 must be unused."""
    username = username.strip()
    if not username:
        raise AccountError("用户名不能为空")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"未知角色：{role}") from None
    check_password_rules(password)
    if db.scalar(select(User).where(User.username == username)):
        raise AccountError(f"用户名“{username}”已被使用")
    agent_code = (agent_code or "").strip() or None
    if agent_code and db.scalar(select(User).where(User.agent_code == agent_code)):
        raise AccountError(f"工号“{agent_code}”已属于其他用户")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password),
        role=role.value,
        team_id=team_id,
        agent_code=agent_code,
        lead_id=lead_id,
    )
    db.add(user)
    db.flush()
    record(db, actor, "user.create", "user", user.id, username=username, role=role.value)
    return user


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None."""
    user = db.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        _hasher.hash(password)  # same work whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15


def recent_failures(db: Session, username: str, minutes: int = LOCKOUT_MINUTES) -> int:
    """Failed logins for ``username`` in the last ``minutes`` (from the audit log)."""
    since = utcnow() - timedelta(minutes=minutes)
    query = select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "auth.failed", AuditEntry.target_id == username.strip(), AuditEntry.at >= since
    )
    return db.scalar(query) or 0


def login_locked(db: Session, username: str) -> bool:
    return recent_failures(db, username) >= LOCKOUT_FAILURES


def record_failure(db: Session, username: str) -> None:
    record(db, None, "auth.failed", "username", username.strip()[:64])


def change_password(db: Session, user: User, old: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise AccountError("原密码不正确") from None
    set_password(db, user, new, actor=user)


def set_password(db: Session, user: User, new: str, *, actor: User | None) -> None:
    """Set a new password and end the user's other sessions."""
    check_password_rules(new)
    user.password_hash = hash_password(new)
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    record(db, actor, "user.password", "user", user.id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: Session, user: User, hours: int = SESSION_HOURS) -> tuple[str, WebSession]:
    """A new login session; returns the cookie token (only its hash is stored)."""
    db.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))  # tidy up old logins
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=_digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.add(row)
    db.flush()
    record(db, user, "auth.login", "user", user.id)
    return token, row


def find_session(db: Session, token: str | None) -> tuple[WebSession, User] | None:
    """The live session and its active user for a cookie token."""
    if not token:
        return None
    row = db.scalar(select(WebSession).where(WebSession.token_hash == _digest(token)))
    if row is None or row.expires_at < utcnow():
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return row, user


def close_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))
