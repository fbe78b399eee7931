"""Browser test (headless Debian chromium): the review queue ordered by triage with its reasons,
and the citizen block of a call page (emotion beside each citizen turn, trajectory, predicted
dissatisfaction, escalation evidence, triage level)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from test_browser_review import log_in
from web_fixtures import running
from web_helpers import TRAINEE_CODE, settings_for

from hotline.content import data_path
from hotline.formats import read_call
from hotline.inspect import default_engine
from hotline.store.db import make_engine, session_factory
from hotline.store.imports import store_call
from hotline.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(seeded_template, tmp_path_factory) -> Iterator[tuple[str, int, object]]:  # noqa: ANN001
    folder = tmp_path_factory.mktemp("browser-citizen")
    shutil.copy(seeded_template[0], folder / "web.db")
    engine = make_engine(f"sqlite:///{folder / 'web.db'}")
    call = read_call(data_path("samples", "calls", "16_saorao_retort.txt"))
    call.meta.update(agent_id=TRAINEE_CODE)
    card = default_engine().inspect(call)
    calm = read_call(data_path("samples", "calls", "03_shebao_elderly_consult.txt"))  # auto-pass
    with session_factory(engine)() as db:
        call_id = store_call(db, call, card, batch_id=None).id
        calm_id = store_call(db, calm, default_engine().inspect(calm), batch_id=None).id
        db.commit()
    with running(create_app(settings_for(folder), engine=engine)) as url:
        yield url, call_id, card, calm_id
    engine.dispose()


def test_queue_order_and_reason_then_the_citizen_block(browser, server):  # noqa: ANN001
    url, call_id, card, calm = server
    page = browser.new_context(base_url=url, viewport={"width": 1440, "height": 900}).new_page()
    log_in(page, "lead")
    page.goto("/review?status=")
    rows = page.locator("#queue tbody tr[data-call]")
    levels = [rows.nth(i).locator(".level").inner_text() for i in range(rows.count())]
    rank = {"必须复核": 0, "抽检": 1, "未分流": 2, "自动通过": 3}
    assert levels and levels == sorted(levels, key=rank.__getitem__) and "自动通过" not in levels
    first = rows.first
    assert first.get_attribute("data-call") == str(call_id)
    assert first.locator(".reasons").inner_text() == "；".join(card.review.reasons)
    assert page.locator(f'#queue tr[data-call="{calm}"]').count() == 0  # auto-pass
    page.select_option("#level-filter", "auto_pass")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(f'#queue tr[data-call="{calm}"]').count() == 1
    page.goto("/review?status=")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/calls/{call_id}")
    assert page.inner_text("#triage-level") == "必须复核"
    block = card.citizen
    for turn, anger in block.anger:
        badge = page.locator(f"#t-{turn} .emo")
        assert badge.is_visible() and f"怒 {anger:.2f}" in badge.inner_text()
    assert page.locator("#t-0 .emo").count() == 0  # the agent's turn has none
    trajectory = page.inner_text("#trajectory")
    assert f"峰值 {block.peak:.2f}" in trajectory and f"第 {block.peak_turn + 1} 句" in trajectory
    assert f"{block.dissatisfaction:.2f}" in page.inner_text("#dissatisfaction")
    kind, turn, evidence = block.escalation[0]
    assert kind in page.inner_text("#escalation") and evidence in page.inner_text("#escalation")
    page.click(f'#escalation a[href="#t-{turn}"]')
    assert page.evaluate("location.hash") == f"#t-{turn}"
    page.context.close()
