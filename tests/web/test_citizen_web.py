"""Issue 12 in the web app: the citizen block and triage kept on stored scorecards, the call page,
the queue ordered by triage, the administrator's thresholds, agreement from 复核 results with its
export, calibration sessions (blind until submitted), the citizen dashboard, and every new route ×
every role."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from web_helpers import PASSWORD, ROLE_USERS, TRAINEE_CODE, login

from hotline.content import data_path
from hotline.formats import read_call
from hotline.inspect import default_engine
from hotline.store.imports import store_call
from hotline.store.models import AddedFinding, AppSetting, AuditEntry, CalibrationMark, Scorecard, User


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-call="(\d+)"', html)


@pytest.fixture
def angry(client):
    """A vetoed call whose citizen threatens to complain about the agent (16_saorao_retort)."""
    call = read_call(data_path("samples", "calls", "16_saorao_retort.txt"))
    call.meta.update(agent_id=TRAINEE_CODE, caller_phone="15912340000", date="2026-05-21")
    card = default_engine().inspect(call)
    with client.app.state.factory() as db:
        row = store_call(db, call, card, batch_id=None)
        db.commit()
        return row.id, card


@pytest.fixture
def calm(client) -> int:
    """A call handled well throughout (03_shebao_elderly_consult: no finding, calm citizen): auto-pass."""
    call = read_call(data_path("samples", "calls", "03_shebao_elderly_consult.txt"))
    call.meta.update(agent_id="2002", date="2026-05-22")
    card = default_engine().inspect(call)
    assert card.review.level == "auto_pass", card.review
    with client.app.state.factory() as db:
        row = store_call(db, call, card, batch_id=None)
        db.commit()
        return row.id


def test_stored_scorecards_keep_the_citizen_block_and_the_engine_triage(client, seed, angry):
    call_id, card = angry
    with client.app.state.factory() as db:
        sc = db.scalar(select(Scorecard).where(Scorecard.call_id == call_id))
        assert sc.citizen == card.citizen.to_dict()
        assert sc.escalation_risk == pytest.approx(card.citizen.escalation_risk, abs=1e-4)
        assert sc.dissatisfaction == pytest.approx(card.citizen.dissatisfaction, abs=1e-4)
        assert (sc.emotion_start, sc.emotion_peak, sc.emotion_end) == pytest.approx(
            (card.citizen.start, card.citizen.peak, card.citizen.end), abs=1e-4)
        assert (sc.calmed, sc.escalated) == (card.citizen.calmed, card.citizen.escalated)
        # no settings saved: the level is the engine's own
        assert (sc.review_level, sc.review_reasons) == (card.review.level, card.review.reasons)
        assert [f.confidence for f in sc.findings] == [f.confidence for f in card.findings]


def test_the_call_page_shows_emotion_per_turn_trajectory_dissatisfaction_escalation_and_triage(client, angry):
    call_id, card = angry
    login(client, "lead")
    page = client.get(f"/calls/{call_id}").text
    block = card.citizen
    for turn, anger in block.anger:  # every citizen turn carries its emotion
        row = re.search(rf'id="t-{turn}".*?</div>', page, re.S).group()
        assert f'data-anger="{anger:.2f}"' in row
    trajectory = re.search(r'id="trajectory">(.*?)</td>', page, re.S).group(1)
    assert f"开始 {block.start:.2f}" in trajectory and f"峰值 {block.peak:.2f}" in trajectory and f"第 {block.peak_turn + 1} 句" in trajectory
    assert f"结束 {block.end:.2f}" in trajectory
    assert f"{block.dissatisfaction:.2f}" in re.search(r'id="dissatisfaction">(.*?)</td>', page, re.S).group(1)
    escalation = re.search(r'id="escalation">(.*?)</td>', page, re.S).group(1)
    for kind, turn, evidence in block.escalation:
        assert kind in escalation and f"第 {turn + 1} 句" in escalation and evidence in escalation
    assert card.review.level == "mandatory"
    assert re.search(r'id="triage-level">必须复核<', page)
    for reason in card.review.reasons:
        assert reason in page


def test_the_queue_orders_by_triage_shows_the_reason_and_filters_by_level(client, seed, angry, calm):
    call_id, card = angry
    login(client, "lead")
    with client.app.state.factory() as db:
        levels = dict(db.execute(select(Scorecard.call_id, Scorecard.review_level)).all())
    assert levels[calm] == "auto_pass" and levels[call_id] == "mandatory"
    queue = client.get("/review?status=").text
    rows = _rows(queue)
    assert rows[0] == str(call_id)
    assert str(calm) not in rows  # auto-pass: not in the queue unless asked
    order = {"mandatory": 0, "sample": 1, None: 2, "auto_pass": 3}
    ranks = [order[levels[int(r)]] for r in rows]
    assert ranks == sorted(ranks)
    first = re.search(rf'<tr data-call="{call_id}".*?</tr>', queue, re.S).group()
    assert "必须复核" in first and card.review.reasons[0] in first
    assert set(_rows(client.get("/review?status=&level=auto_pass").text)) == {str(c) for c, lv in levels.items() if lv == "auto_pass"}
    assert set(_rows(client.get("/review?status=&level=mandatory").text)) == {str(c) for c, lv in levels.items() if lv == "mandatory"}
    assert str(calm) in _rows(client.get("/review?status=&level=all").text)


def _levels(client) -> dict[int, str]:
    with client.app.state.factory() as db:
        return dict(db.execute(select(Scorecard.call_id, Scorecard.review_level)).all())


FORM = {"mandatory_dissatisfaction": "0.8", "mandatory_escalation": "0.7", "sample_dissatisfaction": "0.5",
        "uncertain_margin": "0.15", "sample_rate": "0.05", "sample_below_pass_mark": "1"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("sample_rate", "abc", "其余通话随机抽检比例"),
    ("sample_rate", "1.5", "其余通话随机抽检比例"),
    ("mandatory_escalation", "", "必须复核：升级风险达到"),
    ("mandatory_escalation", "0", "必须复核：升级风险达到"),
    ("sample_dissatisfaction", "0.9", "不能高于"),
])
def test_bad_thresholds_are_refused_in_chinese_naming_the_field(client, seed, field, value, message):
    csrf = login(client, "admin")
    before = _levels(client)
    resp = client.post("/admin/triage", data={"csrf_token": csrf, **FORM, field: value})
    assert resp.status_code == 400 and message in resp.text
    with client.app.state.factory() as db:
        assert db.scalar(select(func.count()).select_from(AppSetting)) == 0
    assert _levels(client) == before


def test_new_thresholds_triage_stored_and_new_calls_again_and_are_audited(client, seed, angry, calm):
    csrf = login(client, "admin")
    assert client.get("/admin/triage?sample_rate=1").status_code == 200  # a GET changes nothing
    with client.app.state.factory() as db:
        assert db.scalar(select(func.count()).select_from(AppSetting)) == 0
    resp = client.post("/admin/triage", data={"csrf_token": csrf, **FORM, "sample_rate": "100%", "mandatory_escalation": "1"},
                       follow_redirects=False)
    assert resp.status_code == 303
    levels = _levels(client)
    assert levels[calm] == "sample"  # drawn by a 100% sample
    assert levels[angry[0]] == "mandatory"  # still vetoed, but no longer for its escalation risk at 1.0
    with client.app.state.factory() as db:
        reasons = db.scalar(select(Scorecard.review_reasons).where(Scorecard.call_id == angry[0]))
        other = db.scalar(select(Scorecard.review_reasons).where(Scorecard.call_id == calm))
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "triage.settings"))
    assert not any("升级风险" in r for r in reasons) and other == ["随机抽检（100%）"]
    assert entry.detail["settings"] == ["必须复核：升级风险达到 0.7→1", "其余通话随机抽检比例 0.05→1"]
    assert "修改复核分流设置" in client.get("/admin/audit?action=triage.settings").text
    call = read_call(data_path("samples", "calls", "01_lost_id_card.txt")) if data_path(
        "samples", "calls", "01_lost_id_card.txt").exists() else read_call(sorted(data_path("samples", "calls").iterdir())[0])
    call.id = "new-after-settings"
    with client.app.state.factory() as db:
        row = store_call(db, call, default_engine().inspect(call), batch_id=None)
        db.commit()
        assert row.scorecard.review_level in ("sample", "mandatory")  # the 100% sample applies to new imports
    page = client.get("/admin/triage").text
    assert 'value="1.0"' in page and "管理员" in page


# ── agreement ───────────────────────────────────────────────────────────────


def test_agreement_page_and_export_from_reviews_and_added_findings(client, seed):
    csrf = login(client, "lead")
    with client.app.state.factory() as db:
        fired = {f.rule_id for f in db.get(Scorecard, db.scalar(select(Scorecard.id).where(Scorecard.call_id == seed.own_call))).findings}
    from hotline.web.rules import rule_catalog

    missed = next(r for r in rule_catalog() if r not in fired)
    resp = client.post(f"/calls/{seed.own_call}/added-findings", data={"csrf_token": csrf, "rule_id": missed, "turn": "2", "note": "漏判"},
                       follow_redirects=False)
    assert resp.status_code == 303
    again = client.post(f"/calls/{seed.own_call}/added-findings", data={"csrf_token": csrf, "rule_id": next(iter(fired))})
    assert again.status_code == 400 and "引擎已判出" in again.text
    unknown = client.post(f"/calls/{seed.own_call}/added-findings", data={"csrf_token": csrf, "rule_id": "no.such.rule"})
    assert unknown.status_code == 400 and "没有规则" in unknown.text
    assert missed in client.get(f"/calls/{seed.own_call}").text
    page = client.get("/agreement").text
    row = re.search(rf'<tr data-rule="{re.escape(missed)}">.*?</tr>', page, re.S).group()
    assert 'class="recall">0%<' in row  # the engine did not find the one call inspectors said applies
    wb = load_workbook(io.BytesIO(client.get("/agreement/export.xlsx").content))
    header, *rows = list(wb.active.values)
    assert header[0] == "规则编号" and "Cohen's κ" in header
    by_rule = {r[0]: r for r in rows}
    assert by_rule[missed][header.index("仅质检员判（补充漏判）")] == 1 and by_rule[missed][header.index("召回率（有补充漏判时）")] == 0
    confirmed = [r for r in rows if r[header.index("复核维持")]]
    assert confirmed and all(r[header.index("精确率")] == 1 for r in confirmed)  # the seed confirmed what it reviewed


def test_agreement_export_cells_are_formula_safe(client, seed):
    login(client, "lead")
    with client.app.state.factory() as db:
        card = db.scalar(select(Scorecard).where(Scorecard.call_id == seed.other_call))
        db.add(AddedFinding(scorecard_id=card.id, rule_id="=HYPERLINK(\"http://x\")", user_id=1))
        db.commit()
    wb = load_workbook(io.BytesIO(client.get("/agreement/export.xlsx").content))
    cells = [c for row in wb.active.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("HYPERLINK" in c for c in cells) and not any(c.startswith("=") for c in cells)


# ── calibration ─────────────────────────────────────────────────────────────


def _ids(client, *names: str) -> list[int]:
    with client.app.state.factory() as db:
        return [db.scalar(select(User.id).where(User.username == n)) for n in names]


def _external(client, call_id: int) -> str:
    from hotline.store.models import Call

    with client.app.state.factory() as db:
        return db.get(Call, call_id).external_id


def _new_session(client, seed, members=("lead", "reviewer")) -> int:
    csrf = login(client, "trainer")
    refs = f"{_external(client, seed.own_call)}，{_external(client, seed.other_call)}"
    resp = client.post("/calibration", data={"csrf_token": csrf, "title": "五月校准", "calls": refs,
                                             "member_ids": [str(i) for i in _ids(client, *members)]}, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    client.cookies.clear()
    return int(resp.headers["location"].rsplit("/", 1)[1])


def _decisions(page: str, yes: bool) -> dict[str, str]:
    names = dict.fromkeys(re.findall(r'name="(m:\d+:[^"]+)" value="1"', page))
    return {n: "1" if yes else "0" for n in names}


def test_calibration_is_blind_until_submitted_then_shows_differences_and_kappa(client, seed):
    session = _new_session(client, seed)
    csrf = login(client, "reviewer")
    form = client.get(f"/calibration/{session}").text
    items = _decisions(form, yes=True)
    assert items and 'id="marks"' in form
    half = client.post(f"/calibration/{session}/marks", data={"csrf_token": csrf, "action": "submit", **dict(list(items.items())[:1])})
    assert half.status_code == 400 and "没有判定" in half.text
    done = client.post(f"/calibration/{session}/marks", data={"csrf_token": csrf, "action": "submit", **items}, follow_redirects=False)
    assert done.status_code == 303
    client.cookies.clear()
    csrf = login(client, "lead")
    blind = client.get(f"/calibration/{session}").text
    assert 'id="marks"' in blind and "质检员（已提交）" not in blind and 'checked' not in blind  # nothing of the reviewer's
    mine = _decisions(blind, yes=True)
    first = next(iter(mine))
    mine[first] = "0"  # one disagreement
    client.post(f"/calibration/{session}/marks", data={"csrf_token": csrf, "action": "submit", **mine}, follow_redirects=False)
    page = client.get(f"/calibration/{session}").text
    assert 'id="differences"' in page and re.search(r'id="differing">1<', page)
    from hotline.store.agreement import Table

    n = len(mine)
    expected = Table(n - 1, 0, 1, 0).kappa  # reviewer (A) all yes, lead (B) one no
    kappa = re.search(r'class="kappa">([^<]+)<', page).group(1)
    assert kappa == ("—" if expected is None else f"{expected:.2f}")
    late = client.post(f"/calibration/{session}/marks", data={"csrf_token": csrf, "action": "save", **mine})
    assert late.status_code == 400 and "不能再修改" in late.text
    wb = load_workbook(io.BytesIO(client.get(f"/calibration/{session}/export.xlsx").content))
    header, *rows = list(wb["逐通逐条判定"].values)
    assert header[-2:] == ("质检组长", "质检员") and len(rows) == n
    assert sum(r[header.index("意见不一")] == "是" for r in rows) == 1


def test_a_saved_calibration_draft_can_be_changed_before_it_is_submitted(client, seed):
    """Saving again replaces the decisions kept before: a 成立 changed to 不成立 is stored as 不成立."""
    from hotline.store.calibration import marks_of

    session = _new_session(client, seed)
    csrf = login(client, "reviewer")
    items = _decisions(client.get(f"/calibration/{session}").text, yes=True)
    assert client.post(f"/calibration/{session}/marks", data={"csrf_token": csrf, "action": "save", **items}).status_code < 400
    changed = dict(items, **{next(iter(items)): "0"})
    assert client.post(f"/calibration/{session}/marks", data={"csrf_token": csrf, "action": "save", **changed}).status_code < 400
    (reviewer,) = _ids(client, "reviewer")
    with client.app.state.factory() as db:
        kept = marks_of(db, session, [reviewer])[reviewer]
    assert sorted(kept.values()) == sorted(v == "1" for v in changed.values()) and False in kept.values()


def test_calibration_form_errors_name_what_is_wrong(client, seed):
    csrf = login(client, "trainer")
    lead, reviewer, trainee = _ids(client, "lead", "reviewer", "trainee")
    bad = client.post("/calibration", data={"csrf_token": csrf, "title": "x", "calls": "no-such-call",
                                            "member_ids": [str(lead), str(reviewer)]})
    assert bad.status_code == 400 and "找不到这些通话编号：no-such-call" in bad.text
    one = client.post("/calibration", data={"csrf_token": csrf, "title": "x", "calls": _external(client, seed.own_call),
                                            "member_ids": [str(lead)]})
    assert one.status_code == 400 and "至少两名" in one.text
    student = client.post("/calibration", data={"csrf_token": csrf, "title": "x", "calls": _external(client, seed.own_call),
                                                "member_ids": [str(lead), str(trainee)]})
    assert student.status_code == 400 and "学员甲" in student.text


# ── citizen dashboard ───────────────────────────────────────────────────────


def test_citizen_dashboard_agents_weeks_risky_calls_and_angrier_agents(client, seed, angry):
    call_id, card = angry
    login(client, "trainer")
    page = client.get("/dashboard/citizen").text
    risky = re.search(r'id="risky">(.*?)</table>', page, re.S).group(1)
    assert f'data-call="{call_id}"' in risky and "投诉坐席" in risky
    assert f'data-call="{seed.own_call}"' not in risky
    with client.app.state.factory() as db:
        rows = db.execute(select(Scorecard.dissatisfaction).join(Scorecard.call).where(
            Scorecard.citizen.is_not(None), Scorecard.call.has(agent_code=TRAINEE_CODE))).scalars().all()
    expected = 1 - sum(rows) / len(rows)
    agent = re.search(rf'<tr data-agent="{TRAINEE_CODE}">.*?</tr>', page, re.S).group()
    assert f"{expected * 100:.1f}%" in agent
    assert "2026-W21" in page  # the calls of 2026-05-20/21
    wb = load_workbook(io.BytesIO(client.get("/dashboard/citizen/export.xlsx").content))
    assert wb.sheetnames == ["坐席", "团队", "按周", "高升级风险通话", "结束时更生气的坐席"]
    header, *rows = list(wb["高升级风险通话"].values)
    assert rows[0][0] == "16_saorao_retort" and "投诉坐席" in rows[0][header.index("种类")]


def test_agents_whose_calls_end_angrier(client, seed):
    """A call whose citizen is calm at first and angry at the end counts against its agent."""
    from hotline.model import Call, Speaker, Turn

    turns = [Turn(Speaker.AGENT, "您好，12345热线。"), Turn(Speaker.CITIZEN, "你好，我想问一下社保卡怎么补办。"),
             Turn(Speaker.AGENT, "不知道，自己去网上查。"), Turn(Speaker.CITIZEN, "你这什么态度！！我要投诉你！你们就是这么为人民服务的？"),
             Turn(Speaker.AGENT, "随便你。")]
    call = Call("angrier-1", turns, {"agent_id": "7777", "date": "2026-05-22"})
    card = default_engine().inspect(call)
    with client.app.state.factory() as db:
        store_call(db, call, card, batch_id=None)
        db.commit()
    login(client, "trainer")
    page = client.get("/dashboard/citizen?agent=7777").text
    delta = card.citizen.end - card.citizen.start
    assert delta > 0
    row = re.search(r'id="angrier">.*?<tr data-agent="7777">(.*?)</tr>', page, re.S).group(1)
    assert f"{delta:+.2f}" in row
    assert ("100.0%" if card.citizen.escalated else "0.0%") in row


# ── routes × roles ─────────────────────────────────────────────────────────

ALL = {"trainee", "inspector", "trainer", "admin"}
STAFF = {"inspector", "trainer", "admin"}
INSPECT = {"inspector", "admin"}
# (method, route path) -> (allowed roles, concrete path, form fields)
ROUTES: dict[tuple[str, str], tuple[set[str], str, dict]] = {
    ("GET", "/agreement"): (STAFF, "/agreement", {}),
    ("GET", "/agreement/export.xlsx"): (STAFF, "/agreement/export.xlsx", {}),
    ("POST", "/calls/{call_id}/added-findings"): (INSPECT, "/calls/{own_call}/added-findings", {"rule_id": "{missed}"}),
    ("POST", "/added-findings/{added_id}/remove"): (INSPECT, "/added-findings/{added}/remove", {}),
    ("GET", "/calibration"): (STAFF, "/calibration", {}),
    ("POST", "/calibration"): ({"trainer", "admin"}, "/calibration", {"title": "校准", "calls": "{refs}", "member_ids": "{members}"}),
    ("GET", "/calibration/{session_id}"): (STAFF, "/calibration/{session}", {}),
    ("POST", "/calibration/{session_id}/marks"): (INSPECT, "/calibration/{session}/marks", {"action": "save"}),
    # lead and admin are members who have not submitted: only the trainer who made it may export yet
    ("GET", "/calibration/{session_id}/export.xlsx"): ({"trainer"}, "/calibration/{session}/export.xlsx", {}),
    ("GET", "/admin/triage"): ({"admin"}, "/admin/triage", {}),
    ("POST", "/admin/triage"): ({"admin"}, "/admin/triage", FORM),
    ("GET", "/dashboard/citizen"): (STAFF, "/dashboard/citizen", {}),
    ("GET", "/dashboard/citizen/export.xlsx"): (STAFF, "/dashboard/citizen/export.xlsx", {}),
}


def _objects(client, seed) -> dict[str, object]:
    """A 漏判 to remove, a rule to add, a session (made by the trainer for lead and admin)."""
    from hotline.store.calibration import create_session
    from hotline.web.rules import rule_catalog

    with client.app.state.factory() as db:
        card = db.scalar(select(Scorecard).where(Scorecard.call_id == seed.own_call))
        fired = {f.rule_id for f in card.findings}
        missing = [r for r in rule_catalog() if r not in fired]
        lead, admin, trainer = (db.scalar(select(User).where(User.username == n)) for n in ("lead", "admin", "trainer"))
        added = AddedFinding(scorecard_id=card.id, rule_id=missing[1], user_id=lead.id)
        db.add(added)
        refs = _external(client, seed.own_call)
        session = create_session(db, "权限", refs, [lead.id, admin.id], trainer)
        db.commit()
        return {"missed": missing[0], "added": added.id, "session": session.id, "refs": refs, "members": f"{lead.id}",
                "member_ids": [str(lead.id), str(admin.id)]}


@pytest.mark.parametrize("role", ["anonymous", "trainee", "inspector", "trainer", "admin"])
@pytest.mark.parametrize("route", list(ROUTES), ids=lambda r: f"{r[0]} {r[1]}" if isinstance(r, tuple) else r)
def test_route_role(client, seed, role, route):
    from test_permissions import _stale_token

    allowed, template, form = ROUTES[route]
    username = ROLE_USERS.get(role, "admin")
    csrf = login(client, username, PASSWORD) if role != "anonymous" else _stale_token(client)
    objects = _objects(client, seed)
    path = template.format(own_call=seed.own_call, **objects)
    if route[0] == "GET":
        resp = client.get(path, follow_redirects=False)
    else:
        data = {k: v.format(**objects) for k, v in form.items()}
        if "member_ids" in form:
            data["member_ids"] = objects["member_ids"]
        resp = client.post(path, data={**data, **({"csrf_token": csrf} if csrf else {})}, follow_redirects=False)
    if role in allowed:
        assert resp.status_code in (200, 303), f"{role} should reach {path}: {resp.status_code} {resp.text[:300]}"
        if resp.status_code == 303:
            assert not resp.headers["location"].startswith("/login")
    elif role == "anonymous":
        assert resp.status_code == 303 and resp.headers["location"].startswith("/login")
    else:
        assert resp.status_code == 403, f"{role} must not reach {path}: {resp.status_code}"
        assert "无权" in resp.text


def test_gets_change_nothing(client, seed):
    """Every new page opened by an administrator: no mark, no setting, no 漏判 appears."""
    objects = _objects(client, seed)
    login(client, "admin")
    with client.app.state.factory() as db:
        before = [db.scalar(select(func.count()).select_from(t)) for t in (CalibrationMark, AppSetting, AddedFinding)]
    for method, route in ROUTES:
        if method == "GET" and "calibration/{session_id}/export" not in route:  # admin is a member who has not submitted
            path = route.format(session_id=objects["session"])
            assert client.get(path + "?sample_rate=1&action=submit&rule_id=x").status_code == 200, path
    with client.app.state.factory() as db:
        after = [db.scalar(select(func.count()).select_from(t)) for t in (CalibrationMark, AppSetting, AddedFinding)]
    assert after == before
