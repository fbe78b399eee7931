"""The review queue and review-driven scores over HTTP: status filter and column, search by call
id, 工号 and phone (masked too), sorting, bulk review with one note, the score in force everywhere."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from web_helpers import OTHER_CODE, PHONE, TRAINEE_CODE, login

from hotline.content import data_path
from hotline.formats import read_call
from hotline.inspect import default_engine
from hotline.store.imports import store_call


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-call="(\d+)"', html)


@pytest.fixture
def vetoed(client):
    """A vetoed call of the trainee (16_saorao_retort: 一票否决 for a retort)."""
    call = read_call(data_path("samples", "calls", "16_saorao_retort.txt"))
    call.meta.update(agent_id=TRAINEE_CODE, caller_phone="15912340000")
    with client.app.state.factory() as db:
        row = store_call(db, call, default_engine().inspect(call), batch_id=None)
        db.commit()
        return row.id, [(f.id, f.veto) for f in row.scorecard.findings]


def test_the_queue_lists_unreviewed_calls_first_by_priority(client, seed, vetoed):
    login(client, "lead")
    page = client.get("/review").text
    rows = _rows(page)
    with client.app.state.factory() as db:
        from sqlalchemy import select

        from hotline.store.models import Scorecard

        flags = [bool(db.scalar(select(Scorecard.vetoed).where(Scorecard.call_id == int(r)))) for r in rows]
    assert flags[0] and flags == sorted(flags, reverse=True)  # vetoed calls first
    assert str(seed.own_call) not in rows  # partly reviewed: not in the unreviewed view
    assert str(seed.own_call) in _rows(client.get("/review?status=partial").text)
    assert "复核中" in client.get("/calls").text and "未复核" in client.get("/calls").text
    everything = _rows(client.get("/review?status=&level=all").text)
    assert set(everything) == {str(seed.own_call), str(seed.other_call), str(vetoed[0])}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("private", {"other"}),
        (OTHER_CODE, {"other"}),
        (PHONE, {"other"}),
        ("138****5678", {"other"}),
        ("138*5678", {"other"}),
        ("5678", {"other"}),
        ("159****0000", {"vetoed"}),
        ("139****5678", set()),
        ("%", set()),
    ],
)
def test_search_by_call_id_agent_and_phone(client, seed, vetoed, q, expected):
    login(client, "lead")
    names = {"other": str(seed.other_call), "vetoed": str(vetoed[0]), "own": str(seed.own_call)}
    found = set(_rows(client.get("/review", params={"q": q, "status": "", "level": "all"}).text))
    assert found == {names[k] for k in expected}
    page = client.get("/calls", params={"q": q}).text
    table = re.search(r'<table class="results">.*?</table>', page, re.S).group()
    assert PHONE not in table  # the search matches the full number; the list still shows it masked
    if "other" in expected:
        assert "138****5678" in table


def _totals(client) -> dict[str, float]:
    from sqlalchemy import select

    from hotline.store.models import Scorecard

    with client.app.state.factory() as db:
        return {str(cid): total for cid, total in db.execute(select(Scorecard.call_id, Scorecard.total))}


def test_sorting_by_score(client, seed, vetoed):
    login(client, "lead")
    totals = _totals(client)
    low = _rows(client.get("/calls?sort=score").text)
    high = _rows(client.get("/calls?sort=score_desc").text)
    assert [totals[c] for c in low] == sorted(totals.values()) and [totals[c] for c in high] == sorted(totals.values(), reverse=True)
    # vetoed calls score 0 and come first (last in descending order); the seeded one is among them
    zero = {c for c, t in totals.items() if t == 0}
    assert str(vetoed[0]) in zero and set(low[:len(zero)]) == zero and set(high[-len(zero):]) == zero
    assert client.get("/calls?sort=nonsense").status_code == 200


def test_bulk_overturn_by_calls_recomputes_the_score_everywhere(client, vetoed):
    csrf = login(client, "lead")
    call_id, findings = vetoed
    vetoes = int(re.search(r'<span class="num">(\d+)</span><span>一票否决</span>', client.get("/overview").text).group(1))
    page = client.get(f"/calls/{call_id}").text
    assert 'id="veto"' in page and re.search(r'id="total">0\.0<', page)
    resp = client.post("/review/bulk", data={"csrf_token": csrf, "verdict": "overturned", "note": "集中复核：误报",
                                             "call_ids": [str(call_id)], "back": "/review"}, follow_redirects=False)
    assert resp.status_code == 303 and f"done={len(findings)}" in resp.headers["location"]
    page = client.get(f"/calls/{call_id}").text
    assert 'id="veto"' not in page and re.search(r'id="total">100\.0<', page)
    assert "引擎原始得分 0.0" in page and page.count("集中复核：误报") >= len(findings)
    history = re.search(r'id="score-history">(.*?)</table>', page, re.S).group(1)
    assert history.count("<tr>") == len(findings) + 1 and "质检组长" in history
    listing = client.get(f"/calls?q={call_id}").text
    assert "已改" in listing
    wb = load_workbook(io.BytesIO(client.get("/calls/export.xlsx").content))
    header, *rows = list(wb["质检结果"].values)
    row = next(r for r in rows if r[0] == "16_saorao_retort")
    assert row[header.index("总分")] == 100.0 and row[header.index("一票否决")] == "否"
    assert row[header.index("引擎原始得分")] == 0.0 and row[header.index("引擎一票否决")] == "是"
    ranking = client.get("/dashboard").text
    assert re.search(rf'data-agent="{TRAINEE_CODE}">.*?<td>0</td>', ranking, re.S)  # no veto left for the agent
    overview = client.get("/overview").text
    assert re.search(rf'<span class="num">{vetoes - 1}</span><span>一票否决</span>', overview)


def test_bulk_confirm_of_ticked_findings_with_one_note(client, seed):
    csrf = login(client, "lead")
    with client.app.state.factory() as db:
        from hotline.store.models import Call

        findings = [f.id for f in db.get(Call, seed.other_call).scorecard.findings]
    resp = client.post("/review/bulk", data={"csrf_token": csrf, "verdict": "confirmed", "note": "一次确认",
                                             "finding_ids": [str(f) for f in findings[:2]], "back": f"/calls/{seed.other_call}"},
                       follow_redirects=False)
    assert resp.headers["location"].startswith(f"/calls/{seed.other_call}?done=2")
    page = client.get(f"/calls/{seed.other_call}").text
    assert page.count("一次确认") >= 2
    empty = client.post("/review/bulk", data={"csrf_token": csrf, "verdict": "confirmed"})
    assert empty.status_code == 400 and "请先勾选" in empty.text


def test_findings_sit_beside_their_turns_and_suggestions_carry_the_agents_own_code(client, seed):
    login(client, "lead")
    page = client.get(f"/calls/{seed.own_call}").text
    rows = re.findall(r'<div class="turn-row">(.*?)</div>\s*</div>', page, re.S)
    assert any('id="f-' in r for r in rows), "findings must be rendered in their turn's row"
    assert f"{TRAINEE_CODE}号为您服务" in page and "1024号为您服务" not in page


def test_the_pager_shows_a_window_of_pages(client):
    from hotline.store.queries import PAGE_SIZE

    with client.app.state.factory() as db:
        from hotline.model import Call, Speaker, Turn

        eng = default_engine()
        for i in range(PAGE_SIZE * 12):
            c = Call(f"bulk-{i}", [Turn(Speaker.AGENT, "您好，请问有什么可以帮您？")], {"agent_id": "9"})
            store_call(db, c, eng.inspect(c), batch_id=None)
        db.commit()
    login(client, "lead")
    page = client.get("/calls?page=6").text
    pager = re.search(r'<nav class="pages".*?</nav>', page, re.S).group()
    numbers = re.findall(r">(\d+)</(?:a|strong)>", pager)
    assert numbers == ["4", "5", "6", "7", "8"] and "末页" in pager and "首页" in pager
