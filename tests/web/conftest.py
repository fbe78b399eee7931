"""Web fixtures: a seeded database built once per worker and copied for each test, a TestClient
per test, and users for every role (password ``PASSWORD``)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("HOTLINE_ARGON2_TIME_COST", "1")
os.environ.setdefault("HOTLINE_ARGON2_MEMORY_KIB", "1024")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, select  # noqa: E402

from hotline.content import data_path  # noqa: E402
from hotline.formats import read_call  # noqa: E402
from hotline.inspect import default_engine  # noqa: E402
from hotline.model import Call, Speaker, Turn  # noqa: E402
from hotline.store.accounts import create_user  # noqa: E402
from hotline.store.db import make_engine, migrate, session_factory  # noqa: E402
from hotline.store.imports import store_call  # noqa: E402
from hotline.store.models import Call as CallRow  # noqa: E402
from hotline.store.models import Role, Verdict  # noqa: E402
from hotline.store.reviews import appeal_finding, review_finding  # noqa: E402
from hotline.web.app import create_app  # noqa: E402
from hotline.web.config import WebSettings  # noqa: E402

PASSWORD = "password-123"
TRAINEE_CODE, OTHER_CODE = "3145", "2001"
PHONE, ID_NUMBER = "13812345678", "110101199003074518"
# matrix role -> username; "inspector" is the lead of "reviewer", who did the seeded reviews
ROLE_USERS = {"trainee": "trainee", "inspector": "lead", "trainer": "trainer", "admin": "admin"}


def private_call() -> Call:
    """A call of another agent in which the citizen gives a phone and an ID number."""
    turns = [
        Turn(Speaker.AGENT, "您好，12345政务服务便民热线，2001号为您服务，请问有什么可以帮您？"),
        Turn(Speaker.CITIZEN, f"我家水管爆了，我电话{PHONE}，身份证{ID_NUMBER}，住幸福小区3栋2单元501室。"),
        Turn(Speaker.AGENT, "你快点讲，这事不归我们管。"),
        Turn(Speaker.CITIZEN, "那我找谁？"),
        Turn(Speaker.AGENT, "再见。"),
    ]
    return Call("private-1", turns, {"agent_id": OTHER_CODE, "date": "2026-05-20"})


@dataclass(slots=True)
class Seed:
    own_call: int  # the trainee's call
    other_call: int  # another agent's call, with personal details
    appealable: int  # finding on the trainee's call: confirmed, not appealed
    unreviewed: int  # finding on the trainee's call, not reviewed
    appeal: int  # pending appeal of the trainee, reviewed by "reviewer" (lead: "lead")


def _seed(engine: Engine) -> Seed:
    eng = default_engine()
    with session_factory(engine)() as db:
        lead = create_user(db, "lead", PASSWORD, Role.INSPECTOR, display_name="质检组长")
        reviewer = create_user(db, "reviewer", PASSWORD, Role.INSPECTOR, display_name="质检员", lead_id=lead.id)
        create_user(db, "trainer", PASSWORD, Role.TRAINER, display_name="培训师")
        create_user(db, "admin", PASSWORD, Role.ADMIN, display_name="管理员")
        trainee = create_user(db, "trainee", PASSWORD, Role.TRAINEE, display_name="学员甲", agent_code=TRAINEE_CODE)
        create_user(db, "trainee2", PASSWORD, Role.TRAINEE, display_name="学员乙", agent_code=OTHER_CODE)
        own = read_call(data_path("samples", "calls", "09_zhandao_curt_agent.txt"))
        own_row = store_call(db, own, eng.inspect(own), batch_id=None)
        other_row = store_call(db, private_call(), eng.inspect(private_call()), batch_id=None)
        findings = own_row.scorecard.findings
        assert len(findings) >= 3, "the seeded call must have at least three findings"
        review_finding(db, findings[0].id, reviewer, Verdict.CONFIRMED)
        review_finding(db, findings[1].id, reviewer, Verdict.CONFIRMED)
        appeal = appeal_finding(db, findings[1].id, trainee, "我是在复述市民的话")
        db.commit()
        return Seed(own_row.id, other_row.id, findings[0].id, findings[2].id, appeal.id)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seed]:
    path = tmp_path_factory.mktemp("web-template") / "seeded.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    seed = _seed(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, seed


@pytest.fixture
def seed(seeded_template: tuple[Path, Seed]) -> Seed:
    return seeded_template[1]


@pytest.fixture
def web_engine(seeded_template: tuple[Path, Seed], tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "web.db"
    shutil.copy(seeded_template[0], path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def settings_for(tmp_path: Path) -> WebSettings:
    return WebSettings(data_dir=tmp_path / "data", warm_engine=False)


@pytest.fixture
def app(web_engine: Engine, tmp_path: Path):  # noqa: ANN201
    return create_app(settings_for(tmp_path), engine=web_engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app) as c:
        yield c


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in and return the session's CSRF token."""
    page = client.get("/login")
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    return csrf_of(client.get("/password").text)


def call_id(engine: Engine, external_id: str) -> int:
    with session_factory(engine)() as db:
        return db.scalar(select(CallRow.id).where(CallRow.external_id == external_id))
