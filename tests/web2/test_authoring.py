"""培训师 authoring through HTTP: validation errors in place, overrides used by drills and quizzes."""

from __future__ import annotations

import pytest
from web2_helpers import login

from hotline.content import data_path


def test_an_edited_scenario_is_validated_then_used_by_drills(client):
    csrf = login(client, "trainer")
    text = client.get("/authoring/scenario/stray-dogs").text
    assert "小区流浪狗成群追咬小孩" in text
    original = data_path("scenarios", "library", "stray-dogs.yaml").read_text(encoding="utf-8")
    bad = original.replace("difficulty: 2", "difficulty: 9")
    resp = client.post("/authoring/scenario/stray-dogs", data={"csrf_token": csrf, "yaml_text": bad})
    assert resp.status_code == 400 and 'id="authoring-error"' in resp.text and "difficulty" in resp.text
    wrong_rule = original.replace("norms: [", "norms: [no.such.rule.v1, ")
    resp = client.post("/authoring/scenario/stray-dogs", data={"csrf_token": csrf, "yaml_text": wrong_rule})
    assert resp.status_code == 400 and "no.such.rule.v1" in resp.text
    edited = original.replace("小区流浪狗成群追咬小孩", "小区流浪狗成群（本市版）")
    resp = client.post("/authoring/scenario/stray-dogs", data={"csrf_token": csrf, "yaml_text": edited})
    assert resp.status_code == 200 and "已保存" in resp.text and "已在网页中修改" in resp.text
    assert "小区流浪狗成群（本市版）" in client.get("/drills").text
    drill = client.post("/drills", data={"csrf_token": csrf, "scenario_id": "stray-dogs"}).text
    assert "小区流浪狗成群（本市版）" in drill


def test_a_new_question_joins_the_bank(client):
    csrf = login(client, "admin")
    text = data_path("web", "new_question.yaml").read_text(encoding="utf-8")
    resp = client.post("/authoring/question/new", data={"csrf_token": csrf, "yaml_text": text})
    assert resp.status_code == 200 and "question:city-01" in resp.text
    page = client.get("/authoring/question/city-01").text
    assert "市民说“这事不归你们管吧？”" in page
    mismatch = text.replace("id: city-01", "id: city-02")
    resp = client.post("/authoring/question/city-01", data={"csrf_token": csrf, "yaml_text": mismatch})
    assert resp.status_code == 400 and "id 应为 city-01" in resp.text


@pytest.mark.parametrize("path", ["/authoring/lesson/x", "/authoring/scenario/no-such", "/authoring/question/no-such"])
def test_unknown_items_are_not_found(client, path):
    login(client, "trainer")
    assert client.get(path).status_code == 404
