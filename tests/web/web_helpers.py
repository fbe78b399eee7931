"""Web test helpers: users for every role, the seeded calls, logging in through the form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hotline.content import data_path
from hotline.formats import read_call
from hotline.inspect import default_engine
from hotline.model import Call, Speaker, Turn
from hotline.store.accounts import create_user
from hotline.store.db import session_factory
from hotline.store.imports import store_call
from hotline.store.models import Call as CallRow
from hotline.store.models import Role, Verdict
from hotline.store.reviews import appeal_finding, review_finding
from hotline.web.config import WebSettings

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
    return Call("private-1", turns, {"agent_id": OTHER_CODE, "date": "2026-05-20", "caller_phone": PHONE})


@dataclass(slots=True)
class Seed:
    own_call: int  # the trainee's call
    other_call: int  # another agent's call, with personal details
    appealable: int  # finding on the trainee's call: confirmed, not appealed
    unreviewed: int  # finding on the trainee's call, not reviewed
    appeal: int  # pending appeal of the trainee, reviewed by "reviewer" (lead: "lead")


def seed_database(engine: Engine) -> Seed:
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


def settings_for(tmp_path: Path) -> WebSettings:
    return WebSettings(data_dir=tmp_path / "data", warm_engine=False)


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
