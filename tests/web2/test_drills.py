"""演练 through HTTP: chat turns (htmx, the hint before the citizen's answer), state kept across reloads, the
full 工单 with validation, the debrief and its goals, retry, weak-rule practice and the trainer's exam mode
(one attempt unless a retry is granted, answers hidden until the exam closes, team scope on every route)."""

from __future__ import annotations

import pytest
from web2_helpers import GOOD_TURNS, ORDER, SCENARIO, id_from, login, two_teams

from hotline.store.models import Drill, DrillAssignment, User

HX = {"hx-request": "true"}


def _drill(client, drill_id: int) -> Drill:
    with client.app.state.factory() as db:
        return db.get_one(Drill, drill_id)


def _start(client, csrf: str, **form: str) -> int:
    resp = client.post("/drills", data={"csrf_token": csrf, **form})
    assert resp.status_code == 200, resp.text[:500]
    return id_from(resp.url)


def _say(client, csrf: str, drill_id: int, text: str) -> str:
    """One turn as the page does it: the words (and hints), then the citizen's answer."""
    part = client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf, "text": text}, headers=HX).text
    if 'id="reply-form"' in part:
        return client.post(f"/drills/{drill_id}/reply", data={"csrf_token": csrf}, headers=HX).text
    return part


def test_a_drill_from_greeting_to_debrief_and_retry(client):
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, scenario_id=SCENARIO, hints="1")
    heard = client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf, "text": GOOD_TURNS[0]}, headers=HX)
    assert heard.status_code == 200 and heard.text.lstrip().startswith('<div id="drill-live"')
    assert 'id="reply-form"' in heard.text and 'class="bubble citizen"' not in heard.text  # not answered yet
    answered = client.post(f"/drills/{drill_id}/reply", data={"csrf_token": csrf}, headers=HX).text
    assert 'class="bubble citizen"' in answered and "<html" not in answered and 'id="reply-form"' not in answered
    rude = client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf, "text": "你快点讲"}, headers=HX).text
    assert 'class="hint' in rude and rude.count('class="bubble citizen"') == 1  # the hint comes before the answer
    client.post(f"/drills/{drill_id}/reply", data={"csrf_token": csrf}, headers=HX)
    reloaded = client.get(f"/drills/{drill_id}").text
    assert reloaded.count('class="bubble agent') == 2 and "你快点讲" in reloaded
    assert reloaded.count("催促市民") == 1  # shown once, kept with its turn
    for text in GOOD_TURNS[1:]:
        if _drill(client, drill_id).state["state"]["ended"]:
            break
        _say(client, csrf, drill_id, text)
    client.post(f"/drills/{drill_id}/end", data={"csrf_token": csrf})
    debrief = client.post(f"/drills/{drill_id}/order", data={"csrf_token": csrf, **ORDER})
    assert debrief.url.path == f"/drills/{drill_id}/debrief"
    drill = _drill(client, drill_id)
    assert drill.status == "done" and drill.total == drill.debrief["scorecard"]["total"]
    assert drill.debrief["scorecard"]["rulebook_version"]
    page = debrief.text
    assert 'id="mood-chart"' in page and "工单核对" in page and "情绪变差" in page and 'id="goals"' in page
    assert all(c["ok"] for c in drill.debrief["order_checks"] if c["field"] in ("request_type", "department"))
    new_id = id_from(client.post(f"/drills/{drill_id}/retry", data={"csrf_token": csrf}).url)
    assert new_id != drill_id and _drill(client, new_id).scenario_id == SCENARIO
    assert client.get(f"/drills/{drill_id}").url.path.endswith("/debrief")


def test_without_hints_one_post_answers(client):
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, scenario_id=SCENARIO)
    part = client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf, "text": GOOD_TURNS[0]}, headers=HX).text
    assert 'class="bubble citizen"' in part and 'id="reply-form"' not in part


@pytest.mark.parametrize(("field", "value", "message"), [
    ("urgency", "赵丽华", "紧急程度只能选"),
    ("request_type", "随便", "诉求类型只能选"),
    ("phone", "12345", "联系电话应为"),
    ("category", "公安政法 > 不存在的类", "不是"),
    ("deadline", "尽快", "办理时限写成"),
    ("invalid_reason", "无声", "只有诉求类型为“无效”"),
])
def test_a_bad_order_field_is_refused_with_its_message(client, field, value, message):
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, scenario_id=SCENARIO)
    _say(client, csrf, drill_id, GOOD_TURNS[0])
    client.post(f"/drills/{drill_id}/end", data={"csrf_token": csrf})
    resp = client.post(f"/drills/{drill_id}/order", data={"csrf_token": csrf, **ORDER, field: value})
    assert resp.status_code == 400 and message in resp.text and f'id="err-{field}"' in resp.text
    assert _drill(client, drill_id).status != "done"
    ok = client.post(f"/drills/{drill_id}/order", data={"csrf_token": csrf, **ORDER})
    assert ok.url.path.endswith("/debrief")


def test_the_category_comes_from_the_cascading_selects_and_synonyms_pass(client):
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, scenario_id=SCENARIO)
    _say(client, csrf, drill_id, GOOD_TURNS[0])
    form = {k: v for k, v in ORDER.items() if k != "category"}
    form |= {"category_1": "公安政法", "category_2": "噪音扰民", "category_3": "广场舞噪音"}  # other spellings
    client.post(f"/drills/{drill_id}/order", data={"csrf_token": csrf, **form})
    checks = {c["field"]: c for c in _drill(client, drill_id).debrief["order_checks"]}
    assert checks["category"]["ok"] and checks["category"]["submitted"] == "公安政法 › 噪声扰民 › 广场舞噪声"


def test_suggestion_fills_from_the_workorder_module(client):
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, scenario_id=SCENARIO)
    for text in GOOD_TURNS[:4]:
        _say(client, csrf, drill_id, text)
    box = client.get(f"/drills/{drill_id}/suggest").text
    from hotline.simulate import DrillSession
    from hotline.workorder.form import suggest

    proposed = suggest(DrillSession.from_dict(_drill(client, drill_id).state).call())
    category = proposed["category"]
    assert category and f'data-field="category">{category}<' in box
    assert f'data-field="department">{proposed["department"]}<' in box
    assert f'data-field="deadline">{proposed["deadline"]}<' in box and proposed["deadline"]


def test_weak_rules_come_from_real_calls_and_drills(client):
    login(client, "trainee")  # the seeded call under this trainee's 工号 has findings
    page = client.get("/drills").text
    assert "最常未通过的规则" in page and 'class="weak-start"' in page
    assert page.index('id="my-drills-card"') < page.index('id="start"') < page.index('id="weak"')
    login(client, "trainer")  # no calls, no drills
    assert "还没有演练或质检记录" in client.get("/drills").text


def _teams(client) -> dict[str, int]:
    with client.app.state.factory() as db:
        return two_teams(db)


def _assign(client, **form: str) -> int:
    csrf = login(client, "trainer")
    resp = client.post("/drills/assignments", data={"csrf_token": csrf, "title": "十一月考核", "scenario_id": SCENARIO,
                                                    "seed": "4242", **form})
    assert resp.status_code == 200, resp.text[:300]
    client.post("/logout", data={"csrf_token": csrf})
    return id_from(resp.url)


def test_exam_mode_fixes_the_seed_turns_hints_off_and_allows_one_attempt(client):
    assignment = _assign(client)
    seeds = []
    for trainee in ("trainee", "trainee2"):
        csrf = login(client, trainee)
        drill_id = _start(client, csrf, assignment_id=str(assignment), hints="1")
        drill = _drill(client, drill_id)
        seeds.append(drill.seed)
        assert drill.assignment_id == assignment and drill.state["hints"] is False
        assert client.get(f"/drills/{drill_id}/suggest").status_code == 403
        again = client.post("/drills", data={"csrf_token": csrf, "assignment_id": str(assignment)})
        assert again.status_code == 400 and "只能参加 1 次" in again.text
        client.post(f"/drills/{drill_id}/end", data={"csrf_token": csrf})
        client.post(f"/drills/{drill_id}/order", data={"csrf_token": csrf, **ORDER})
        retry = client.post(f"/drills/{drill_id}/retry", data={"csrf_token": csrf})
        assert retry.status_code == 400  # the debrief's retry keeps to the attempts too
        client.post("/logout", data={"csrf_token": csrf})
    assert seeds == [4242, 4242]
    csrf = login(client, "trainer")
    results = client.get(f"/drills/assignments/{assignment}").text
    assert "学员甲" in results and "学员乙" in results
    with client.app.state.factory() as db:
        trainee = db.query(User).filter_by(username="trainee").one()
    client.post(f"/drills/assignments/{assignment}/retry", data={"csrf_token": csrf, "user_id": str(trainee.id)})
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(client, "trainee")
    second = _start(client, csrf, assignment_id=str(assignment))  # the granted retry
    assert _drill(client, second).seed == 4242
    assert client.post("/drills", data={"csrf_token": csrf, "assignment_id": str(assignment)}).status_code == 400


def test_exam_answers_stay_hidden_until_the_exam_closes(client):
    assignment = _assign(client)
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, assignment_id=str(assignment))
    _say(client, csrf, drill_id, GOOD_TURNS[0])
    client.post(f"/drills/{drill_id}/end", data={"csrf_token": csrf})
    wrong = {**ORDER, "department": "市交通运输局"}
    page = client.post(f"/drills/{drill_id}/order", data={"csrf_token": csrf, **wrong}).text
    stored = _drill(client, drill_id).debrief
    secret = next(m["value"] for m in stored["missed"])  # a fact the trainee never asked for
    standard = next(c["expected"] for c in stored["order_checks"] if c["field"] == "department")
    assert secret not in page and 'id="answers-hidden"' in page and "考核结束后公布" in page
    assert standard not in page
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(client, "trainer")
    assert secret in client.get(f"/drills/{drill_id}/debrief").text  # the trainer sees the answers
    client.post(f"/drills/assignments/{assignment}/close", data={"csrf_token": csrf})
    client.post("/logout", data={"csrf_token": csrf})
    login(client, "trainee")
    assert secret in client.get(f"/drills/{drill_id}/debrief").text
    with client.app.state.factory() as db:
        assert db.get_one(DrillAssignment, assignment).closed_at is not None


def test_team_scope_on_every_exam_route(client):
    teams = _teams(client)
    assignment = _assign(client, team_id=str(teams["一组"]))
    csrf = login(client, "trainee2")  # 二组
    assert f'data-assignment="{assignment}"' not in client.get("/drills").text
    assert client.post("/drills", data={"csrf_token": csrf, "assignment_id": str(assignment)}).status_code == 404
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(client, "trainee")  # 一组
    drill_id = _start(client, csrf, assignment_id=str(assignment))
    client.post("/logout", data={"csrf_token": csrf})
    with client.app.state.factory() as db:  # a trainer of another team
        db.query(User).filter_by(username="trainer").one().team_id = teams["二组"]
        db.commit()
    csrf = login(client, "trainer")
    assert client.get(f"/drills/assignments/{assignment}").status_code == 404
    assert client.get(f"/drills/{drill_id}").status_code == 404
    with client.app.state.factory() as db:
        trainee = db.query(User).filter_by(username="trainee").one()
    for path, data in ((f"/drills/assignments/{assignment}/retry", {"user_id": str(trainee.id)}),
                       (f"/drills/assignments/{assignment}/close", {})):
        assert client.post(path, data={"csrf_token": csrf, **data}).status_code == 404
    made = client.post("/drills/assignments", data={"csrf_token": csrf, "title": "越权", "scenario_id": SCENARIO,
                                                    "team_id": str(teams["一组"])})
    assert made.status_code == 400 and "只能给自己的团队发布考核" in made.text


def test_a_timed_exam_shows_a_countdown_and_ends_the_call_when_time_is_up(client):
    assignment = _assign(client, time_limit="10")
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, assignment_id=str(assignment))
    assert 'id="countdown" data-seconds="' in client.get(f"/drills/{drill_id}").text
    from datetime import timedelta

    with client.app.state.factory() as db:
        row = db.get_one(Drill, drill_id)
        row.created_at = row.created_at - timedelta(minutes=11)
        db.commit()
    client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf, "text": GOOD_TURNS[0]})
    state = _drill(client, drill_id).state
    assert state["state"]["ended"] and state["turns"] == []  # the late turn was not taken


def test_only_the_owner_talks_in_a_drill(client):
    csrf = login(client, "trainee")
    drill_id = _start(client, csrf, scenario_id=SCENARIO)
    client.post("/logout", data={"csrf_token": csrf})
    csrf2 = login(client, "trainee2")
    assert client.get(f"/drills/{drill_id}").status_code == 404
    assert client.post(f"/drills/{drill_id}/say", data={"csrf_token": csrf2, "text": "您好"}).status_code == 404
    assert client.post(f"/drills/{drill_id}/reply", data={"csrf_token": csrf2}).status_code == 404
    assert client.post("/drills", data={"csrf_token": csrf2, "scenario_id": "no-such"}).status_code == 400
