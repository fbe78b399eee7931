"""Importing transcripts whose labels do not say who the agent is: the roles come from the words, a
low-confidence guess is listed on the batch and shown on the call, and an inspector can swap it."""

from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook
from sqlalchemy import select
from web_helpers import call_id, login

from hotline.store.models import AuditEntry
from hotline.store.models import Call as CallRow

CLEAR = {"id": "asr-clear", "meta": {"agent_id": "3145"}, "turns": [
    {"speaker": "说话人1", "text": "我想反映一下，我家楼下的路灯坏了。"},
    {"speaker": "说话人2", "text": "您好，12345热线，请问具体在哪个小区？我帮您登记。"}]}
UNSURE = {"id": "asr-unsure", "meta": {"agent_id": "3145"}, "turns": [
    {"speaker": "说话人1", "text": "嗯，是这样。"}, {"speaker": "说话人2", "text": "好的，知道了。"}]}
FORMULA = {"id": "=HYPERLINK(\"http://x\",\"点此\")", "meta": {"agent_id": "3145"}, "turns": [
    {"speaker": "坐席", "text": "+您好，请问有什么可以帮您？"}, {"speaker": "市民", "text": "=1+1 @SUM(A1)"}]}


def upload(client, csrf: str, *records: dict) -> str:
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    resp = client.post("/upload", data={"csrf_token": csrf}, files=[("files", ("asr.jsonl", io.BytesIO(body), "application/json"))],
                       follow_redirects=False)
    assert resp.status_code == 303
    return client.get(resp.headers["location"]).text


def test_roles_inferred_on_import_low_confidence_listed_and_swappable(client):
    csrf = login(client, "lead")
    page = upload(client, csrf, CLEAR, UNSURE)
    assert re.search(r'id="calls-ok">2<', page) and re.search(r'id="rejected">0<', page)
    assert "说话人角色需要核对" in page and "asr-unsure" in page and "asr-clear" not in page.split("需要核对")[1]
    engine = client.app.state.db_engine
    clear, unsure = call_id(engine, "asr-clear"), call_id(engine, "asr-unsure")
    with client.app.state.factory() as db:
        assert [t["speaker"] for t in db.get(CallRow, clear).turns] == ["citizen", "agent"]
    call_page = client.get(f"/calls/{unsure}").text
    assert 'id="roles-note"' in call_page and "置信度低" in call_page and 'id="swap-roles"' in call_page

    resp = client.post(f"/calls/{unsure}/swap-roles", data={"csrf_token": csrf}, follow_redirects=False)
    assert resp.status_code == 303
    with client.app.state.factory() as db:
        row = db.get(CallRow, unsure)
        assert [t["speaker"] for t in row.turns] == ["citizen", "agent"]
        assert row.meta["speaker_roles"]["method"] == "swapped" and len(row.scorecards) == 2
        [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "call.swap_roles"))
        assert entry.target_id == str(unsure)
    assert "已由质检员对调" in client.get(f"/calls/{unsure}").text


def test_trainee_sees_no_swap_button(client, seed):
    login(client, "trainee")
    page = client.get(f"/calls/{seed.own_call}").text
    assert 'id="swap-roles"' not in page


def test_exported_cells_never_become_formulas(client):
    csrf = login(client, "lead")
    upload(client, csrf, FORMULA)
    wb = load_workbook(io.BytesIO(client.get("/calls/export.xlsx?unmasked=1").content))
    cells = [c for sheet in wb for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "'=HYPERLINK(\"http://x\",\"点此\")" in texts
    results = wb["质检结果"]
    assert results.freeze_panes == "A2" and results.auto_filter.ref and results["A1"].font.b


def test_exported_deductions_are_the_real_ones(client):
    login(client, "lead")
    wb = load_workbook(io.BytesIO(client.get("/calls/export.xlsx").content))
    rows = list(wb["质检发现"].values)
    col = rows[0].index("实际扣分")
    per_call: dict[str, float] = {}
    for row in rows[1:]:
        per_call[row[0]] = per_call.get(row[0], 0.0) + row[col]
    assert per_call
    with client.app.state.factory() as db:
        for external_id, taken in per_call.items():
            card = db.scalar(select(CallRow).where(CallRow.external_id == external_id)).scorecard
            lost = sum(card.max_dimensions[d] - got for d, got in (card.engine_dimensions or card.dimensions).items())
            assert abs(taken - lost) < 1e-6, external_id
            assert sum(f.points for f in card.findings) > taken or external_id != "09_zhandao_curt_agent"
