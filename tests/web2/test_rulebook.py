"""规则 through HTTP: browse by dimension, errors shown in place, try on past calls, save (admins)."""

from __future__ import annotations

import re

from sqlalchemy import select
from web2_helpers import SCENARIO, login

from hotline.store.models import Drill, RulebookVersion, Scorecard

# One rule switched off: the seeded private call (tests/web) hits it.
DISABLE_RUSHING = """extends: default
version: "测试市-1"
disable: [forbidden.rushing.v1]
"""


def _counts(page: str) -> tuple[int, int, int]:
    return tuple(int(re.search(rf'id="try-{k}">(\d+)<', page).group(1)) for k in ("calls", "appeared", "disappeared"))


def test_rules_are_grouped_by_dimension(client):
    login(client, "trainer")
    page = client.get("/rulebook").text
    dims = re.findall(r'data-dimension="([^"]+)"', page)
    assert "服务禁语" in dims and len(dims) == len(set(dims)) >= 5
    assert 'data-rule="forbidden.phrase.v1"' in page.split('data-dimension="服务禁语"')[1].split("</section>")[0]


def test_errors_are_shown_in_place_with_the_text_kept(client):
    csrf = login(client, "admin")
    bad = "extends: default\nversion: x\nrules:\n  - title: 没有编号\n"
    resp = client.post("/rulebook/try", data={"csrf_token": csrf, "yaml_text": bad})
    assert resp.status_code == 400 and 'id="rulebook-error"' in resp.text and "id" in resp.text
    assert "没有编号" in resp.text  # the textarea keeps what was typed
    syntax = client.post("/rulebook/try", data={"csrf_token": csrf, "yaml_text": "extends: [\n"})
    assert syntax.status_code == 400 and "YAML" in syntax.text and "行" in syntax.text


def test_try_counts_disappearing_findings_then_admin_saves_a_version(client, seed):
    csrf = login(client, "lead")
    with client.app.state.factory() as db:
        rushing = db.scalar(select(Scorecard).where(Scorecard.call_id == seed.other_call))
        had = sum(f.rule_id == "forbidden.rushing.v1" for f in rushing.findings)
    assert had, "the seeded private call must hit forbidden.rushing.v1"
    page = client.post("/rulebook/try", data={"csrf_token": csrf, "yaml_text": DISABLE_RUSHING}).text
    calls, appeared, disappeared = _counts(page)
    assert calls == 2 and disappeared >= had and 'data-rule="forbidden.rushing.v1"' in page and "消失 ·" in page
    assert 'id="save-rulebook"' not in page  # inspectors try, admins save
    assert client.post("/rulebook/save", data={"csrf_token": csrf, "yaml_text": DISABLE_RUSHING}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(client, "admin")
    resp = client.post("/rulebook/save", data={"csrf_token": csrf, "yaml_text": DISABLE_RUSHING, "note": "试行"})
    assert resp.url.path == "/rulebook" and 'id="rulebook-version">测试市-1<' in resp.text
    assert "forbidden.rushing.v1" not in resp.text
    again = client.post("/rulebook/save", data={"csrf_token": csrf, "yaml_text": DISABLE_RUSHING})
    assert again.status_code == 400 and "已经用过" in again.text
    # the saved version scores the next drill, and the debrief says so
    drill = client.post("/drills", data={"csrf_token": csrf, "scenario_id": SCENARIO}).url.path
    client.post(f"{drill}/say", data={"csrf_token": csrf, "text": "你快点讲"})
    client.post(f"{drill}/order", data={"csrf_token": csrf, "request_type": "投诉"})
    with client.app.state.factory() as db:
        done = db.scalars(select(Drill).order_by(Drill.id.desc())).first()
        assert db.scalar(select(RulebookVersion.note).where(RulebookVersion.version == "测试市-1")) == "试行"
    assert done.debrief["scorecard"]["rulebook_version"] == "测试市-1"
    assert all(f["rule_id"] != "forbidden.rushing.v1" for f in done.debrief["scorecard"]["findings"])
