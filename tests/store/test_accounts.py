from __future__ import annotations

import pytest

from hotline.store.accounts import (
    AccountError,
    authenticate,
    change_password,
    close_session,
    create_team,
    create_user,
    find_session,
    open_session,
)
from hotline.store.audit import entries
from hotline.store.models import Role


def test_password_is_hashed_and_checked(factory):
    with factory() as db:
        user = create_user(db, "zhang", "secret-pass-1", Role.INSPECTOR, display_name="张质检")
        db.commit()
        assert user.password_hash.startswith("$argon2")
        assert "secret-pass-1" not in user.password_hash
        assert authenticate(db, "zhang", "secret-pass-1").id == user.id
        assert authenticate(db, "zhang", "wrong-pass-1") is None
        assert authenticate(db, "nobody", "secret-pass-1") is None


@pytest.mark.parametrize(
    ("username", "password", "role", "code", "message"),
    [
        ("", "long-enough-1", "trainee", None, "用户名不能为空"),
        ("a", "short", "trainee", None, "至少需要"),
        ("a", "long-enough-1", "boss", None, "未知角色"),
        ("dup", "long-enough-1", "trainee", None, "已被使用"),
        ("b", "long-enough-1", "trainee", "7001", "工号"),
    ],
)
def test_bad_accounts_are_refused(factory, username, password, role, code, message):
    with factory() as db:
        create_user(db, "dup", "long-enough-1", Role.TRAINEE, agent_code="7001")
        with pytest.raises(AccountError, match=message):
            create_user(db, username, password, role, agent_code=code)


def test_duplicate_team_is_refused(factory):
    with factory() as db:
        create_team(db, "一班")
        with pytest.raises(AccountError, match="已存在"):
            create_team(db, " 一班 ")


def test_sessions_open_find_close(factory):
    with factory() as db:
        user = create_user(db, "li", "long-enough-1", Role.TRAINEE)
        token, row = open_session(db, user)
        db.commit()
        found = find_session(db, token)
        assert found is not None and found[1].id == user.id and found[0].csrf_token == row.csrf_token
        assert find_session(db, token + "x") is None
        close_session(db, token)
        db.commit()
        assert find_session(db, token) is None


def test_password_change_ends_sessions_and_is_audited(factory):
    with factory() as db:
        user = create_user(db, "wang", "long-enough-1", Role.TRAINER)
        token, _ = open_session(db, user)
        with pytest.raises(AccountError, match="原密码"):
            change_password(db, user, "bad-old-pass", "new-long-pass")
        change_password(db, user, "long-enough-1", "new-long-pass")
        db.commit()
        assert find_session(db, token) is None
        assert authenticate(db, "wang", "new-long-pass") is not None
        assert [e.action for e in entries(db, "user.password")] == ["user.password"]


def test_expired_sessions_are_refused_and_tidied(factory):
    from sqlalchemy import func, select

    from hotline.store.models import WebSession

    with factory() as db:
        user = create_user(db, "old", "long-enough-1", Role.TRAINEE)
        token, row = open_session(db, user, hours=-1)
        db.commit()
        assert find_session(db, token) is None
        open_session(db, user)
        db.commit()
        assert db.scalar(select(func.count()).select_from(WebSession)) == 1
