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
