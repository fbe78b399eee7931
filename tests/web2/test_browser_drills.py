"""Browser tests of issue 15 in Debian's chromium: the hint on a veto rule is on screen before the citizen
answers; the full 工单 form (cascading category, a suggestion per field, a refused field kept with its
message) round trip; exam drills with one attempt and a granted retry; team scope; one colour scale for moods."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from web2_helpers import GOOD_TURNS, settings_for, two_teams
from web_fixtures import browser_log_in as log_in
from web_fixtures import running

from hotline.store.db import make_engine, session_factory
from hotline.store.models import Drill

pytestmark = pytest.mark.browser
GREET = GOOD_TURNS[0]


@pytest.fixture(scope="module")
def server(seeded_template, tmp_path_factory) -> Iterator[tuple[str, object]]:  # noqa: ANN001
    from hotline.web.app import create_app

    folder = tmp_path_factory.mktemp("browser-drills")
    shutil.copy(seeded_template[0], folder / "web.db")
    engine = make_engine(f"sqlite:///{folder / 'web.db'}")
    factory = session_factory(engine)
    with factory() as db:
        two_teams(db)
    app = create_app(settings_for(folder), engine=engine)
    with running(app) as url:
        yield url, factory


@pytest.fixture
def page(browser, server):  # noqa: ANN001, ANN201
    context = browser.new_context(base_url=server[0])
    context.set_default_timeout(20_000)
    pg = context.new_page()
    yield pg
    context.close()


def start(page, scenario: str, hints: bool = True) -> None:  # noqa: ANN001
    page.goto("/drills")
    page.select_option("#pick-scenario", scenario)
    page.set_checked("#pick-hints", hints)
    page.click("#pick-start")
    page.wait_for_selector("#say-form")


def say(page, text: str) -> None:  # noqa: ANN001
    n = page.locator("#chat .bubble.citizen").count()
    page.fill("#say-text", text)
    page.click("#say-send")
    page.wait_for_function("n => document.querySelectorAll('#chat .bubble.citizen').length > n"
                           " || document.getElementById('call-ended')", arg=n)


# records, in order, every hint and citizen bubble as it enters the page (across htmx swaps)
WATCH = """() => {
  window.seen = [];
  const note = el => { if (el.matches && el.matches('.hint, .bubble.citizen')) {
      const key = (el.dataset.rule || 'citizen') + '|' + el.textContent.trim();
      if (!window.seen.includes(key)) window.seen.push(key); } };
  new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n => {
      if (n.nodeType !== 1) return; note(n); n.querySelectorAll('.hint, .bubble.citizen').forEach(note); })))
    .observe(document.body, {childList: true, subtree: true});
  document.querySelectorAll('.hint, .bubble.citizen').forEach(note);
}"""


def test_the_hint_on_a_veto_rule_comes_before_the_citizens_answer(page):  # noqa: ANN001
    log_in(page, "trainee")
    start(page, "gas-leak-transfer")
    say(page, GREET)  # the caller smells gas
    page.evaluate(WATCH)
    say(page, "请问您贵姓？")
    seen = page.evaluate("window.seen")
    hint = next(i for i, k in enumerate(seen) if k.startswith("special.emergency_transfer.v1|"))
    answers = [i for i, k in enumerate(seen) if k.startswith("citizen|")]
    assert answers and hint < answers[-1], seen  # on screen before the answer to that turn
    assert "一票否决" in seen[hint] and "更好的说法" in seen[hint]
    assert page.locator('.hint[data-rule="special.emergency_transfer.v1"]').count() == 1
    say(page, "麻烦您留个电话。") if not page.locator("#call-ended").count() else None
    assert page.locator('.hint[data-rule="special.emergency_transfer.v1"]').count() == 1  # shown once


def test_the_full_order_form_round_trip(page, server):  # noqa: ANN001
    log_in(page, "trainee")
    start(page, "noise-square-dance", hints=False)
    for text in GOOD_TURNS[:5]:
        say(page, text)
    page.click("#end-call")
    page.click("#suggest-btn")
    page.wait_for_selector('.field[data-name="phone"] .use-suggestion')
    page.click('.field[data-name="phone"] .use-suggestion')
    assert page.input_value("#f-phone") == "13700552481"
    for level, name in enumerate(["公安政法", "噪声扰民", "广场舞噪声"], start=1):  # each level offers its children
        page.select_option(f"#f-category-{level}", name)
    assert page.locator("#f-category-3 option").count() > 1
    page.select_option("#f-request_type", "投诉")
    page.select_option("#f-urgency", "一般")
    page.select_option("#f-deadline", "7 个工作日内")
    page.fill("#f-caller_name", "孙文博")
    page.fill("#f-address", "高新区科学大道翰林苑小区中心广场")
    page.fill("#f-event_time", "每晚19:30到21:30")
    page.fill("#f-department", "高新区公安分局")
    page.fill("#f-summary", "小区中心广场每晚广场舞音响音量过大，要求限定音量和时段")
    page.fill("#f-phone", "137005")  # refused: the page comes back with the message and what was typed
    page.click("#submit-order")
    page.wait_for_selector("#err-phone")
    assert "联系电话应为" in page.inner_text("#err-phone")
    assert page.input_value("#f-caller_name") == "孙文博" and page.input_value("#f-category-3") == "广场舞噪声"
    page.fill("#f-phone", "13700552481")
    page.click("#submit-order")
    page.wait_for_selector("#order-checks")
    rows = {r.locator("td").first.inner_text(): r.inner_text() for r in page.locator("#order-checks tr").all()[1:]}
    for label in ("来电人姓名", "联系电话", "地址", "事项分类", "承办部门", "紧急程度", "办理时限"):
        assert "✔" in rows[label], rows
    drill_id = int(re.search(r"/drills/(\d+)/debrief", page.url).group(1))
    with server[1]() as db:
        order = db.get_one(Drill, drill_id).order
    assert order["category"] == "公安政法 › 噪声扰民 › 广场舞噪声" and order["deadline"] == "7 个工作日内"


def _assign(page, title: str, team: str | None = None) -> int:  # noqa: ANN001
    log_in(page, "trainer")
    page.goto("/drills")
    page.fill('#new-assignment input[name="title"]', title)
    page.select_option('#new-assignment select[name="scenario_id"]', "noise-square-dance")
    if team:
        page.select_option('#new-assignment select[name="team_id"]', label=team)
    page.click("#new-assignment button")
    page.wait_for_selector("#assignment-results")
    return int(re.search(r"/assignments/(\d+)", page.url).group(1))


def test_an_exam_drill_is_taken_once_until_a_retry_is_granted(page):  # noqa: ANN001
    assignment = _assign(page, "一次考核", "一组")
    page.context.clear_cookies()
    log_in(page, "trainee")
    page.goto("/drills")
    row = page.locator(f'tr[data-assignment="{assignment}"]')
    row.locator(".take-exam").click()
    page.wait_for_selector("#say-form")
    assert page.locator("#suggest-btn").count() == 0  # no suggestions in an exam
    say(page, GREET)
    page.click("#end-call")
    page.click("#submit-order")
    page.wait_for_selector("#no-retry")
    assert page.locator("#retry").count() == 0 and page.locator("#answers-hidden").count() == 1
    page.goto("/drills")
    assert row.locator(".take-exam").count() == 0 and "1/1" in row.inner_text()
    page.context.clear_cookies()
    log_in(page, "trainer")
    page.goto(f"/drills/assignments/{assignment}")
    page.locator("#people tr", has_text="学员甲").locator(".grant-retry").click()
    page.wait_for_selector("#people")
    assert "1 / 2" in page.locator("#people tr", has_text="学员甲").inner_text()
    page.context.clear_cookies()
    log_in(page, "trainee")
    page.goto("/drills")
    assert row.locator(".take-exam").count() == 1 and "1/2" in row.inner_text()


def test_another_teams_exam_is_out_of_reach(page):  # noqa: ANN001
    assignment = _assign(page, "一组专属考核", "一组")
    page.context.clear_cookies()
    log_in(page, "trainee2")  # 二组
    page.goto("/drills")
    assert page.locator(f'tr[data-assignment="{assignment}"]').count() == 0
    token = page.get_attribute('input[name="csrf_token"]', "value")
    resp = page.request.post("/drills", form={"csrf_token": token, "assignment_id": str(assignment)})
    assert resp.status == 404 and "找不到该考核" in resp.text()
    page.goto(f"/drills/assignments/{assignment}")
    assert "无权" in page.content()


def test_moods_share_one_colour_scale(page):  # noqa: ANN001
    log_in(page, "trainee")
    start(page, "gas-leak-transfer")  # anxiety 0.95 at the start
    bar = page.locator('#mood .bar[data-mood="anxiety"]')
    assert bar.get_attribute("data-level") == "level-bad"
    warm = bar.locator("span").evaluate("el => getComputedStyle(el).backgroundColor")
    calm = page.locator('#mood .swatch.level-good').evaluate("el => getComputedStyle(el).backgroundColor")
    assert warm == "rgb(201, 42, 42)" and calm == "rgb(43, 138, 62)"
    assert page.locator('#mood .bar[data-mood="anger"]').get_attribute("data-level") == "level-good"


def test_a_timed_exam_paper_counts_down(page):  # noqa: ANN001
    log_in(page, "trainee2")
    page.goto("/learn")
    page.locator('form[action="/learn/exams/taboo-special"] button').click()
    page.wait_for_selector("#exam-countdown")
    first = page.inner_text("#exam-countdown")
    assert re.fullmatch(r"剩余 (19:5\d|20:00)", first), first
    page.wait_for_function("t => document.getElementById('exam-countdown').textContent !== t", arg=first)
    page.click("#submit-paper")  # nothing answered: warned, not handed in
    page.wait_for_selector("#unanswered-warning:not([hidden])")
    assert "未作答" in page.inner_text("#unanswered-warning") and page.locator("#result").count() == 0
    page.click("#submit-paper")
    page.wait_for_selector("#unanswered-count")
    assert "未作答" in page.inner_text("#unanswered-count")
