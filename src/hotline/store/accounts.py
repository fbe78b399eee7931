"""Users, teams, argon2 password hashes and server-side login sessions, with the 等保 2.0 basics:
a password policy (length, three character classes, not the username, not one of the last five),
forced change of initial and reset passwords, throttled logins per account and per address, an idle
timeout, and administrators who edit, disable, unlock and reset accounts."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import string
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hotline.store.audit import record
from hotline.store.db import StoreError
from hotline.store.models import AuditEntry, PasswordHistory, Role, Team, User, WebSession, utcnow


def _make_hasher() -> PasswordHasher:
    """argon2id; cost settable by ``HOTLINE_ARGON2_TIME_COST`` / ``HOTLINE_ARGON2_MEMORY_KIB`` for slow machines."""
    time_cost = int(os.environ.get("HOTLINE_ARGON2_TIME_COST") or 3)
    memory_cost = int(os.environ.get("HOTLINE_ARGON2_MEMORY_KIB") or 65536)
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


_hasher = _make_hasher()
MIN_PASSWORD = 10
PASSWORD_CLASSES = 3  # of: lower-case letters, upper-case letters, digits, other characters
PASSWORD_HISTORY = 5
SESSION_HOURS = 12


class AccountError(StoreError):
    """A user or team could not be created or changed."""

    code = "E801"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _classes(password: str) -> int:
    kinds = [any(c.islower() for c in password), any(c.isupper() for c in password), any(c.isdigit() for c in password),
             any(not c.isalnum() and not c.isspace() for c in password)]
    return sum(kinds)


def check_password_rules(password: str, username: str = "") -> None:
    """The policy: at least 10 characters of three kinds, no blanks at either end, not the username."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD} 个字符")
    if password != password.strip() or not password.strip():
        raise AccountError("密码首尾不能是空格")
    if _classes(password) < PASSWORD_CLASSES:
        raise AccountError("密码需包含小写字母、大写字母、数字、符号中的至少三类")
    name = username.strip().lower()
    if name and name in password.lower():
        raise AccountError("密码不能包含用户名")


def generate_password(length: int = 14) -> str:
    """A random password that meets the policy (for demo accounts and administrator resets)."""
    alphabet = string.ascii_letters + string.digits + "-_.!@#"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if _classes(password) >= PASSWORD_CLASSES + 1 and password[0].isalnum():
            return password


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
    must_change: bool = False,
) -> User:
    """Create an account; the username and 工号 must be unused. ``must_change``: an initial password
    the user must replace at the first login (accounts an administrator creates)."""
    username = username.strip()
    if not username:
        raise AccountError("用户名不能为空")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"未知角色：{role}") from None
    if not re.fullmatch(r"[\w.\-@]{1,64}", username):
        raise AccountError("用户名只能包含字母、数字、汉字和 . - _ @，最长 64 个字符")
    check_password_rules(password, username)
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
        must_change_password=must_change,
        password_changed_at=utcnow(),
    )
    db.add(user)
    db.flush()
    db.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    record(db, actor, "user.create", "user", user.id, username=username, role=role.value)
    return user


def _unused_code(db: Session, code: str | None, user_id: int | None) -> str | None:
    code = (code or "").strip() or None
    if code:
        other = db.scalar(select(User).where(User.agent_code == code))
        if other is not None and other.id != user_id:
            raise AccountError(f"工号“{code}”已属于其他用户")
    return code


def update_user(
    db: Session, user: User, *, actor: User, display_name: str, role: str, team_id: int | None, agent_code: str | None,
    lead_id: int | None, active: bool,
) -> list[str]:
    """An administrator edits an account; returns the fields that changed (disabling ends its sessions)."""
    try:
        role_value = Role(role).value
    except ValueError:
        raise AccountError(f"未知角色：{role}") from None
    if user.id == actor.id and (not active or role_value != Role.ADMIN.value):
        raise AccountError("不能停用自己的账号或取消自己的管理员角色")
    if team_id is not None and db.get(Team, team_id) is None:
        raise AccountError("所选团队不存在")
    if lead_id is not None and (lead_id == user.id or db.get(User, lead_id) is None):
        raise AccountError("组长不能是本人，且必须是已有用户")
    values = {"display_name": display_name.strip() or user.username, "role": role_value, "team_id": team_id,
              "agent_code": _unused_code(db, agent_code, user.id), "lead_id": lead_id, "active": active}
    changed = [k for k, v in values.items() if getattr(user, k) != v]
    for key in changed:
        setattr(user, key, values[key])
    if not active:
        db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    if changed:
        record(db, actor, "user.update", "user", user.id, username=user.username, changes=changed)
    db.flush()
    return changed


def reset_password(db: Session, user: User, *, actor: User) -> str:
    """A new random password the user must change at the next login; their sessions end."""
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.password_changed_at = utcnow()
    db.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    record(db, actor, "user.reset", "user", user.id, username=user.username)
    unlock(db, user, actor=actor)
    return password


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


LOCKOUT_FAILURES = 5  # failures of one account from one address
ADDRESS_FAILURES = 20  # failures from one address, whatever the accounts
ACCOUNT_FAILURES = 30  # failures of one account from any address (a spread-out attack)
LOCKOUT_MINUTES = 15


def _since_unlock(db: Session, username: str, since: datetime) -> datetime:
    """Failures before an administrator's unlock no longer count."""
    unlocked = db.scalar(select(func.max(AuditEntry.at)).where(
        AuditEntry.action == "user.unlock", AuditEntry.target_type == "username", AuditEntry.target_id == username))
    return max(since, unlocked) if unlocked else since


def recent_failures(db: Session, username: str, ip: str | None = None, minutes: int = LOCKOUT_MINUTES) -> int:
    """Failed logins for ``username`` (from ``ip`` when given) in the last ``minutes``, since any unlock."""
    username = username.strip()[:64]
    since = _since_unlock(db, username, utcnow() - timedelta(minutes=minutes))
    query = select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "auth.failed", AuditEntry.target_id == username, AuditEntry.at >= since)
    if ip is not None:
        query = query.where(AuditEntry.ip == ip[:45])
    return db.scalar(query) or 0


def address_failures(db: Session, ip: str, minutes: int = LOCKOUT_MINUTES) -> int:
    since = utcnow() - timedelta(minutes=minutes)
    query = select(func.count(AuditEntry.id)).where(AuditEntry.action == "auth.failed", AuditEntry.ip == ip[:45],
                                                    AuditEntry.at >= since)
    return db.scalar(query) or 0


def login_block(db: Session, username: str, ip: str = "") -> str:
    """Why a login attempt is refused before the password is even checked ("" when it is not)."""
    if ip and address_failures(db, ip) >= ADDRESS_FAILURES:
        return f"该地址登录失败次数过多，请 {LOCKOUT_MINUTES} 分钟后再试"
    if recent_failures(db, username, ip) >= LOCKOUT_FAILURES or recent_failures(db, username) >= ACCOUNT_FAILURES:
        return f"该账号登录失败次数过多，已暂时锁定：请 {LOCKOUT_MINUTES} 分钟后再试，或请管理员在“用户管理”中解除锁定"
    return ""


def login_locked(db: Session, username: str, ip: str = "") -> bool:
    return bool(login_block(db, username, ip))


def is_locked(db: Session, username: str) -> bool:
    """Whether the account is locked from some address (for the administrator's list)."""
    username = username.strip()[:64]
    since = _since_unlock(db, username, utcnow() - timedelta(minutes=LOCKOUT_MINUTES))
    query = (select(AuditEntry.ip, func.count(AuditEntry.id)).where(
        AuditEntry.action == "auth.failed", AuditEntry.target_id == username, AuditEntry.at >= since).group_by(AuditEntry.ip))
    counts = [n for _, n in db.execute(query)]
    return any(n >= LOCKOUT_FAILURES for n in counts) or sum(counts) >= ACCOUNT_FAILURES


def unlock(db: Session, user: User, *, actor: User) -> None:
    record(db, actor, "user.unlock", "username", user.username)


def record_failure(db: Session, username: str) -> None:
    record(db, None, "auth.failed", "username", username.strip()[:64])


def change_password(db: Session, user: User, old: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise AccountError("原密码不正确") from None
    set_password(db, user, new, actor=user)


def _reused(db: Session, user: User, password: str) -> bool:
    recent = db.scalars(select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
                        .order_by(PasswordHistory.id.desc()).limit(PASSWORD_HISTORY))
    for digest in [user.password_hash, *recent]:
        try:
            if _hasher.verify(digest, password):
                return True
        except (VerificationError, InvalidHashError):
            continue
    return False


def set_password(db: Session, user: User, new: str, *, actor: User | None) -> None:
    """Set a new password (the policy, not one of the last five) and end the user's sessions."""
    check_password_rules(new, user.username)
    if _reused(db, user, new):
        raise AccountError(f"新密码不能与最近 {PASSWORD_HISTORY} 次使用过的密码相同")
    user.password_hash = hash_password(new)
    user.must_change_password = actor is None or actor.id != user.id  # a password someone else set is temporary
    user.password_changed_at = utcnow()
    db.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    record(db, actor, "user.password", "user", user.id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: Session, user: User, hours: int = SESSION_HOURS, *, ip: str = "", user_agent: str = "") -> tuple[str, WebSession]:
    """A new login session; returns the cookie token (only its hash is stored)."""
    db.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))  # tidy up old logins
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=_digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(hours=hours),
        last_seen_at=utcnow(),
        ip=ip[:45],
        user_agent=user_agent[:200],
    )
    db.add(row)
    db.flush()
    record(db, user, "auth.login", "user", user.id)
    return token, row


TOUCH_SECONDS = 60  # the last-seen time is written at most once a minute per session


def find_session(db: Session, token: str | None, idle_minutes: int = 0) -> tuple[WebSession, User] | str | None:
    """The live session and its active user for a cookie token; ``"idle"`` when it timed out unused."""
    if not token:
        return None
    row = db.scalar(select(WebSession).where(WebSession.token_hash == _digest(token)))
    now = utcnow()
    if row is None or row.expires_at < now:
        return None
    seen = row.last_seen_at or row.created_at
    if idle_minutes and seen < now - timedelta(minutes=idle_minutes):
        user = db.get(User, row.user_id)
        db.delete(row)
        record(db, user, "auth.idle", "user", row.user_id)
        db.commit()
        return "idle"
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if (now - seen).total_seconds() > TOUCH_SECONDS:
        row.last_seen_at = now
    return row, user


def close_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def sessions_of(db: Session, user_id: int | None = None) -> list[WebSession]:
    """Live sessions (of one user, or everyone's), newest first."""
    query = select(WebSession).where(WebSession.expires_at >= utcnow())
    if user_id is not None:
        query = query.where(WebSession.user_id == user_id)
    return list(db.scalars(query.order_by(WebSession.id.desc())))


def revoke_session(db: Session, session_id: int, *, actor: User) -> WebSession:
    """End a session: one's own, or anyone's for an administrator."""
    row = db.get(WebSession, session_id)
    if row is None or (row.user_id != actor.id and actor.role != Role.ADMIN.value):
        raise AccountError("找不到该会话")
    db.delete(row)
    record(db, actor, "session.revoke", "session", session_id, username=_name(db, row.user_id))
    db.flush()
    return row


def _name(db: Session, user_id: int) -> str:
    user = db.get(User, user_id)
    return user.username if user else ""
