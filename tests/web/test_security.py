"""The security pass kept as tests: IDOR, role escalation, XSS, SQL injection, open redirects (CSRF
and the role matrix live in test_pages.py and test_permissions.py)."""

from __future__ import annotations

import pytest
from web_helpers import csrf_of, login

from hotline.inspect import default_engine
from hotline.model import Call, Speaker, Turn
from hotline.store.imports import store_call

SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize("path", ["/calls/{other}", "/orders/calls/{other}", "/calls/{other}/recording"])
def test_a_trainee_cannot_open_another_agents_records(client, seed, path):
    login(client, "trainee")
    assert client.get(path.format(other=seed.other_call)).status_code == 403


def test_no_role_escalation_through_the_admin_forms(client, seed):
    csrf = login(client, "lead")
    with client.app.state.factory() as db:
        from sqlalchemy import select

        from hotline.store.models import User

        lead_id = db.scalar(select(User.id).where(User.username == "lead"))
    resp = client.post(f"/admin/users/{lead_id}", data={"csrf_token": csrf, "role": "admin", "active": "1"})
    assert resp.status_code == 403
    with client.app.state.factory() as db:
        assert db.get(User, lead_id).role == "inspector"


def test_markup_in_calls_and_notes_is_shown_as_text(client):
    with client.app.state.factory() as db:
        call = Call(f"x{SCRIPT}", [Turn(Speaker.AGENT, f"您好{SCRIPT}"), Turn(Speaker.CITIZEN, "路灯坏了")], {"agent_id": SCRIPT})
        row = store_call(db, call, default_engine().inspect(call), batch_id=None)
        db.commit()
        call_id, finding = row.id, row.scorecard.findings[0].id
    csrf = login(client, "lead")
    client.post(f"/findings/{finding}/review", data={"csrf_token": csrf, "verdict": "confirmed", "note": SCRIPT})
    for path in [f"/calls/{call_id}", "/calls", "/review?status=&level=all", f"/calls?q={SCRIPT}"]:
        page = client.get(path).text
        assert SCRIPT not in page and "&lt;script&gt;" in page, path


@pytest.mark.parametrize("q", ["' OR 1=1 --", "%' OR '1'='1", "1; DROP TABLE calls; --", "_%_", "\\"])
def test_search_and_filters_are_not_sql(client, seed, q):
    login(client, "trainee")
    for path in ["/calls", "/calls/export.xlsx"]:
        resp = client.get(path, params={"q": q, "agent": q, "rule": q, "sort": q, "status": q})
        assert resp.status_code in (200, 403)
    assert "private-1" not in client.get("/calls", params={"q": q}).text  # still only the trainee's own calls
    login(client, "lead")
    assert "09_zhandao" in client.get("/calls").text  # and the table is still there


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/", "\\\\evil.example"])
def test_login_never_redirects_off_site(client, target):
    page = client.get("/login")
    resp = client.post("/login", data={"username": "lead", "password": "password-123", "csrf_token": csrf_of(page.text),
                                       "next": target}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/overview"


def test_bulk_review_back_link_stays_on_site(client, seed):
    csrf = login(client, "lead")
    resp = client.post("/review/bulk", data={"csrf_token": csrf, "verdict": "confirmed", "finding_ids": [str(seed.unreviewed)],
                                             "back": "//evil.example/"}, follow_redirects=False)
    assert resp.headers["location"].startswith("/review?")
