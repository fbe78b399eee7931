"""演练 through HTTP: chat turns (htmx), state kept across reloads, 工单 and debrief, retry,
weak-rule practice and the trainer's exam mode."""

from __future__ import annotations

from web2_helpers import GOOD_TURNS, ORDER, SCENARIO, id_from, login

from hotline.store.models import Drill

HX = {"hx-request": "true"}


def _drill(client, drill_id: int) -> Drill:
    with client.app.state.factory() as db:
        return db.get_one(Drill, drill_id)


def _start(client, csrf: str, **form: str) -> int:
    resp = client.post("/drills", data={"csrf_token": csrf, **form})
    assert resp.status_code == 200, resp.text[:500]
    return id_from(resp.url)


def test_a_drill_from_greeting_to_debrief_and_retry(client):
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, scenario_id=SCENARIO, hints="1")
    part = client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf, "text": GOOD_TURNS[0]}, headers=HX)
    assert part.status_code == 200 and part.text.lstrip().startswith('<div id="drill-live"')
    assert 'class="bubble citizen"' in part.text and "<html" not in part.text
    rude = client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf, "text": "你快点讲"}, headers=HX).text
    assert 'class="hint"' in rude  # the live hint names the rushing
    reloaded = client.get(f"/drills/{drill_id}").text
    assert reloaded.count('class="bubble agent') == 2 and "你快点讲" in reloaded
    for text in GOOD_TURNS[1:]:
        if _drill(client, drill_id).state["state"]["ended"]:
            break
        client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf, "text": text}, headers=HX)
    client.post(f"/drills/{drill_id}/end", data={"csrf_token": csrf})
    debrief = client.post(f"/drills/{drill_id}/order", data={"csrf_token": csrf, **ORDER})
    assert debrief.url.path == f"/drills/{drill_id}/debrief"
    drill = _drill(client, drill_id)
    assert drill.status == "done" and drill.total == drill.debrief["scorecard"]["total"]
    assert drill.debrief["scorecard"]["rulebook_version"]
    page = debrief.text
    assert 'id="mood-chart"' in page and "工单核对" in page and "情绪变差" in page
    assert all(c["ok"] for c in drill.debrief["order_checks"] if c["field"] in ("request_type", "department"))
    new_id = id_from(client.post(f"/drills/{drill_id}/retry", data={"csrf_token": csrf}).url)
    assert new_id != drill_id and _drill(client, new_id).scenario_id == SCENARIO
    assert client.get(f"/drills/{drill_id}").url.path.endswith("/debrief")


def test_suggestion_fills_from_the_workorder_module(client):
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, scenario_id=SCENARIO)
    for text in GOOD_TURNS[:4]:
        client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf, "text": text}, headers=HX)
    box = client.get(f"/drills/{drill_id}/suggest").text
    from hotline.simulate import DrillSession
    from hotline.workorder.order import extract_order

    proposed = extract_order(DrillSession.from_dict(_drill(client, drill_id).state).call())
    category = " &gt; ".join(proposed.category)
    assert category and f'data-field="category">{category}<' in box
    assert f'data-field="department">{proposed.department}<' in box


def test_weak_rules_come_from_real_calls_and_drills(client):
    login(client, "trainee")  # the seeded call under this trainee's 工号 has findings
    page = client.get("/drills").text
    assert "最常未通过的规则" in page and 'class="weak-start"' in page
    login(client, "trainer")  # no calls, no drills
    assert "还没有演练或质检记录" in client.get("/drills").text


def test_exam_mode_fixes_the_seed_and_turns_hints_off(client):
    csrf = login(client, "trainer")
    resp = client.post("/drills/assignments", data={"csrf_token": csrf, "title": "十一月考核", "scenario_id": SCENARIO, "seed": "4242"})
    assignment = id_from(resp.url)
    client.post("/logout", data={"csrf_token": csrf})
    seeds = []
    for trainee in ("trainee", "trainee2"):
        csrf = login(client, trainee)
        drill_id = _start(client, csrf, assignment_id=str(assignment), hints="1")
        drill = _drill(client, drill_id)
        seeds.append(drill.seed)
        assert drill.assignment_id == assignment and drill.state["hints"] is False
        assert client.get(f"/drills/{drill_id}/suggest").status_code == 403
        client.post("/logout", data={"csrf_token": csrf})
    assert seeds == [4242, 4242]
    login(client, "trainer")
    results = client.get(f"/drills/assignments/{assignment}").text
    assert "学员甲" in results and "学员乙" in results


def test_only_the_owner_talks_in_a_drill(client):
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, scenario_id=SCENARIO)
    client.post("/logout", data={"csrf_token": csrf})
    csrf2 = login(client, "trainee2")
    assert client.get(f"/drills/{drill_id}").status_code == 404
    assert client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf2, "text": "您好"}).status_code == 404
    assert client.post("/drills", data={"csrf_token": csrf2, "scenario_id": "no-such"}).status_code == 400
