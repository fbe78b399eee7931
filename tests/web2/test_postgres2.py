"""Part 2's main flows on PostgreSQL (the rest of the part-2 tests run on SQLite)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from web2_helpers import GOOD_TURNS, ORDER, SCENARIO, login, seed_database, settings_for

from hotline.store.db import make_engine, migrate
from hotline.web.app import create_app
from pg_helpers import throwaway_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_client(tmp_path) -> Iterator[TestClient]:
    with throwaway_database("hotline_web2") as url:
        engine = make_engine(url)
        try:
            migrate(engine)
            seed_database(engine)
            with TestClient(create_app(settings_for(tmp_path), engine=engine)) as client:
                yield client
        finally:
            engine.dispose()


def test_learning_drill_dashboard_and_rulebook_on_postgres(pg_client):
    client = pg_client
    csrf = login(client, "trainee")
    client.post("/learn/lessons/taboo/read", data={"csrf_token": csrf})
    quiz = client.post("/learn/lessons/taboo/quiz", data={"csrf_token": csrf}).url.path
    assert 'id="percent"' in client.post(quiz, data={"csrf_token": csrf}).text
    drill = client.post("/drills", data={"csrf_token": csrf, "scenario_id": SCENARIO, "hints": "1"}).url.path
    for turn in GOOD_TURNS[:3]:
        client.post(f"{drill}/say", data={"csrf_token": csrf, "text": turn}, headers={"hx-request": "true"})
        client.post(f"{drill}/reply", data={"csrf_token": csrf}, headers={"hx-request": "true"})
    assert 'id="mood-chart"' in client.post(f"{drill}/order", data={"csrf_token": csrf, **ORDER}).text
    assert "最常未通过的规则" in client.get("/drills").text
    client.cookies.clear()
    csrf = login(client, "admin")
    page = client.get("/dashboard").text
    assert len(re.findall(r'<tr data-agent="', page)) == 2 and "学员甲" in page.split('id="learners"')[1]
    wb = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx").content))
    assert wb["学习与演练"].max_row == 3
    override = "extends: default\nversion: PG-1\ndisable: [forbidden.rushing.v1]\n"
    tried = client.post("/rulebook/try", data={"csrf_token": csrf, "yaml_text": override}).text
    assert int(re.search(r'id="try-disappeared">(\d+)<', tried).group(1)) >= 1
    saved = client.post("/rulebook/save", data={"csrf_token": csrf, "yaml_text": override})
    assert 'id="rulebook-version">PG-1<' in saved.text
