"""Every page and export a role without the right to unmask can reach, followed link by link from
its home page, shows no citizen's phone (digits, Chinese numeral readings, landlines), ID number or
house number. The 工单 page leaked once because no test looked there: this one looks everywhere."""

from __future__ import annotations

import io
import re
from collections import deque

import pytest
from openpyxl import load_workbook
from web_helpers import OTHER_CODE, login

from hotline.inspect import default_engine
from hotline.model import Call, Speaker, Turn
from hotline.store.imports import store_call

MOBILE, READING, LANDLINE = "13987654321", "幺三九八七六五四三二幺", "010-62345678"
IDENTITY, HOUSE = "330106198805204417", "和平里7号楼3单元1102室"
LEAKS = [
    ("手机号", re.compile(r"(?<!\d)1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")),
    ("汉字读出的号码", re.compile(r"[零〇一二三四五六七八九幺两]{7,}")),
    ("固定电话", re.compile(r"(?<!\d)0\d{2,3}[ -]?\d{7,8}(?!\d)")),
    ("身份证号", re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")),
    ("门牌号", re.compile(r"7号楼|3单元|1102室")),
]
SKIP = ("/logout", "/static/", "/assets/", "/favicon")
# the scenario editor shows the YAML of simulated citizens: invented training personas, not citizens
FICTION = ("/authoring/scenario/",)
LIMIT = 160


def _pii_call() -> Call:
    turns = [
        Turn(Speaker.AGENT, f"您好，12345政务服务便民热线，{OTHER_CODE}号为您服务，请问有什么可以帮您？"),
        Turn(Speaker.CITIZEN, f"我手机{MOBILE}，也可以打座机{LANDLINE}，住{HOUSE}，身份证{IDENTITY}。"),
        Turn(Speaker.AGENT, "好的，请您再说一遍电话。"),
        Turn(Speaker.CITIZEN, f"{READING}。"),
        Turn(Speaker.AGENT, "好的，感谢您的来电，再见。"),
    ]
    return Call("pii-1", turns, {"agent_id": OTHER_CODE, "date": "2026-05-21", "caller_phone": MOBILE, "title": f"{HOUSE}漏水"})


@pytest.fixture
def pii_client(client):
    with client.app.state.factory() as db:
        call = _pii_call()
        row = store_call(db, call, default_engine().inspect(call), batch_id=None)
        db.commit()
        call_id = row.id
    csrf = login(client, "lead")  # an inspector saves a 工单 with the citizen's full details
    form = {"csrf_token": csrf, "caller_name": "王先生", "phone": MOBILE, "address": HOUSE, "summary": f"{HOUSE}漏水，电话{LANDLINE}",
            "request_type": "求助"}
    assert client.post(f"/orders/calls/{call_id}", data=form, follow_redirects=False).status_code == 303
    client.cookies.clear()
    return client, call_id


def _text(resp) -> str:
    if resp.headers.get("content-type", "").startswith("application/vnd.openxmlformats"):
        wb = load_workbook(io.BytesIO(resp.content))
        return "\n".join(" ".join(str(c) for c in row if c is not None) for ws in wb for row in ws.values)
    return resp.text


def _links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'(?:href|hx-get|src)="(/[^"#]*)', html)]


def crawl(client, start: list[str]) -> dict[str, str]:
    """Every page reachable by GET from ``start`` (up to LIMIT), by URL."""
    seen: dict[str, str] = {}
    todo = deque(start)
    while todo and len(seen) < LIMIT:
        url = todo.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        resp = client.get(url, follow_redirects=False)
        if resp.status_code != 200:
            seen[url] = ""
            continue
        seen[url] = _text(resp)
        if resp.headers.get("content-type", "").startswith("text/html"):
            todo.extend(link for link in _links(resp.text) if link not in seen)
    return seen


@pytest.mark.parametrize("username", ["trainer", "trainee2"])
def test_no_page_a_masked_role_reaches_shows_personal_details(pii_client, username):
    client, call_id = pii_client
    login(client, username)
    pages = crawl(client, ["/", f"/calls/{call_id}", f"/orders/calls/{call_id}", "/orders", "/calls/export.xlsx",
                           "/orders/export.xlsx", "/dashboard/export.xlsx"])
    assert f"/orders/calls/{call_id}" in pages and f"/calls/{call_id}" in pages
    assert pages[f"/calls/{call_id}"], "the call page must be reachable for this role"
    assert len(pages) > 20, sorted(pages)
    leaks = [(url, kind, m.group()) for url, text in pages.items() if not url.startswith(FICTION)
             for kind, rx in LEAKS for m in rx.finditer(text)]
    assert leaks == [], "\n".join(map(str, leaks))
    for value in (MOBILE, READING, LANDLINE, IDENTITY, "1102室"):
        assert not any(value in text for text in pages.values()), value
    # what they do see: the masked forms, and the agent's own 工号 readable in the greeting
    call_page = pages[f"/calls/{call_id}"]
    assert "139****4321" in call_page and "330106********4417" in call_page and f"{OTHER_CODE}号为您服务" in call_page


def test_the_order_form_is_masked_and_an_inspector_unmasks_it_with_an_audit_entry(pii_client):
    from sqlalchemy import select

    from hotline.store.models import AuditEntry

    client, call_id = pii_client
    csrf = login(client, "lead")
    page = client.get(f"/orders/calls/{call_id}").text
    assert MOBILE not in page and 'value="139****4321"' in page
    full = client.post(f"/orders/calls/{call_id}/unmask", data={"csrf_token": csrf})
    assert MOBILE in full.text and full.headers["cache-control"] == "no-store"
    with client.app.state.factory() as db:
        assert db.scalars(select(AuditEntry.action).where(AuditEntry.action == "order.view_unmasked")).all() == ["order.view_unmasked"]
