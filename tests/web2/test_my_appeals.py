"""我的申诉: a trainee's appeals with their status, a notice in every page's header once one is decided,
gone only when the trainee says they have read it (a POST; opening pages changes nothing)."""

from __future__ import annotations

from web2_helpers import login

from hotline.store.models import Appeal


def test_my_appeals_with_status_and_a_notice_on_decision(client, seed):
    csrf = login(client, "trainee")
    page = client.get("/appeals/mine").text
    assert f'data-appeal="{seed.appeal}"' in page and "待裁决" in page
    assert 'id="appeal-notice"' not in page and 'id="appeal-badge"' not in page
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(client, "lead")
    client.post(f"/appeals/{seed.appeal}/decide", data={"csrf_token": csrf, "outcome": "upheld", "note": "确属复述"})
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(client, "trainee")
    for path in ("/drills", "/learn", "/appeals/mine", "/calls"):  # the notice is in every page, and stays
        text = client.get(path).text
        assert 'id="appeal-notice"' in text and 'id="appeal-badge">1<' in text, path
    mine = client.get("/appeals/mine").text
    assert "申诉成立" in mine and "确属复述" in mine and 'class="new-decision"' in mine
    client.post("/appeals/mine/seen", data={"csrf_token": csrf})
    after = client.get("/appeals/mine").text
    assert 'id="appeal-notice"' not in after and 'class="new-decision"' not in after and "申诉成立" in after
    with client.app.state.factory() as db:
        assert db.get_one(Appeal, seed.appeal).seen_at is not None


def test_another_trainee_sees_only_their_own_appeals(client, seed):
    login(client, "trainee2")
    page = client.get("/appeals/mine").text
    assert f'data-appeal="{seed.appeal}"' not in page and "还没有提出过申诉" in page
