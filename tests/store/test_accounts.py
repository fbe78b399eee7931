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
from hotline.store.audit import search
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
            change_password(db, user, "bad-old-pass", "New-long-pass")
        change_password(db, user, "long-enough-1", "New-long-pass")
        db.commit()
        assert find_session(db, token) is None
        assert authenticate(db, "wang", "New-long-pass") is not None
        assert [e.action for e in search(db, action="user.password")[0]] == ["user.password"]


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


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1", "至少需要 10"),
        ("12345678901", "至少三类"),
        ("          ", "首尾不能是空格"),
        (" Long-enough-1", "首尾不能是空格"),
        ("alllowercase-", "至少三类"),
        ("Zhang-2026-pass", "用户名"),
        ("ZHANG2026xx!", "用户名"),
    ],
)
def test_password_policy(factory, password, message):
    with factory() as db, pytest.raises(AccountError, match=message):
        create_user(db, "zhang", password, Role.TRAINEE)


@pytest.mark.parametrize("password", ["Long-enough-1", "abcDEF123456", "密码Abc-12345"])
def test_passwords_that_meet_the_policy(factory, password):
    with factory() as db:
        assert create_user(db, "zhang", password, Role.TRAINEE).id


def test_generated_passwords_meet_the_policy():
    from hotline.store.accounts import check_password_rules, generate_password

    for _ in range(200):
        check_password_rules(generate_password(), "admin")


def test_the_last_five_passwords_cannot_be_reused(factory):
    with factory() as db:
        user = create_user(db, "wu", "Pass-word-0", Role.TRAINER)
        with pytest.raises(AccountError, match="最近 5 次"):
            change_password(db, user, "Pass-word-0", "Pass-word-0")
        for i in range(1, 6):
            change_password(db, user, f"Pass-word-{i - 1}", f"Pass-word-{i}")
        with pytest.raises(AccountError, match="最近 5 次"):
            change_password(db, user, "Pass-word-5", "Pass-word-2")
        change_password(db, user, "Pass-word-5", "Pass-word-0")  # six changes ago: allowed again
        assert not user.must_change_password


def test_admin_reset_forces_a_change_and_unlocks(factory):
    from hotline.store.accounts import login_block, record_failure, reset_password
    from hotline.store.audit import client_ip

    with factory() as db:
        admin = create_user(db, "root", "Admin-pass-1", Role.ADMIN)
        user = create_user(db, "chen", "Secret-pass-01", Role.TRAINEE)
        token, _ = open_session(db, user)
        client_ip.set("10.0.0.9")
        for _ in range(5):
            record_failure(db, "chen")
        db.commit()
        assert "锁定" in login_block(db, "chen", "10.0.0.9")
        assert login_block(db, "chen", "10.0.0.10") == ""  # another address is not locked out
        temporary = reset_password(db, user, actor=admin)
        db.commit()
        assert user.must_change_password and find_session(db, token) is None
        assert authenticate(db, "chen", temporary) is not None
        assert login_block(db, "chen", "10.0.0.9") == ""
        client_ip.set("")


def test_one_address_failing_on_many_accounts_is_throttled(factory):
    from hotline.store.accounts import ADDRESS_FAILURES, login_block, record_failure
    from hotline.store.audit import client_ip

    with factory() as db:
        client_ip.set("10.0.0.7")
        for i in range(ADDRESS_FAILURES):
            record_failure(db, f"guess{i}")
        db.commit()
        assert "该地址" in login_block(db, "admin", "10.0.0.7")
        assert login_block(db, "admin", "10.0.0.8") == ""
        client_ip.set("")


def test_idle_sessions_end(factory):
    from datetime import timedelta

    from hotline.store.models import utcnow

    with factory() as db:
        user = create_user(db, "zhou", "Secret-pass-03", Role.TRAINEE)
        token, row = open_session(db, user)
        db.commit()
        assert find_session(db, token, idle_minutes=30) not in (None, "idle")
        row.last_seen_at = utcnow() - timedelta(minutes=31)
        db.commit()
        assert find_session(db, token, idle_minutes=30) == "idle"
        assert find_session(db, token, idle_minutes=30) is None  # and it is gone


def test_admin_edits_disables_and_cannot_lock_themselves_out(factory):
    from hotline.store.accounts import update_user

    with factory() as db:
        admin = create_user(db, "root", "Admin-pass-1", Role.ADMIN)
        user = create_user(db, "sun", "Secret-pass-02", Role.TRAINEE)
        token, _ = open_session(db, user)
        changed = update_user(db, user, actor=admin, display_name="孙", role="inspector", team_id=None, agent_code="5005",
                              lead_id=None, active=False)
        db.commit()
        assert set(changed) == {"display_name", "role", "agent_code", "active"}
        assert find_session(db, token) is None and authenticate(db, "sun", "Secret-pass-02") is None
        with pytest.raises(AccountError, match="自己"):
            update_user(db, admin, actor=admin, display_name="", role="trainee", team_id=None, agent_code="", lead_id=None,
                        active=True)
