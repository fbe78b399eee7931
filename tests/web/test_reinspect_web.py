"""重新质检 from the rulebook page: the administrator's form (POST with CSRF), the run in the background,
its page, one run at a time, a restart that interrupts it, and the call page that keeps the reviews
whose finding the new result no longer has."""

from __future__ import annotations

from sqlalchemy import select
from web_helpers import login, settings_for

from hotline.store.models import AuditEntry, FindingRow, Scorecard, User
from hotline.store.reinspect import ACTION
from hotline.store.rulebooks import save_override


def _save_override(client, seed, version: str = "网页重检-1") -> str:
    """A saved version without the rule of the appealed finding; its rule id."""
    with client.app.state.factory() as db:
        rule = db.scalar(select(FindingRow.rule_id).where(FindingRow.id == db.scalar(
            select(FindingRow.id).join(FindingRow.appeal).where(FindingRow.scorecard_id.in_(
                select(Scorecard.id).where(Scorecard.call_id == seed.own_call))))))
        admin = db.scalar(select(User).where(User.username == "admin"))
        save_override(db, f'extends: default\nversion: "{version}"\ndisable: [{rule}]\n', admin)
        db.commit()
    return rule


def _entries(client) -> list[AuditEntry]:
    with client.app.state.factory() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == ACTION).order_by(AuditEntry.id)))


def test_admin_sees_the_form_and_the_counts_others_do_not(client, seed):
    _save_override(client, seed)
    login(client, "admin")
    page = client.get("/rulebook").text
    assert 'id="reinspect-form"' in page and 'data-scope="outdated">2<' in page
    client.cookies.clear()
    login(client, "lead")
    assert 'id="reinspect-form"' not in client.get("/rulebook").text


def test_a_run_from_the_page_rejudges_keeps_the_review_and_shows_the_rest_on_the_call_page(client, seed):
    rule = _save_override(client, seed)
    csrf = login(client, "admin")
    assert client.post("/rulebook/reinspect", data={"scope": "outdated"}).status_code in (400, 403)  # no CSRF token
    assert _entries(client) == []
    resp = client.post("/rulebook/reinspect", data={"scope": "outdated", "csrf_token": csrf}, follow_redirects=False)
    assert resp.status_code == 303
    [entry] = _entries(client)
    assert resp.headers["location"] == f"/rulebook/reinspect/{entry.id}"
    assert entry.detail["state"] == "done" and entry.detail["rejudged"] == 2 and entry.detail["detached"] == 1
    page = client.get(resp.headers["location"]).text
    assert 'data-state="done"' in page and "对应发现已不存在的复核与申诉（1）" in page and rule in page
    assert 'hx-get' not in page  # a finished run is not polled
    call = client.get(f"/calls/{seed.own_call}").text
    assert 'id="history"' in call and "我是在复述市民的话" in call and "现行评分表中没有这条发现" in call
    assert "重新质检" in call and 'id="score-history"' in call  # the change is in the current scorecard's history
    with client.app.state.factory() as db:
        carried = db.get(FindingRow, seed.appealable)  # the other confirmed finding moved to the new scorecard
        assert carried.review is None
        newest = db.scalar(select(Scorecard).where(Scorecard.call_id == seed.own_call).order_by(Scorecard.id.desc()).limit(1))
        assert any(f.review is not None for f in newest.findings)


def test_a_bad_date_is_refused_naming_the_field(client, seed):
    csrf = login(client, "admin")
    resp = client.post("/rulebook/reinspect", data={"scope": "all", "date_from": "2026-02-30", "csrf_token": csrf})
    assert resp.status_code == 400 and "开始日期：日期“2026-02-30”格式不对" in resp.text
    assert _entries(client) == []


def test_one_run_at_a_time_and_a_restart_interrupts_a_running_one(client, seed, web_engine, tmp_path):
    from fastapi.testclient import TestClient

    from hotline.store.audit import record
    from hotline.web.app import create_app

    with client.app.state.factory() as db:
        admin = db.scalar(select(User).where(User.username == "admin"))
        running = record(db, admin, ACTION, "calls", "x", state="running", operator="admin", filters=["全部通话"],
                         rulebook="x", selected=9, rejudged=3, verdict_changed=1, unchanged=0, citizen_added=0, carried=0,
                         failed=0, failed_calls=[], detached=0, detached_calls=[])
        db.commit()
    csrf = login(client, "admin")
    assert "查看进度" in client.get("/rulebook").text
    resp = client.post("/rulebook/reinspect", data={"scope": "all", "csrf_token": csrf})
    assert resp.status_code == 409 and "另一次重新质检正在进行" in resp.text
    assert 'hx-get="/rulebook/reinspect/' in client.get(f"/rulebook/reinspect/{running.id}").text
    with TestClient(create_app(settings_for(tmp_path), engine=web_engine)):
        pass  # the start-up of a new server process
    assert [e.detail["state"] for e in _entries(client)] == ["interrupted"]
