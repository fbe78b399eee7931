"""Browser tests of part 2: Debian's chromium driven by Playwright against uvicorn on 127.0.0.1
(same launch options as tests/web/test_browser.py)."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from web2_helpers import GOOD_TURNS, PASSWORD, settings_for
from web_fixtures import running

from hotline.curriculum import load_curriculum
from hotline.store.db import make_engine, session_factory
from hotline.store.models import Attempt
from hotline.web.learning import quiz_paper

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(seeded_template, tmp_path_factory) -> Iterator[tuple[str, object]]:  # noqa: ANN001
    from hotline.web.app import create_app

    folder = tmp_path_factory.mktemp("browser2")
    shutil.copy(seeded_template[0], folder / "web.db")
    engine = make_engine(f"sqlite:///{folder / 'web.db'}")
    app = create_app(settings_for(folder), engine=engine)
    with running(app) as url:
        yield url, session_factory(engine)


@pytest.fixture
def page(browser, server):  # noqa: ANN001, ANN201
    context = browser.new_context(base_url=server[0], accept_downloads=True)
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


def test_read_a_lesson_and_pass_its_quiz(page, server):  # noqa: ANN001
    log_in(page, "trainee")
    page.click("header.top >> text=学习")
    page.click("#lessons >> text=服务禁语与推诿")
    assert page.locator(".lesson-body h2").count() >= 2
    page.click("#start-quiz")
    attempt_id = int(re.search(r"/learn/attempts/(\d+)", page.url).group(1))
    with server[1]() as db:
        seed = db.get_one(Attempt, attempt_id).seed
    questions = quiz_paper(load_curriculum(), "taboo", seed)
    for q in questions:
        box = page.locator(f'fieldset[data-qid="{q.id}"]')
        if q.type == "true_false":
            box.locator(f'input[value="{"对" if q.answer else "错"}"]').check()
        elif q.type != "rewrite":  # rewrites load the sentence model: covered by the curriculum tests
            for letter in q.correct_letters():
                box.locator(f'input[value="{letter}"]').check()
    page.click("#submit-paper")
    choice = [q for q in questions if q.type != "rewrite"]
    if len(choice) < len(questions):  # rewrites left blank: a warning first, a second click hands in
        page.wait_for_selector("#unanswered-warning:not([hidden])")
        assert f"还有 {len(questions) - len(choice)} 题未作答" in page.inner_text("#unanswered-warning")
        assert page.locator("#result").count() == 0
        page.click("#submit-paper")
    page.wait_for_selector("#result")
    assert page.locator("article.question.right").count() == len(choice)
    assert page.inner_text("#percent") == f"{100 * len(choice) / len(questions):.0f}"
    assert page.locator(".suggestion").count() == len(questions)  # every question explained
    page.goto("/learn")
    assert page.locator('tr[data-lesson="taboo"]').inner_text().count("已读") == 1


def test_complete_a_drill_to_its_debrief_and_retry(page):  # noqa: ANN001
    log_in(page, "trainee")
    page.goto("/drills")
    page.select_option("#pick-scenario", "noise-square-dance")
    page.click("#pick-start")
    page.wait_for_selector("#say-form")
    for n, text in enumerate(GOOD_TURNS, start=1):
        if page.locator("#call-ended").count():
            break
        page.fill("#say-text", text)
        page.click("#say-send")
        page.wait_for_function("n => document.querySelectorAll('#chat .bubble.citizen').length >= n"
                               " || document.getElementById('call-ended')", arg=n)
    assert page.locator("#chat .bubble.citizen").count() >= 3
    page.reload()  # the stored state continues the drill
    assert page.locator("#chat .bubble.agent").count() >= 3
    if page.locator("#end-call").count():
        page.click("#end-call")
    page.click("#suggest-btn")
    page.wait_for_selector("#apply-suggestion")
    page.click("#apply-suggestion")
    assert page.input_value("#f-category-1") != ""
    page.click("#submit-order")
    page.wait_for_selector('#mood-chart[data-rendered="1"]')
    assert page.locator("#mood-chart canvas").count() == 1
    assert re.fullmatch(r"\d+(\.\d)?", page.inner_text("#drill-total"))
    assert page.locator("#order-checks tr").count() >= 4
    first = page.url
    page.click("#retry")
    page.wait_for_selector("#say-form")
    assert page.url != first and "/debrief" not in page.url


def test_dashboard_draws_radar_and_trend_and_exports_excel(page):  # noqa: ANN001
    from openpyxl import load_workbook

    log_in(page, "lead")
    page.click("header.top >> text=看板")
    page.wait_for_selector('#radar-chart[data-rendered="1"]')
    page.wait_for_selector('#trend-chart[data-rendered="1"]')
    assert page.locator("#radar-chart canvas").count() == 1
    assert page.locator("#ranking tr[data-agent]").count() == 2
    with page.expect_download() as info:
        page.click("#export-dashboard")
    wb = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert wb.sheetnames == ["坐席排名", "得分趋势", "高频问题", "学习与演练"]
    assert wb["坐席排名"].max_row == 3


def test_change_a_rule_try_it_on_past_calls_and_save(page, server):  # noqa: ANN001
    log_in(page, "admin")
    page.goto("/rulebook")
    assert page.locator('tr[data-rule="forbidden.rushing.v1"]').count() == 1
    page.click("#edit-rulebook")
    page.fill("#yaml-text", "extends: default\nversion: 浏览器测试-1\nrules:\n  - title: 缺少编号\n")
    page.click("#try-rulebook")
    assert "规则缺少 id" in page.inner_text("#rulebook-error")
    page.fill("#yaml-text", "extends: default\nversion: 浏览器测试-1\ndisable: [forbidden.rushing.v1]\n")
    page.click("#try-rulebook")
    page.wait_for_selector("#try-result")
    assert int(page.inner_text("#try-disappeared")) >= 1 and int(page.inner_text("#try-calls")) >= 2
    assert page.locator('#try-result [data-rule="forbidden.rushing.v1"]').count() == 1
    page.fill("input[name=note]", "浏览器中保存")
    page.click("#save-rulebook")
    page.wait_for_selector("#rulebook-version")
    assert page.inner_text("#rulebook-version") == "浏览器测试-1"
    assert page.locator('tr[data-rule="forbidden.rushing.v1"]').count() == 0
    assert "浏览器中保存" in page.inner_text("#versions")
