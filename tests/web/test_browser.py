"""Browser tests: Debian's chromium driven by Playwright against a uvicorn server on 127.0.0.1."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_fixtures import running
from web_helpers import PASSWORD, settings_for

from hotline.content import data_path
from hotline.store.db import make_engine
from hotline.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(seeded_template, tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    folder = tmp_path_factory.mktemp("browser")
    shutil.copy(seeded_template[0], folder / "web.db")
    app = create_app(settings_for(folder), engine=make_engine(f"sqlite:///{folder / 'web.db'}"))
    with running(app) as url:
        yield url


@pytest.fixture
def page(browser, server):  # noqa: ANN001, ANN201
    context = browser.new_context(base_url=server, accept_downloads=True)
    context.set_default_timeout(20_000)
    pg = context.new_page()
    yield pg
    context.close()


def log_in(page, username: str) -> None:  # noqa: ANN001
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("header.top nav")


def test_upload_calls_and_open_a_finding(page, tmp_path):  # noqa: ANN001
    log_in(page, "lead")
    src = data_path("samples", "calls", "10_yibao_informal_you.txt")
    page.goto("/upload")
    page.set_input_files("input[type=file]", [str(src)])
    page.click("button[type=submit]")
    page.wait_for_selector('#batch-status[data-status="done"]', timeout=60_000)  # htmx polls the progress
    assert page.inner_text("#calls-ok") == "1"
    page.click("text=查看质检结果")
    page.click("text=10_yibao_informal_you")
    mark = page.locator("a.hl").first
    target = mark.get_attribute("href")
    mark.click()
    assert page.url.endswith(target)
    finding = page.locator(target)
    assert finding.is_visible() and "质检发现" in page.content()


def test_review_a_finding_and_see_the_rule_precision_change(page, seed):  # noqa: ANN001
    log_in(page, "lead")
    page.goto(f"/calls/{seed.own_call}")
    card = page.locator(f"#f-{seed.unreviewed}")
    rule_id = card.locator("code").inner_text()
    page.goto("/rules")
    row = page.locator(f'tr[data-rule="{rule_id}"]')
    before = int(row.locator(".reviewed").inner_text())
    page.goto(f"/calls/{seed.own_call}")
    card.locator("input[name=note]").fill("浏览器中确认")
    card.locator("button[value=confirmed]").click()
    page.wait_for_selector(f"#f-{seed.unreviewed} .verdict")
    assert page.locator(f"#f-{seed.unreviewed} .verdict").inner_text() == "确认"
    page.goto("/rules")
    assert int(row.locator(".reviewed").inner_text()) == before + 1
    assert row.locator(".precision").inner_text().endswith("%")


def test_appeal_a_confirmed_finding(page, seed):  # noqa: ANN001
    log_in(page, "trainee")
    page.goto(f"/calls/{seed.own_call}")
    card = page.locator(f"#f-{seed.appealable}")
    card.locator("input[name=reason]").fill("这是复述市民原话")
    card.locator("text=提出申诉").click()
    page.wait_for_selector(f"#f-{seed.appealable} .review-state")
    assert "待裁决" in page.locator(f"#f-{seed.appealable}").inner_text()
    assert page.locator(f"#f-{seed.appealable} input[name=reason]").count() == 0  # only once


def test_export_excel(page):  # noqa: ANN001
    from openpyxl import load_workbook

    log_in(page, "trainer")
    page.goto("/calls")
    with page.expect_download() as info:
        page.click("#export")
    data = Path(info.value.path()).read_bytes()
    wb = load_workbook(io.BytesIO(data))
    assert wb["质检结果"]["A1"].value == "通话编号" and wb["质检结果"].max_row >= 3


def test_trainee_is_refused_another_agents_call(page, seed):  # noqa: ANN001
    log_in(page, "trainee")
    resp = page.goto(f"/calls/{seed.other_call}")
    assert resp.status == 403
    assert "只能查看自己的通话" in page.inner_text("main")


def test_overview_chart_renders_from_local_echarts(page):  # noqa: ANN001
    log_in(page, "lead")
    page.goto("/overview")
    page.wait_for_selector('#score-chart[data-rendered="1"]')
    assert page.locator("#score-chart canvas").count() == 1
    assert re.fullmatch(r"\d+", page.inner_text("#fig-calls"))
