"""Every route × every role: the server allows exactly the roles the table names. Anonymous POSTs
carry a real (stale) form token, so they are refused for the missing login, not for the token."""

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
    ("GET", "/favicon.ico"): (PUBLIC, "/favicon.ico", {}),
    ("POST", "/calls/{call_id}/unmask"): (INSPECT, "/calls/{own_call}/unmask", {}),
    ("POST", "/calls/export.xlsx"): (INSPECT, "/calls/export.xlsx", {}),
    ("POST", "/calls/{call_id}/recording"): (INSPECT, "/calls/{own_call}/recording", {"__audio__": True}),
    ("GET", "/calls/{call_id}/recording"): (ALL, "/calls/{recorded_call}/recording", {}),
    ("GET", "/review"): (INSPECT, "/review", {}),
    ("POST", "/review/bulk"): (INSPECT, "/review/bulk", {"verdict": "confirmed", "finding_ids": "{unreviewed}"}),
    ("GET", "/batches"): (INSPECT, "/batches", {}),
    ("GET", "/sessions"): (ALL, "/sessions", {}),
    ("POST", "/sessions/{session_id}/revoke"): (ALL, "/sessions/{own_session}/revoke", {}),
    ("GET", "/admin/users/{user_id}"): (ADMIN, "/admin/users/{trainee2}", {}),
    ("POST", "/admin/users/{user_id}"): (ADMIN, "/admin/users/{trainee2}", {"role": "trainee", "display_name": "学员乙", "active": "1"}),
    ("POST", "/admin/users/{user_id}/reset"): (ADMIN, "/admin/users/{trainee2}/reset", {}),
    ("POST", "/admin/users/{user_id}/unlock"): (ADMIN, "/admin/users/{trainee2}/unlock", {}),
    ("POST", "/admin/sessions/{session_id}/revoke"): (ADMIN, "/admin/sessions/{other_session}/revoke", {}),
    ("GET", "/admin/audit/export.xlsx"): (ADMIN, "/admin/audit/export.xlsx", {}),
    ("POST", "/rulebook/reinspect"): (ADMIN, "/rulebook/reinspect", {"scope": "no_citizen"}),
    ("GET", "/rulebook/reinspect/{run_id}"): (ADMIN, "/rulebook/reinspect/{run}", {}),
    ("GET", "/rulebook/reinspect/{run_id}/progress"): (ADMIN, "/rulebook/reinspect/{run}/progress", {}),
}
# routes after which the user is logged out on purpose
LOGS_OUT = {("POST", "/logout"), ("POST", "/password"), ("POST", "/sessions/{session_id}/revoke")}


def test_the_table_covers_every_route(app):
    assert set(ROUTES) <= route_table(app)  # tests/web2/test_permissions2.py: this table and part 2's cover all


def _ids(client, username: str) -> dict[str, int]:
    """Ids the paths name: the user's own session, another user's session, trainee2, a call with a recording."""
    from sqlalchemy import select

    from hotline.store.accounts import open_session
    from hotline.store.audit import record
    from hotline.store.models import Call, User, WebSession

    with client.app.state.factory() as db:
        other = db.scalar(select(User).where(User.username == "trainee2"))
        _, other_session = open_session(db, other)
        me = db.scalar(select(User).where(User.username == username))
        own = db.scalar(select(WebSession.id).where(WebSession.user_id == me.id).order_by(WebSession.id.desc())) if me else None
        call = db.scalar(select(Call).where(Call.agent_code == "3145"))
        call.recording = f"{call.id}.wav"
        folder = client.app.state.settings.resolved_data_dir() / "recordings"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / call.recording).write_bytes(b"RIFF0000WAVE")
        run = record(db, None, "calls.reinspect", "calls", "x", state="done", operator="admin", filters=["全部通话"], rulebook="x",
                     selected=0, rejudged=0, verdict_changed=0, unchanged=0, citizen_added=0, carried=0, failed=0,
                     failed_calls=[], detached=0, detached_calls=[])
        db.commit()
        return {"trainee2": other.id, "other_session": other_session.id, "own_session": own or 1, "recorded_call": call.id,
                "run": run.id}


def _path(template: str, seed, batch: int, ids: dict[str, int]) -> str:
    return template.format(batch=batch, own_call=seed.own_call, unreviewed=seed.unreviewed, appealable=seed.appealable,
                           appeal=seed.appeal, **ids)


def _request(client, method: str, path: str, form: dict, csrf: str | None, seed):
    if method == "GET":
        return client.get(path, follow_redirects=False)
    data = {k: (v.format(unreviewed=seed.unreviewed) if isinstance(v, str) else v) for k, v in form.items() if not k.startswith("__")}
    if csrf is not None:
        data["csrf_token"] = csrf
    files = None
    if "__file__" in form:
        files = [("files", ("a.txt", io.BytesIO("坐席：您好\n市民：你好".encode()), "text/plain"))]
    if "__audio__" in form:
        files = [("file", ("a.wav", io.BytesIO(b"RIFF0000WAVE"), "audio/wav"))]
    return client.post(path, data=data, files=files, follow_redirects=False)


def _stale_token(client) -> str:
    """The form token of a session that has ended: what a logged-out browser still has in its page."""
    token = login(client, "trainer")
    client.post("/logout", data={"csrf_token": token})
    client.cookies.clear()
    return token


@pytest.mark.parametrize("role", ["anonymous", "trainee", "inspector", "trainer", "admin"])
@pytest.mark.parametrize("route", list(ROUTES), ids=lambda r: f"{r[0]} {r[1]}" if isinstance(r, tuple) else r)
def test_route_role(client, seed, role, route):
    allowed, template, form = ROUTES[route]
    csrf = login(client, ROLE_USERS[role]) if role != "anonymous" else _stale_token(client)
    if route == ("POST", "/login"):
        csrf = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    ids = _ids(client, ROLE_USERS.get(role, ""))
    path = _path(template, seed, batch=_a_batch(client, role), ids=ids)
    resp = _request(client, route[0], path, form, csrf, seed)
    if role in allowed:
        assert resp.status_code in (200, 303), f"{role} should reach {path}: {resp.status_code} {resp.text[:300]}"
        if resp.status_code == 303:
            assert not resp.headers["location"].startswith("/login") or route in LOGS_OUT
    elif role == "anonymous":
        assert resp.status_code == 303, f"anonymous {route}: {resp.status_code} {resp.text[:200]}"
        assert resp.headers["location"].startswith("/login?next=" if route[0] == "GET" else "/login")
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
