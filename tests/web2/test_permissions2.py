"""Every part-2 route × every role: the server allows exactly the roles the table names; together
with part 1's table (tests/web/test_permissions.py) it must cover every route of the app."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from web2_helpers import ROLE_USERS, SCENARIO, login

from hotline.content import data_path
from hotline.store.models import Attempt, DrillAssignment, User, utcnow
from hotline.web.app import route_table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))
from test_citizen_web import ROUTES as PART3  # noqa: E402
from test_permissions import ROUTES as PART1  # noqa: E402
from test_permissions import _stale_token  # noqa: E402

ALL = {"trainee", "inspector", "trainer", "admin"}
STAFF = {"inspector", "trainer", "admin"}
TRAINERS = {"trainer", "admin"}
ADMIN = {"admin"}
OVERRIDE = "extends: default\nversion: 权限测试-1\n"
NEW_QUESTION = data_path("web", "new_question.yaml").read_text(encoding="utf-8")

# (method, route path) -> (allowed roles, concrete path, form fields)
ROUTES: dict[tuple[str, str], tuple[set[str], str, dict]] = {
    ("GET", "/learn"): (ALL, "/learn", {}),
    ("GET", "/learn/lessons/{lesson_id}"): (ALL, "/learn/lessons/taboo", {}),
    ("POST", "/learn/lessons/{lesson_id}/read"): (ALL, "/learn/lessons/taboo/read", {}),
    ("POST", "/learn/lessons/{lesson_id}/quiz"): (ALL, "/learn/lessons/taboo/quiz", {}),
    ("POST", "/learn/exams/{exam_id}"): (ALL, "/learn/exams/basic", {}),
    ("GET", "/learn/attempts/{attempt_id}"): (ALL, "/learn/attempts/{attempt}", {}),
    ("POST", "/learn/attempts/{attempt_id}"): (ALL, "/learn/attempts/{attempt}", {}),
    ("GET", "/learn/attempts/{attempt_id}/certificate"): (ALL, "/learn/attempts/{passed}/certificate", {}),
    ("GET", "/learn/cases"): (ALL, "/learn/cases", {}),
    ("GET", "/learn/cases/{case_id}"): (ALL, "/learn/cases/c02_noise_shirking", {}),
    ("GET", "/drills"): (ALL, "/drills", {}),
    ("POST", "/drills"): (ALL, "/drills", {"scenario_id": SCENARIO}),
    ("GET", "/drills/{drill_id}"): (ALL, "/drills/{drill}", {}),
    ("POST", "/drills/{drill_id}/say"): (ALL, "/drills/{drill}/say", {"text": "您好"}),
    ("POST", "/drills/{drill_id}/reply"): (ALL, "/drills/{drill}/reply", {}),
    ("POST", "/drills/{drill_id}/end"): (ALL, "/drills/{drill}/end", {}),
    ("GET", "/drills/{drill_id}/suggest"): (ALL, "/drills/{drill}/suggest", {}),
    ("POST", "/drills/{drill_id}/order"): (ALL, "/drills/{drill}/order", {"request_type": "投诉"}),
    ("GET", "/drills/{drill_id}/debrief"): (ALL, "/drills/{drill}/debrief", {}),
    ("POST", "/drills/{drill_id}/retry"): (ALL, "/drills/{drill}/retry", {}),
    ("POST", "/drills/assignments"): (TRAINERS, "/drills/assignments", {"title": "考核", "scenario_id": SCENARIO}),
    ("GET", "/drills/assignments/{assignment_id}"): (TRAINERS, "/drills/assignments/{assignment}", {}),
    ("POST", "/drills/assignments/{assignment_id}/retry"): (TRAINERS, "/drills/assignments/{assignment}/retry",
                                                           {"user_id": "{trainee}"}),
    ("POST", "/drills/assignments/{assignment_id}/close"): (TRAINERS, "/drills/assignments/{assignment}/close", {}),
    ("GET", "/appeals/mine"): ({"trainee"}, "/appeals/mine", {}),
    ("POST", "/appeals/mine/seen"): ({"trainee"}, "/appeals/mine/seen", {}),
    ("GET", "/orders"): (ALL, "/orders", {}),
    ("GET", "/orders/export.xlsx"): (ALL, "/orders/export.xlsx", {}),
    ("GET", "/orders/calls/{call_id}"): (ALL, "/orders/calls/{own_call}", {}),
    ("POST", "/orders/calls/{call_id}"): (ALL, "/orders/calls/{own_call}", {"request_type": "投诉"}),
    ("POST", "/orders/calls/{call_id}/unmask"): ({"inspector", "admin"}, "/orders/calls/{own_call}/unmask", {}),
    ("GET", "/dashboard"): (STAFF, "/dashboard", {}),
    ("GET", "/dashboard/export.xlsx"): (STAFF, "/dashboard/export.xlsx", {}),
    ("GET", "/rulebook"): (STAFF, "/rulebook", {}),
    ("GET", "/rulebook/edit"): (STAFF, "/rulebook/edit", {}),
    ("POST", "/rulebook/try"): (STAFF, "/rulebook/try", {"yaml_text": OVERRIDE}),
    ("POST", "/rulebook/save"): (ADMIN, "/rulebook/save", {"yaml_text": OVERRIDE}),
    ("GET", "/authoring"): (TRAINERS, "/authoring", {}),
    ("GET", "/authoring/{kind}/{key}"): (TRAINERS, "/authoring/question/tab-01", {}),
    ("POST", "/authoring/{kind}/{key}"): (TRAINERS, "/authoring/question/new", {"yaml_text": NEW_QUESTION}),
}


def test_part_1_and_part_2_tables_cover_every_route(app):
    assert not set(ROUTES) & set(PART1) and not (set(ROUTES) | set(PART1)) & set(PART3)
    assert route_table(app) == set(ROUTES) | set(PART1) | set(PART3)  # part 3: tests/web/test_citizen_web.py


def _objects(client, username: str) -> dict[str, int]:
    """Records owned by the requesting user (a drill, a quiz, a passed exam) and an assignment."""
    from hotline.store.drills import create
    from hotline.web.drilling import start

    with client.app.state.factory() as db:
        user = db.query(User).filter_by(username=username).one()
        admin = db.query(User).filter_by(username="admin").one()
        drill = create(db, user, start(db, SCENARIO, 7, hints=False))
        attempt = Attempt(user_id=user.id, kind="quiz", ref="taboo", seed=1, question_ids=[], result={})
        passed = Attempt(user_id=user.id, kind="exam", ref="basic", seed=1, question_ids=[], result={"points": 100},
                         finished_at=utcnow(), percent=100.0, passed=True)
        assignment = DrillAssignment(title="考核", scenario_id=SCENARIO, seed=1, created_by=admin.id)
        db.add_all([attempt, passed, assignment])
        db.commit()
        trainee = db.query(User).filter_by(username="trainee").one()
        return {"drill": drill.id, "attempt": attempt.id, "passed": passed.id, "assignment": assignment.id,
                "trainee": trainee.id}


@pytest.mark.parametrize("role", ["anonymous", "trainee", "inspector", "trainer", "admin"])
@pytest.mark.parametrize("route", list(ROUTES), ids=lambda r: f"{r[0]} {r[1]}" if isinstance(r, tuple) else r)
def test_route_role(client, seed, role, route):
    allowed, template, form = ROUTES[route]
    username = ROLE_USERS.get(role, "admin")
    csrf = login(client, username) if role != "anonymous" else _stale_token(client)
    objects = _objects(client, username) if "{" in template and "{own_call}" not in template else {}
    path = template.format(**objects, own_call=seed.own_call)
    form = {k: v.format(**objects) if isinstance(v, str) else v for k, v in form.items()}
    if route[0] == "GET":
        resp = client.get(path, follow_redirects=False)
    else:
        resp = client.post(path, data={**form, **({"csrf_token": csrf} if csrf else {})}, follow_redirects=False)
    if role in allowed:
        assert resp.status_code in (200, 303), f"{role} should reach {path}: {resp.status_code} {resp.text[:300]}"
        if resp.status_code == 303:
            assert not resp.headers["location"].startswith("/login")
    elif role == "anonymous":  # a real (stale) token: refused for the missing login, not for the token
        assert resp.status_code == 303, f"anonymous {route}: {resp.status_code} {resp.text[:200]}"
        assert resp.headers["location"].startswith("/login?next=" if route[0] == "GET" else "/login")
    else:
        assert resp.status_code == 403, f"{role} must not reach {path}: {resp.status_code}"
        assert "无权" in resp.text
