"""工单 through HTTP: call orders suggested by extraction, checked by the engine, scoped per role."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from web2_helpers import ORDER, SCENARIO, login


def test_call_order_is_suggested_then_checked_and_listed(client, seed):
    csrf = login(client, "trainee")
    page = client.get(f"/orders/calls/{seed.own_call}").text
    assert "系统建议的工单" in page and 'name="category" value="' in page
    resp = client.post(f"/orders/calls/{seed.own_call}", data={"csrf_token": csrf, "request_type": "投诉", "summary": ""})
    assert "工单检查（" in resp.text and "已保存的工单" in resp.text
    assert "工单检查没有发现问题" not in resp.text  # an empty summary and category are findings
    listing = client.get("/orders").text
    assert 'id="call-orders"' in listing and "查看</a>" in listing
    wb = load_workbook(io.BytesIO(client.get("/orders/export.xlsx").content))
    assert wb.sheetnames == ["演练工单", "通话工单"] and wb["通话工单"]["A1"].value == "通话编号"
    assert wb["通话工单"].max_row == 2 and wb["通话工单"]["K2"].value >= 1


def test_trainee_cannot_write_an_order_for_another_agents_call(client, seed):
    csrf = login(client, "trainee")
    assert client.get(f"/orders/calls/{seed.other_call}").status_code == 403
    assert client.post(f"/orders/calls/{seed.other_call}", data={"csrf_token": csrf}).status_code == 403


def test_drill_orders_show_their_checks_to_staff(client):
    csrf = login(client, "trainee")
    drill = client.post("/drills", data={"csrf_token": csrf, "scenario_id": SCENARIO}).url.path
    client.post(f"{drill}/say", data={"csrf_token": csrf, "text": "您好，12345热线，请问有什么可以帮您？"})
    client.post(f"{drill}/order", data={"csrf_token": csrf, **ORDER, "department": "市交通运输局"})
    client.post("/logout", data={"csrf_token": csrf})
    login(client, "lead")
    page = client.get("/orders").text
    assert "学员甲" in page and '<span class="tag bad">承办部门</span>' in page
