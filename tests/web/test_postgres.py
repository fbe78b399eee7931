"""The web app's main flow on PostgreSQL (the rest of the web tests run on SQLite)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from web_helpers import login, seed_database, settings_for

from hotline.store.db import make_engine, migrate
from hotline.web.app import create_app
from pg_helpers import throwaway_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_client(tmp_path) -> Iterator[tuple[TestClient, object]]:
    with throwaway_database("hotline_web") as url:
        engine = make_engine(url)
        try:
            migrate(engine)
            seed = seed_database(engine)
            with TestClient(create_app(settings_for(tmp_path), engine=engine)) as client:
                yield client, seed
        finally:
            engine.dispose()


def test_upload_review_appeal_export_on_postgres(pg_client):
    client, seed = pg_client
    csrf = login(client, "lead")
    body = "坐席：您好，请问有什么可以帮您？\n市民：我要投诉噪音，电话13912345678。\n坐席：你快点讲。"
    resp = client.post("/upload", data={"csrf_token": csrf}, files=[("files", ("pg.txt", io.BytesIO(body.encode()), "text/plain"))], follow_redirects=False)
    assert re.search(r'id="calls-ok">1<', client.get(resp.headers["location"]).text)
    listing = client.get("/calls?score_max=100").text
    assert "pg" in listing and "09_zhandao_curt_agent" in listing
    client.post(f"/findings/{seed.unreviewed}/review", data={"csrf_token": csrf, "verdict": "confirmed"})
    assert "确认" in client.get(f"/calls/{seed.own_call}").text
    rules = client.get("/rules").text
    assert "100%" in rules or "50%" in rules
    client.cookies.clear()
    csrf = login(client, "trainee")
    ok = client.post(f"/findings/{seed.appealable}/appeal", data={"csrf_token": csrf, "reason": "复述"}, follow_redirects=False)
    assert ok.status_code == 303
    client.cookies.clear()
    csrf = login(client, "lead")
    decided = client.post(f"/appeals/{seed.appeal}/decide", data={"csrf_token": csrf, "outcome": "rejected"}, follow_redirects=False)
    assert decided.status_code == 303
    wb = load_workbook(io.BytesIO(client.get("/calls/export.xlsx").content))
    assert wb["质检结果"].max_row == 4
    overview = client.get("/overview").text
    assert re.search(r'id="fig-calls">3<', overview)


def test_review_queue_scores_accounts_and_audit_on_postgres(pg_client):
    client, seed = pg_client
    csrf = login(client, "lead")
    queue = client.get("/review?level=all").text
    assert f'data-call="{seed.other_call}"' in queue and f'data-call="{seed.own_call}"' not in queue  # partly reviewed
    assert f'data-call="{seed.other_call}"' in client.get("/review?q=138****5678&status=&level=all").text
    resp = client.post("/review/bulk", data={"csrf_token": csrf, "verdict": "overturned", "note": "PG 批量",
                                             "call_ids": [str(seed.other_call)]}, follow_redirects=False)
    from web_helpers import private_call

    from hotline.inspect import default_engine

    card = default_engine().inspect(private_call())
    assert f"done={len(card.findings)}" in resp.headers["location"]
    page = client.get(f"/calls/{seed.other_call}").text
    assert re.search(r'id="total">100\.0<', page) and f"引擎原始得分 {card.total:.1f}" in page
    unmasked = client.post(f"/calls/{seed.other_call}/unmask", data={"csrf_token": csrf})
    assert "13812345678" in unmasked.text and unmasked.headers["cache-control"] == "no-store"
    assert "13812345678" not in client.get(f"/orders/calls/{seed.other_call}").text
    assert client.get("/batches").status_code == 200
    client.cookies.clear()
    for _ in range(5):
        page = client.get("/login")
        client.post("/login", data={"username": "trainer", "password": "Wrong-pass-1",
                                    "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)})
    csrf = login(client, "admin")
    users = client.get("/admin/users").text
    trainer_id = re.search(r'<tr data-user="trainer">.*?href="/admin/users/(\d+)"', users, re.S).group(1)
    assert "已锁定" in re.search(r'<tr data-user="trainer">.*?</tr>', users, re.S).group()
    client.post(f"/admin/users/{trainer_id}/unlock", data={"csrf_token": csrf})
    reset = client.post(f"/admin/users/{trainer_id}/reset", data={"csrf_token": csrf}).text
    temporary = re.search(r'id="new-password">.*?<code>([^<]+)</code>', reset, re.S).group(1)
    audit = client.get("/admin/audit?action=user.reset").text
    assert "重置密码" in audit and "用户名 trainer" in audit
    wb = load_workbook(io.BytesIO(client.get("/admin/audit/export.xlsx?action=auth.failed").content))
    assert wb["审计日志"].max_row == 6
    client.cookies.clear()
    login(client, "trainer", temporary)
    assert client.get("/overview", follow_redirects=False).headers["location"].startswith("/password")


def test_triage_queue_settings_agreement_calibration_and_citizen_dashboard_on_postgres(pg_client):
    from sqlalchemy import select

    from hotline.content import data_path
    from hotline.formats import read_call
    from hotline.inspect import default_engine
    from hotline.store.imports import store_call
    from hotline.store.models import Call, Scorecard, User

    client, seed = pg_client
    call = read_call(data_path("samples", "calls", "16_saorao_retort.txt"))
    with client.app.state.factory() as db:
        angry = store_call(db, call, default_engine().inspect(call), batch_id=None).id
        db.commit()
    csrf = login(client, "admin")
    rows = re.findall(r'<tr data-call="(\d+)"', client.get("/review?status=").text)
    assert rows[0] == str(angry)
    form = {"mandatory_dissatisfaction": "0.8", "mandatory_escalation": "0.7", "sample_dissatisfaction": "0.5",
            "uncertain_margin": "0.15", "sample_rate": "1", "sample_below_pass_mark": "1"}
    assert client.post("/admin/triage", data={"csrf_token": csrf, **form}, follow_redirects=False).status_code == 303
    with client.app.state.factory() as db:
        assert set(db.scalars(select(Scorecard.review_level))) <= {"sample", "mandatory"}  # a 100% sample leaves no auto-pass
        lead, reviewer = (db.scalar(select(User.id).where(User.username == n)) for n in ("lead", "reviewer"))
        refs = " ".join(db.scalars(select(Call.external_id)))
    assert "data-rule=" in client.get("/agreement").text
    assert client.get("/agreement/export.xlsx").status_code == 200
    page = client.get("/dashboard/citizen").text
    assert f'data-call="{angry}"' in re.search(r'id="risky">(.*?)</table>', page, re.S).group(1)
    made = client.post("/calibration", data={"csrf_token": csrf, "title": "PG 校准", "calls": refs,
                                             "member_ids": [str(lead), str(reviewer)]}, follow_redirects=False)
    assert made.status_code == 303
    assert "PG 校准" in client.get("/calibration").text
