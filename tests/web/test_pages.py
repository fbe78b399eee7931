"""Pages and flows through HTTP: masking and its audit, scope, upload, review, appeal, export."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from web_helpers import ID_NUMBER, PHONE, call_id, csrf_of, login

from hotline.store.models import AuditEntry


def audit_actions(client, action: str) -> list[AuditEntry]:
    with client.app.state.factory() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_personal_details_are_masked_and_unmasking_is_audited(client, seed):
    csrf = login(client, "lead")
    page = client.get(f"/calls/{seed.other_call}").text
    assert PHONE not in page and ID_NUMBER not in page
    assert "138****5678" in page and "110101********4518" in page and "幸福小区*栋*单元***室" in page
    assert "2001号为您服务" in page  # the agent's 工号 is not a house number
    assert PHONE not in client.get(f"/calls/{seed.other_call}?unmasked=1").text  # a GET never unmasks
    assert audit_actions(client, "call.view_unmasked") == []
    full = client.post(f"/calls/{seed.other_call}/unmask", data={"csrf_token": csrf})
    assert PHONE in full.text and ID_NUMBER in full.text
    assert full.headers["cache-control"] == "no-store"
    [entry] = audit_actions(client, "call.view_unmasked")
    assert entry.target_id == str(seed.other_call)


@pytest.mark.parametrize("username", ["trainer", "trainee2"])
def test_roles_without_the_right_cannot_unmask(client, seed, username):
    csrf = login(client, username)
    assert client.post(f"/calls/{seed.other_call}/unmask", data={"csrf_token": csrf}).status_code == 403
    page = client.get(f"/calls/{seed.other_call}").text
    assert PHONE not in page and "显示完整信息" not in page
    assert audit_actions(client, "call.view_unmasked") == []


def test_trainee_sees_only_own_calls(client, seed):
    login(client, "trainee")
    listing = client.get("/calls").text
    assert "09_zhandao_curt_agent" in listing and "private-1" not in listing
    refused = client.get(f"/calls/{seed.other_call}")
    assert refused.status_code == 403 and "只能查看自己的通话" in refused.text
    assert client.get(f"/calls/{seed.own_call}").status_code == 200
    assert client.get("/calls?agent=2001").text.count('href="/calls/') == 0


def test_call_page_highlights_findings_at_their_spans(client, seed):
    login(client, "lead")
    page = client.get(f"/calls/{seed.own_call}").text
    marks = re.findall(r'<a href="#f-(\d+)" class="hl sev-\w+" data-findings="[\d ]+">([^<]+)</a>', page)
    assert marks, "no highlighted span"
    with client.app.state.factory() as db:
        from hotline.store.models import FindingRow

        for fid, text in marks:
            f = db.get(FindingRow, int(fid))
            turn = f.scorecard.call.turns[f.turn_index]["text"]
            assert text in turn[f.span_start : f.span_end]
    assert "评分表" in page and "规则库版本" in page


def test_filters_narrow_the_result_list(client):
    login(client, "lead")
    assert "private-1" in client.get("/calls?agent=2001").text
    assert "09_zhandao" not in client.get("/calls?agent=2001").text
    assert "没有符合条件的通话" in client.get("/calls?score_min=101").text
    assert "09_zhandao" in client.get("/calls?date_from=2026-05-16&date_to=2026-05-16").text
    assert "private-1" not in client.get("/calls?date_from=2026-05-16&date_to=2026-05-16").text
    assert "09_zhandao" in client.get("/calls?rule=greeting.standard.v1").text
    assert client.get("/calls?score_min=abc&date_from=bad").status_code == 200


def test_upload_keeps_good_calls_and_lists_bad_records(client, tmp_path):
    csrf = login(client, "lead")
    good = '{"id": "up-1", "meta": {"agent_id": "3145", "date": "2026-06-01"}, "turns": [{"speaker": "agent", "text": "您好，12345热线，请问有什么可以帮您？"}, {"speaker": "citizen", "text": "路灯坏了"}]}'
    jsonl = f"{good}\n{{broken\n{good.replace('up-1', 'up-2')}\n"
    files = [
        ("files", ("calls.jsonl", io.BytesIO(jsonl.encode()), "application/json")),
        ("files", ("dialog.txt", io.BytesIO("坐席：您好，请问有什么可以帮您？\n市民：我要咨询社保。\n坐席：好的，再见。".encode()), "text/plain")),
        ("files", ("empty.csv", io.BytesIO(b""), "text/csv")),
    ]
    resp = client.post("/upload", data={"csrf_token": csrf}, files=files, follow_redirects=False)
    assert resp.status_code == 303
    page = client.get(resp.headers["location"]).text
    assert 'data-status="done"' in page
    assert re.search(r'id="calls-ok">3<', page)
    assert "calls.jsonl" in page and "empty.csv" in page and "未导入的记录" in page
    assert call_id(client.app.state.db_engine, "up-2") is not None
    uploads = client.app.state.settings.resolved_data_dir() / "uploads"
    assert not any(uploads.rglob("*.jsonl")), "uploaded copies must be removed after the import"
    progress = client.get(resp.headers["location"] + "/progress").text
    assert "hx-trigger" not in progress  # polling stops when the batch is done


def test_upload_without_files_is_refused_with_a_reason(client):
    csrf = login(client, "lead")
    resp = client.post("/upload", data={"csrf_token": csrf}, files=[("files", ("", io.BytesIO(b""), "text/plain"))])
    assert resp.status_code in (400, 422) and ("请选择" in resp.text or "请检查" in resp.text)


def precision_cells(client, rule_id: str) -> tuple[str, str, str]:
    row = re.search(rf'<tr data-rule="{re.escape(rule_id)}">(.*?)</tr>', client.get("/rules").text, re.S).group(1)
    get = lambda cls: re.search(rf'class="{cls}">([^<]*)<', row).group(1)  # noqa: E731
    return get("reviewed"), get("confirmed"), get("precision")


def test_review_changes_the_rule_precision(client, seed):
    csrf = login(client, "lead")
    with client.app.state.factory() as db:
        from hotline.store.models import FindingRow

        rule_id = db.get(FindingRow, seed.unreviewed).rule_id
    before = precision_cells(client, rule_id)
    resp = client.post(f"/findings/{seed.unreviewed}/review", data={"csrf_token": csrf, "verdict": "overturned", "note": "误报"}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].endswith(f"#f-{seed.unreviewed}")
    after = precision_cells(client, rule_id)
    assert int(after[0]) == int(before[0]) + 1 and after[1] == before[1]
    assert after[2].endswith("%")


def test_appeal_then_lead_decides(client, seed):
    csrf = login(client, "trainee")
    page = client.get(f"/calls/{seed.own_call}").text
    assert f'action="/findings/{seed.appealable}/appeal"' in page
    resp = client.post(f"/findings/{seed.appealable}/appeal", data={"csrf_token": csrf, "reason": "市民先说的"}, follow_redirects=False)
    assert resp.status_code == 303
    again = client.post(f"/findings/{seed.appealable}/appeal", data={"csrf_token": csrf, "reason": "再来一次"})
    assert again.status_code == 400 and "只能申诉一次" in again.text
    client.cookies.clear()
    csrf = login(client, "lead")
    appeals = client.get("/appeals").text
    assert "市民先说的" in appeals and "申诉成立" in appeals
    appeal_id = int(re.findall(r'action="/appeals/(\d+)/decide"', appeals)[-1])
    client.post(f"/appeals/{appeal_id}/decide", data={"csrf_token": csrf, "outcome": "upheld", "note": "确为复述"})
    client.cookies.clear()
    login(client, "trainee")
    page = client.get(f"/calls/{seed.own_call}").text
    assert "申诉成立" in page and "确为复述" in page


def test_only_the_reviewers_lead_or_an_admin_decides(client, seed):
    csrf = login(client, "reviewer")
    resp = client.post(f"/appeals/{seed.appeal}/decide", data={"csrf_token": csrf, "outcome": "upheld"})
    assert resp.status_code == 400 and "组长或管理员" in resp.text


def test_excel_export_has_chinese_headers_and_masks(client):
    login(client, "trainer")
    resp = client.get("/calls/export.xlsx")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["质检结果", "质检发现"]
    results = list(wb["质检结果"].values)
    assert results[0][:6] == ("通话编号", "坐席工号", "坐席姓名", "通话日期", "来电号码", "总分")
    assert {r[0] for r in results[1:]} == {"09_zhandao_curt_agent", "private-1"}
    text = " ".join(str(c) for sheet in wb for row in sheet.values for c in row if c is not None)
    assert PHONE not in text and ID_NUMBER not in text and "138****5678" in text
    assert len(audit_actions(client, "export.xlsx")) == 1


def test_unmasked_export_is_for_permitted_roles_and_audited(client):
    csrf = login(client, "lead")
    assert 'id="export-full"' in client.get("/calls").text
    assert PHONE not in " ".join(str(c) for sheet in load_workbook(io.BytesIO(client.get("/calls/export.xlsx?unmasked=1").content))
                                  for row in sheet.values for c in row)
    resp = client.post("/calls/export.xlsx", data={"csrf_token": csrf})
    assert resp.headers["cache-control"] == "no-store"
    wb = load_workbook(io.BytesIO(resp.content))
    text = " ".join(str(c) for sheet in wb for row in sheet.values for c in row if c is not None)
    assert PHONE in text
    entries = audit_actions(client, "export.xlsx")
    assert [e.detail["unmasked"] for e in entries] == [False, True]
    client.cookies.clear()
    csrf = login(client, "trainer")
    assert 'id="export-full"' not in client.get("/calls").text
    assert client.post("/calls/export.xlsx", data={"csrf_token": csrf}).status_code == 403


def test_export_respects_filters(client):
    login(client, "lead")
    wb = load_workbook(io.BytesIO(client.get("/calls/export.xlsx?agent=2001").content))
    assert [r[0] for r in list(wb["质检结果"].values)[1:]] == ["private-1"]


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/logout", {}),
        ("/password", {"old": "x", "new": "y", "repeat": "y"}),
        ("/findings/{f}/review", {"verdict": "confirmed"}),
        ("/admin/teams", {"name": "三组"}),
    ],
)
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_forms_without_the_csrf_token_are_refused(client, seed, path, form, token):
    login(client, "admin")
    data = dict(form, **({"csrf_token": token} if token else {}))
    resp = client.post(path.format(f=seed.unreviewed), data=data, follow_redirects=False)
    assert resp.status_code == 403 and "安全令牌" in resp.text


def test_login_errors_and_safe_redirects(client):
    page = client.get("/login?next=/rules")
    bad = client.post("/login", data={"username": "lead", "password": "wrong", "csrf_token": csrf_of(page.text)})
    assert bad.status_code == 200 and "用户名或密码不正确" in bad.text
    page = client.get("/login")
    resp = client.post("/login", data={"username": "lead", "password": "password-123", "csrf_token": csrf_of(page.text), "next": "//evil.example/"}, follow_redirects=False)
    assert resp.headers["location"] == "/overview"
    assert "hotline_session" in resp.headers["set-cookie"] and "HttpOnly" in resp.headers["set-cookie"]


def test_repeated_failed_logins_lock_the_account_for_a_while(client):
    for _ in range(5):
        page = client.get("/login")
        client.post("/login", data={"username": "trainer", "password": "guess-123", "csrf_token": csrf_of(page.text)})
    page = client.get("/login")
    resp = client.post("/login", data={"username": "trainer", "password": "password-123", "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert resp.status_code == 200 and "失败次数过多" in resp.text
    login(client, "lead")  # other accounts are not affected


def test_login_redirects_back_to_the_page_asked_for(client):
    resp = client.get("/rules", follow_redirects=False)
    assert resp.headers["location"] == "/login?next=/rules"
    page = client.get(resp.headers["location"])
    done = client.post("/login", data={"username": "lead", "password": "password-123", "csrf_token": csrf_of(page.text), "next": "/rules"}, follow_redirects=False)
    assert done.headers["location"] == "/rules"


def test_password_change_and_logout(client):
    csrf = login(client, "trainer")
    mismatch = client.post("/password", data={"csrf_token": csrf, "old": "password-123", "new": "new-pass-123", "repeat": "other-pass-1"})
    assert mismatch.status_code == 400 and "不一致" in mismatch.text
    resp = client.post("/password", data={"csrf_token": csrf, "old": "password-123", "new": "new-pass-123", "repeat": "new-pass-123"}, follow_redirects=False)
    assert resp.headers["location"] == "/login?changed=1"
    assert client.get("/overview", follow_redirects=False).status_code == 303
    csrf = login(client, "trainer", "new-pass-123")
    client.post("/logout", data={"csrf_token": csrf})
    assert client.get("/overview", follow_redirects=False).headers["location"].startswith("/login")


def test_admin_creates_users_and_teams(client):
    csrf = login(client, "admin")
    client.post("/admin/teams", data={"csrf_token": csrf, "name": "夜班组"})
    page = client.get("/admin/users").text
    team_id = re.search(r'<option value="(\d+)">夜班组</option>', page).group(1)
    form = {"csrf_token": csrf, "username": "zhao", "password": "long-pass-1", "role": "trainee", "team_id": team_id, "agent_code": "4001", "display_name": "赵六"}
    assert client.post("/admin/users", data=form, follow_redirects=False).status_code == 303
    dup = client.post("/admin/users", data=form)
    assert dup.status_code == 400 and "已被使用" in dup.text
    client.cookies.clear()
    login(client, "zhao", "long-pass-1")
    assert client.get("/calls").status_code == 200
    client.cookies.clear()
    login(client, "admin")
    audit = client.get("/admin/audit?action=user.create").text
    assert "创建用户" in audit and "zhao" in audit


def test_overview_figures_and_chart_data(client):
    login(client, "trainer")
    page = client.get("/overview").text
    assert re.search(r'id="fig-calls">2<', page)
    chart = re.search(r"data-chart='([^']+)'", page).group(1)
    import html
    import json

    data = json.loads(html.unescape(chart))
    assert len(data["bins"]) == 10 and sum(data["counts"]) == 2


def test_assets_are_served_locally_and_pages_forbid_remote_scripts(client):
    resp = client.get("/assets/echarts.min.js")
    assert resp.status_code == 200 and len(resp.content) > 100_000
    assert client.get("/assets/unknown.js").status_code == 404
    login_page = client.get("/login")
    assert "script-src 'self'" in login_page.headers["content-security-policy"]
    assert "http://" not in login_page.text and "https://" not in login_page.text


def test_unknown_ids_give_chinese_404(client):
    login(client, "lead")
    assert "找不到该通话" in client.get("/calls/999999").text
    assert client.get("/batches/999999").status_code == 404
