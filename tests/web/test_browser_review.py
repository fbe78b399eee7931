"""Browser tests of the review workflow and account security: the queue with its keyboard shortcuts,
bulk review that changes the score, an upheld appeal raising the score, an administrator unlocking
an account and resetting its password, the forced change of a temporary password, the navigation
from 1024 to 1920 px."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from web_fixtures import running
from web_helpers import PASSWORD, settings_for

from hotline.store.db import make_engine
from hotline.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(seeded_template, tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    folder = tmp_path_factory.mktemp("browser-review")
    shutil.copy(seeded_template[0], folder / "web.db")
    app = create_app(settings_for(folder), engine=make_engine(f"sqlite:///{folder / 'web.db'}"))
    with running(app) as url:
        yield url


@pytest.fixture
def context(browser, server):  # noqa: ANN001, ANN201
    ctx = browser.new_context(base_url=server, viewport={"width": 1440, "height": 900})
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):  # noqa: ANN001, ANN201
    return context.new_page()


def _engine_card():  # noqa: ANN202
    """What the engine makes of the seeded private call (the tests follow it as the rules evolve)."""
    from web_helpers import private_call

    from hotline.inspect import default_engine

    return default_engine().inspect(private_call())


def log_in(page, username: str, password: str = PASSWORD) -> None:  # noqa: ANN001
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def total(page) -> float:  # noqa: ANN001
    return float(page.inner_text("#total"))


def test_queue_shortcuts_and_bulk_overturn_change_the_score(page, seed):  # noqa: ANN001
    card = _engine_card()
    findings = len(card.findings)
    log_in(page, "lead")
    page.goto(f"/calls/{seed.other_call}")
    assert total(page) == card.total and page.locator("#veto").count() == int(card.vetoed)
    page.goto("/review?status=unreviewed&level=all")
    rows = page.locator("#queue tbody tr[data-call]")
    order = [rows.nth(i).get_attribute("data-call") for i in range(rows.count())]
    assert str(seed.other_call) in order
    for _ in range(order.index(str(seed.other_call)) + 1):
        page.keyboard.press("j")
    assert page.locator("#queue tr.active").get_attribute("data-call") == str(seed.other_call)
    page.keyboard.press("x")
    assert page.locator(f'#queue input[value="{seed.other_call}"]').is_checked()
    page.fill("#bulk-calls input[name=note]", "浏览器批量推翻")
    page.click("#bulk-overturn")
    page.wait_for_selector("#bulk-result")
    assert f"已复核 {findings} 条发现" in page.inner_text("#bulk-result")
    assert page.locator(f'#queue tr[data-call="{seed.other_call}"]').count() == 0  # no longer unreviewed
    page.goto(f"/calls/{seed.other_call}")
    assert total(page) == 100.0 and page.locator("#veto").count() == 0
    assert f"引擎原始得分 {card.total:.1f}" in page.inner_text("#engine-score")
    assert page.locator("#score-history tr").count() == findings + 1
    page.goto("/calls")
    row = page.locator(f'tr[data-call="{seed.other_call}"]')
    assert row.locator(".score").inner_text().startswith("100.0") and "已改" in row.inner_text()


def test_call_page_shortcuts_confirm_the_chosen_finding(page, seed):  # noqa: ANN001
    log_in(page, "lead")
    page.goto(f"/calls/{seed.own_call}")
    cards = page.locator("article.finding[data-finding]")
    ids = [cards.nth(i).get_attribute("data-finding") for i in range(cards.count())]
    target = ids.index(str(seed.unreviewed))
    for _ in range(target + 1):
        page.keyboard.press("j")
    assert page.locator("article.finding.active").get_attribute("data-finding") == str(seed.unreviewed)
    page.keyboard.press("c")
    page.wait_for_url(re.compile(rf".*#f-{seed.unreviewed}$"))
    assert page.locator(f"#f-{seed.unreviewed} .verdict").inner_text() == "确认"


def test_an_upheld_appeal_raises_the_score(browser, server, seed):  # noqa: ANN001
    trainee = browser.new_context(base_url=server).new_page()
    log_in(trainee, "trainee")
    trainee.goto(f"/calls/{seed.own_call}")
    before = total(trainee)
    card = trainee.locator(f"#f-{seed.appealable}")
    card.locator("input[name=reason]").fill("这句是在复述市民的话")
    card.locator("text=提出申诉").click()
    trainee.wait_for_selector(f"#f-{seed.appealable} .review-state")
    lead = browser.new_context(base_url=server).new_page()
    log_in(lead, "lead")
    lead.goto("/appeals")
    item = lead.locator("article.appeal", has_text="这句是在复述市民的话")
    item.locator("input[name=note]").fill("确为复述")
    item.locator("button[value=upheld]").click()
    lead.wait_for_load_state()
    trainee.goto(f"/calls/{seed.own_call}")
    assert total(trainee) > before
    assert "申诉裁决：申诉成立" in trainee.inner_text("#score-history") and "确为复述" in trainee.inner_text("#score-history")
    trainee.context.close()
    lead.context.close()


def test_admin_unlocks_resets_and_the_user_must_change_the_password(browser, server):  # noqa: ANN001
    user = browser.new_context(base_url=server).new_page()
    for _ in range(5):
        log_in(user, "trainer", "Wrong-guess-1")
    log_in(user, "trainer")
    assert "已暂时锁定" in user.inner_text("main")
    admin = browser.new_context(base_url=server).new_page()
    log_in(admin, "admin")
    admin.goto("/admin/users")
    assert "已锁定" in admin.locator('tr[data-user="trainer"]').inner_text()
    admin.locator('tr[data-user="trainer"] >> text=编辑').click()
    admin.click("#unlock")
    admin.wait_for_selector("#unlocked")
    admin.click("#reset")
    temporary = admin.inner_text("#new-password code")
    log_in(user, "trainer", temporary)
    user.wait_for_selector("#password-required")
    assert user.locator("#main-nav").count() == 0
    user.goto("/overview")
    assert "/password" in user.url
    user.fill("input[name=old]", temporary)
    user.fill("input[name=new]", "trainer-2026!")
    user.fill("input[name=repeat]", "trainer-2026!")
    user.click("button[type=submit]")
    assert "用户名" in user.inner_text(".error")  # the policy, with the reason
    user.fill("input[name=old]", temporary)
    user.fill("input[name=new]", "Peixun-2026!")
    user.fill("input[name=repeat]", "Peixun-2026!")
    user.click("button[type=submit]")
    user.wait_for_url(re.compile(r".*/login\?changed=1"))
    log_in(user, "trainer", "Peixun-2026!")
    user.goto("/overview")
    assert user.url.endswith("/overview") and user.locator("#main-nav").count() == 1
    admin.goto("/admin/audit?action=user.unlock")
    assert "解除锁定" in admin.inner_text("#audit") and "用户名 trainer" in admin.inner_text("#audit")
    user.context.close()
    admin.context.close()


@pytest.mark.parametrize("width", [1024, 1280, 1440, 1920])
def test_the_navigation_keeps_whole_links_on_one_line(browser, server, width):  # noqa: ANN001
    page = browser.new_context(base_url=server, viewport={"width": width, "height": 800}).new_page()
    log_in(page, "admin")
    page.goto("/admin/users")
    boxes = page.eval_on_selector_all("#main-nav a", "els => els.map(e => [e.textContent, e.getBoundingClientRect().height])")
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#main-nav a')).lineHeight)")
    assert len(boxes) >= 14
    assert all(h <= line * 1.3 for _, h in boxes), boxes  # no link broken over two lines
    header = page.eval_on_selector("header.top", "e => e.getBoundingClientRect().height")
    assert header < 180
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the window
    page.context.close()


def test_the_recording_plays_in_step_with_the_turns(page, tmp_path):  # noqa: ANN001
    import json
    import wave

    audio = tmp_path / "rec-sync.wav"
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 8000 * 6)  # six seconds of silence
    transcript = tmp_path / "rec-sync.json"
    transcript.write_text(json.dumps({"id": "rec-sync", "meta": {"agent_id": "3145"}, "turns": [
        {"speaker": "agent", "text": "您好，12345热线，请问有什么可以帮您？", "start": 0.0, "end": 2.0},
        {"speaker": "citizen", "text": "我家门口的路灯坏了。", "start": 2.5, "end": 4.5},
        {"speaker": "agent", "text": "好的，感谢您的来电，再见。", "start": 5.0, "end": 6.0}]}, ensure_ascii=False), encoding="utf-8")
    log_in(page, "lead")
    page.goto("/upload")
    page.set_input_files("input[type=file]", [str(transcript), str(audio)])
    page.click("button[type=submit]")
    page.wait_for_selector('#batch-status[data-status="done"]', timeout=60_000)
    page.goto("/calls?q=rec-sync")
    page.click("text=rec-sync")
    _until(page, "document.getElementById('player').readyState >= 1")
    page.click('#t-1 .seek')  # the turn's time seeks the player
    _until(page, "document.body.dataset.playing === 't-1'")
    assert "playing" in page.get_attribute("#t-1", "class")
    assert 2.5 <= page.evaluate("document.getElementById('player').currentTime") < 4.5


def _until(page, expression: str, seconds: float = 20) -> None:  # noqa: ANN001
    """Poll ``expression`` (the page's CSP forbids the eval behind wait_for_function)."""
    import time

    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)
