"""Every route × every role: the server allows exactly the roles the table names."""

from __future__ import annotations

import io

import pytest
from web_helpers import PASSWORD, ROLE_USERS, login

from hotline.web.app import route_table

ALL = {"trainee", "inspector", "trainer", "admin"}
STAFF = {"inspector", "trainer", "admin"}
INSPECT = {"inspector", "admin"}
ADMIN = {"admin"}
PUBLIC = {"anonymous", *ALL}

# (method, route path) -> (allowed roles, concrete path, form fields)
ROUTES: dict[tuple[str, str], tuple[set[str], str, dict]] = {
    ("GET", "/"): (ALL, "/", {}),
    ("GET", "/login"): (PUBLIC, "/login", {}),
    ("POST", "/login"): (PUBLIC, "/login", {"username": "nobody", "password": "x"}),
    ("POST", "/logout"): (ALL, "/logout", {}),
    ("GET", "/password"): (ALL, "/password", {}),
    ("POST", "/password"): (ALL, "/password", {"old": PASSWORD, "new": "new-pass-123", "repeat": "new-pass-123"}),
    ("GET", "/overview"): (STAFF, "/overview", {}),
    ("GET", "/upload"): (INSPECT, "/upload", {}),
    ("POST", "/upload"): (INSPECT, "/upload", {"__file__": True}),
    ("GET", "/batches/{batch_id}"): (INSPECT, "/batches/{batch}", {}),
    ("GET", "/batches/{batch_id}/progress"): (INSPECT, "/batches/{batch}/progress", {}),
    ("GET", "/calls"): (ALL, "/calls", {}),
    ("GET", "/calls/export.xlsx"): (STAFF, "/calls/export.xlsx", {}),
    ("GET", "/calls/{call_id}"): (ALL, "/calls/{own_call}", {}),
    ("POST", "/calls/{call_id}/swap-roles"): (INSPECT, "/calls/{own_call}/swap-roles", {}),
    ("POST", "/findings/{finding_id}/review"): (INSPECT, "/findings/{unreviewed}/review", {"verdict": "confirmed", "note": "ok"}),
    ("POST", "/findings/{finding_id}/appeal"): ({"trainee"}, "/findings/{appealable}/appeal", {"reason": "理由"}),
    ("GET", "/appeals"): (STAFF, "/appeals", {}),
    ("POST", "/appeals/{appeal_id}/decide"): (INSPECT, "/appeals/{appeal}/decide", {"outcome": "rejected"}),
    ("GET", "/rules"): (STAFF, "/rules", {}),
    ("GET", "/admin/users"): (ADMIN, "/admin/users", {}),
    ("POST", "/admin/users"): (ADMIN, "/admin/users", {"username": "new", "password": "long-pass-1", "role": "trainee"}),
    ("POST", "/admin/teams"): (ADMIN, "/admin/teams", {"name": "二组"}),
    ("GET", "/admin/audit"): (ADMIN, "/admin/audit", {}),
    ("GET", "/assets/{name}"): (PUBLIC, "/assets/htmx.min.js", {}),
}


def test_the_table_covers_every_route(app):
    assert set(ROUTES) <= route_table(app)  # tests/web2/test_permissions2.py: this table and part 2's cover all


def _path(template: str, seed, batch: int) -> str:
    return template.format(batch=batch, own_call=seed.own_call, unreviewed=seed.unreviewed, appealable=seed.appealable, appeal=seed.appeal)


def _request(client, method: str, path: str, form: dict, csrf: str | None):
    if method == "GET":
        return client.get(path, follow_redirects=False)
    data = {k: v for k, v in form.items() if k != "__file__"}
    if csrf is not None:
        data["csrf_token"] = csrf
    files = [("files", ("a.txt", io.BytesIO("坐席：您好\n市民：你好".encode()), "text/plain"))] if "__file__" in form else None
    return client.post(path, data=data, files=files, follow_redirects=False)


@pytest.mark.parametrize("role", ["anonymous", "trainee", "inspector", "trainer", "admin"])
@pytest.mark.parametrize("route", list(ROUTES), ids=lambda r: f"{r[0]} {r[1]}" if isinstance(r, tuple) else r)
def test_route_role(client, seed, role, route):
    allowed, template, form = ROUTES[route]
    csrf = login(client, ROLE_USERS[role]) if role != "anonymous" else None
    if route == ("POST", "/login"):
        csrf = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    path = _path(template, seed, batch=_a_batch(client, role))
    resp = _request(client, route[0], path, form, csrf)
    if role in allowed:
        assert resp.status_code in (200, 303), f"{role} should reach {path}: {resp.status_code} {resp.text[:300]}"
        if resp.status_code == 303:
            assert not resp.headers["location"].startswith("/login") or route in {("POST", "/logout"), ("POST", "/password")}
    elif role == "anonymous":
        assert resp.status_code in (303, 403)
        if route[0] == "GET":
            assert resp.headers["location"].startswith("/login?next=")
    else:
        assert resp.status_code == 403, f"{role} must not reach {path}: {resp.status_code}"
        assert "无权" in resp.text


def _a_batch(client, role: str) -> int:
    """A batch id that exists: made directly in the database (no route is needed for it)."""
    from hotline.store.imports import create_batch

    factory = client.app.state.factory
    with factory() as db:
        batch = create_batch(db, ["x.txt"], None)
        db.commit()
        return batch.id
