"""Every route with ids that cannot exist, and bad parameters: a Chinese 404 or 400, never a 500;
error pages in Chinese for 401/403/404/405/500, without internal codes or command-line hints."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import login

from hotline.web.app import route_table

BAD_IDS = ["99999999999999999999", "2147483648", "0", "-1", "abc", "1e3", "%E4%B8%AD"]
ENGLISH = re.compile(r"Internal Server Error|Method Not Allowed|Not Found|Traceback|field required|\[E\d{3}\]|hotline [a-z]+ |\.yaml")


@pytest.fixture
def quiet(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _templated(app) -> list[tuple[str, str]]:
    return sorted((m, p) for m, p in route_table(app) if "{" in p)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_every_route_with_an_impossible_id_is_a_chinese_4xx(quiet, app, bad):
    csrf = login(quiet, "admin")
    for method, path in _templated(app):
        url = re.sub(r"\{[^}]+\}", bad, path)
        resp = quiet.get(url, follow_redirects=False) if method == "GET" else quiet.post(
            url, data={"csrf_token": csrf}, follow_redirects=False)
        assert resp.status_code != 500, f"{method} {url}: 500"
        assert resp.status_code in (303, 400, 403, 404, 422), f"{method} {url}: {resp.status_code}"
        if resp.status_code >= 400 and "html" in resp.headers.get("content-type", ""):
            assert not ENGLISH.search(resp.text), f"{method} {url}: {ENGLISH.search(resp.text).group()}"
            assert re.search(r"[\u4e00-\u9fff]", resp.text)


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/calls?page=99999999999999999999", 400, "页码"),
        ("/calls?page=abc", 400, "页码"),
        ("/calls?page=0", 400, "页码"),
        ("/review?page=-3", 400, "页码"),
        ("/admin/audit?page=x", 400, "页码"),
        ("/admin/users?team_id=abc", 200, "用户与团队"),
        ("/calls?score_min=1e400&date_from=2026-13-45", 200, "质检结果"),
        ("/calls/99999999999999999999", 404, "找不到"),
        ("/calls/export.xlsx?page=abc", 400, "页码"),
        ("/no/such/page", 404, "找不到"),
        ("/dashboard?team=99999999999999999999", 200, "看板"),
    ],
)
def test_bad_parameters(quiet, url, status, words):
    login(quiet, "admin")
    resp = quiet.get(url)
    assert resp.status_code == status and words in resp.text
    assert not ENGLISH.search(resp.text)


def test_bad_form_ids_are_a_chinese_400_not_a_500(quiet):
    csrf = login(quiet, "admin")
    form = {"csrf_token": csrf, "username": "newbie", "password": "Long-pass-01", "role": "trainee", "team_id": "abc",
            "lead_id": "99999999999999999999"}
    assert quiet.post("/admin/users", data=form, follow_redirects=False).status_code == 303
    resp = quiet.post("/admin/users", data={**form, "username": "x y"})
    assert resp.status_code == 400 and "用户名只能包含" in resp.text


def test_405_and_401_and_403_pages_are_chinese(quiet):
    resp = quiet.put("/calls")
    assert resp.status_code == 405 and "操作方式" in resp.text and "Method" not in resp.text
    resp = quiet.get("/sessions", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")
    hx = quiet.get("/overview", headers={"hx-request": "true"})
    assert hx.status_code == 401 and hx.headers["hx-redirect"].startswith("/login")
    login(quiet, "trainee")
    denied = quiet.get("/admin/users")
    assert denied.status_code == 403 and "无权" in denied.text


def test_an_unexpected_error_is_a_chinese_500_page(app, quiet):
    @app.get("/boom-for-test")
    def boom() -> None:
        raise RuntimeError("internal detail that must not show")

    resp = quiet.get("/boom-for-test")
    assert resp.status_code == 500 and "服务器出错" in resp.text and "internal detail" not in resp.text


def test_product_errors_show_no_codes_or_cli_hints(client):
    csrf = login(client, "trainee")
    resp = client.post("/drills", data={"csrf_token": csrf, "scenario_id": "no-such-scenario"})
    assert resp.status_code == 400 and "没有这个场景" in resp.text
    assert "[E" not in resp.text and "hotline scenarios" not in resp.text


def test_yaml_errors_in_the_editor_are_chinese(client):
    csrf = login(client, "admin")
    resp = client.post("/rulebook/try", data={"csrf_token": csrf, "yaml_text": "extends: default\nversion: [1\n"})
    assert resp.status_code == 400 and "YAML" in resp.text
    error = re.search(r'class="error"[^>]*>([^<]+)<', resp.text).group(1)
    assert not re.search(r"[A-Za-z]{3,}", error.replace("YAML", "")), error


def test_favicon_and_no_store(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")
    login(client, "lead")
    assert client.get("/calls").headers["cache-control"] == "no-store"
    assert client.get("/calls/export.xlsx").headers["cache-control"] == "no-store"
    assert 'rel="icon"' in client.get("/calls").text
