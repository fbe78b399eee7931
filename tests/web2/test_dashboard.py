"""看板 through HTTP: ranking, radar, trend, most-hit rules, learning progress, filters and export."""

from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook
from sqlalchemy import func, select
from web2_helpers import login

from hotline.store.models import Call, FindingRow, Scorecard


def _radar(page: str) -> dict:
    return json.loads(re.search(r"id=\"radar-chart\" class=\"chart\" data-chart='([^']+)'", page).group(1).replace("&#34;", '"'))


def test_ranking_radar_and_rules_agree_with_the_database(client):
    login(client, "lead")
    page = client.get("/dashboard").text
    with client.app.state.factory() as db:
        averages = dict(db.execute(select(Call.agent_code, func.avg(Scorecard.total)).join(Scorecard).group_by(Call.agent_code)).all())
        top_rule = db.execute(select(FindingRow.rule_id, func.count()).group_by(FindingRow.rule_id).order_by(func.count().desc())).first()
    rows = re.findall(r'<tr data-agent="([^"]+)">.*?<td class="avg">([\d.]+)</td>', page)
    assert [code for code, _ in rows] == sorted(averages, key=lambda c: -averages[c])
    assert all(abs(float(avg) - averages[code]) < 0.06 for code, avg in rows)
    assert top_rule[0] in page.split('id="top-rules"')[1]
    radar = _radar(page)
    assert radar["dimensions"] and len(radar["series"]) == 2
    assert all(v == "-" or 0 <= v <= 100 for s in radar["series"] for v in s["value"])  # "-": never applied
    assert "学员甲" in page.split('id="learners"')[1]


def test_agent_filter_narrows_every_table(client):
    login(client, "lead")
    page = client.get("/dashboard?agent=3145").text
    assert re.findall(r'<tr data-agent="([^"]+)">', page) == ["3145"]
    learners = page.split('id="learners"')[1]
    assert "学员甲" in learners and "学员乙" not in learners
    empty = client.get("/dashboard?date_from=2099-01-01").text
    assert "没有符合条件的通话" in empty


def test_excel_export_has_every_table_with_chinese_headers(client):
    login(client, "trainer")
    resp = client.get("/dashboard/export.xlsx")
    assert resp.status_code == 200 and "attachment" in resp.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["坐席排名", "得分趋势", "高频问题", "学习与演练"]
    assert wb["坐席排名"]["B1"].value == "坐席工号" and wb["坐席排名"].max_row == 3
    assert wb["高频问题"].max_row > 1 and wb["学习与演练"]["A2"].value
