"""清理历次质检 (``hotline.store.prune``, ``hotline web prune-history``) on SQLite and PostgreSQL: a call
keeps its scorecard in force and the newest earlier ones; an earlier scorecard with someone's work on it
(a review, an appeal, a score change, a 漏判) is never removed; the run is audited; bad input is a Chinese
error naming the option."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from store_factories import make_call

from hotline.cli import main
from hotline.inspect import default_engine
from hotline.store.accounts import create_user
from hotline.store.imports import store_call
from hotline.store.models import AddedFinding, AuditEntry, Call, FindingRow, Role, Scorecard, User, Verdict
from hotline.store.prune import ACTION, plan, run
from hotline.store.reinspect import Selection, start
from hotline.store.reinspect import run as reinspect
from hotline.store.reviews import review_finding
from hotline.store.rulebooks import engine_for_text

GONE = "closing.thanks_goodbye.v1"
WITHOUT = """extends: default
version: "本市-{n}"
name: 测试规则库
rules: []
disable: [closing.thanks_goodbye.v1]
"""
WITH = WITHOUT.replace("disable: [closing.thanks_goodbye.v1]", "disable: []")


@pytest.fixture
def history(factory):
    """Calls c1 and c2, each with four scorecards (the first and three re-inspections that changed the
    result); c1's first scorecard carries a review of a finding the re-inspections no longer give."""
    eng = default_engine(semantic=False)
    with factory() as db:
        admin = create_user(db, "admin", "long-enough-1", Role.ADMIN)
        create_user(db, "insp", "long-enough-1", Role.INSPECTOR)
        create_user(db, "agent", "long-enough-1", Role.TRAINEE, agent_code="1001")
        for cid in ("c1", "c2"):
            call = make_call(cid)
            store_call(db, call, eng.inspect(call), batch_id=None)
        db.commit()
        finding = next(f for f in _cards(db, "c1")[0].findings if f.rule_id == GONE)
        review_finding(db, finding.id, admin, Verdict.CONFIRMED, "确认")
        db.commit()
        admin_id = admin.id
    for n, text in enumerate([WITHOUT, WITH, WITHOUT]):
        rejudge = engine_for_text(text.format(n=n), semantic=False)
        sel = Selection(everything=True)
        with factory() as db:
            entry, summary = start(db, sel, rejudge.rulebook.version, db.get(User, admin_id))
            db.commit()
        reinspect(factory, entry.id, sel, rejudge, summary, 200)
    return admin_id


def _cards(db, external_id: str) -> list[Scorecard]:
    return db.scalar(select(Call).where(Call.external_id == external_id)).scorecards


def test_the_plan_keeps_the_card_in_force_the_newest_history_and_cards_with_work(factory, history):
    with factory() as db:
        c1, c2 = _cards(db, "c1"), _cards(db, "c2")
        assert len(c1) == len(c2) == 4
        todo = plan(db, keep=1)
        assert (todo.calls_with_history, todo.earlier, todo.kept_recent, todo.kept_work) == (2, 6, 2, 1)
        assert sorted(todo.remove) == sorted([c1[1].id, c2[0].id, c2[1].id])  # c1[0] carries the review
        none = plan(db, keep=0)
        assert sorted(none.remove) == sorted([c1[1].id, c1[2].id, c2[0].id, c2[1].id, c2[2].id])
        assert plan(db, keep=3).remove == []
        assert db.scalar(select(func.count()).select_from(Scorecard)) == 8  # a plan changes nothing


def test_a_run_removes_the_cards_and_their_findings_and_is_audited(factory, history):
    with factory() as db:
        todo = plan(db, keep=0)
        gone = list(todo.remove)
        in_force = {cid: _cards(db, cid)[-1].id for cid in ("c1", "c2")}
        kept, late = _cards(db, "c1")[0].id, _cards(db, "c2")[0].id
        # a 漏判 added on c2's oldest card after the plan was read: that card now carries work too
        db.add(AddedFinding(scorecard_id=late, rule_id=GONE, user_id=history))
        db.commit()
        actor = db.get(User, history)
    removed = run(factory, todo, actor)
    assert removed == len(gone) - 1
    with factory() as db:
        left = set(db.scalars(select(Scorecard.id)))
        assert left == {*in_force.values(), kept, late}
        removed_ids = set(gone) - {late}
        assert db.scalar(select(func.count()).select_from(FindingRow).where(FindingRow.scorecard_id.in_(removed_ids))) == 0
        assert {cid: _cards(db, cid)[-1].id for cid in ("c1", "c2")} == in_force
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == ACTION))
        assert entry.user_id == history and entry.detail["removed"] == removed and entry.detail["keep"] == 0


def test_the_command_dry_run_changes_nothing_and_a_run_deletes(factory, history, db_url, capsys):
    assert main(["web", "prune-history", "--dry-run", "--database-url", db_url]) == 0
    out = capsys.readouterr().out
    assert "历史评分表 6 份" in out and "可以删除：3 份" in out and "未做任何改动" in out
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Scorecard)) == 8
    assert main(["web", "prune-history", "--keep", "0", "--operator", "insp", "--database-url", db_url]) == 0
    assert "已删除历史评分表 5 份" in capsys.readouterr().out
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Scorecard)) == 3


@pytest.mark.parametrize(("args", "option", "words"), [
    (["--keep", "两份"], "--keep", "0 到 100"),
    (["--keep", "101"], "--keep", "0 到 100"),
    ([], "--operator", "须指明操作人"),
    (["--operator", "ghost"], "--operator", "不是在用的账号"),
    (["--operator", "agent"], "--operator", "只有管理员或质检员可以清理历史评分表"),
])
def test_bad_input_is_a_chinese_error_naming_the_option(factory, history, db_url, capsys, monkeypatch, args, option,
                                                        words):
    monkeypatch.delenv("HOTLINE_OPERATOR", raising=False)
    assert main(["web", "prune-history", *args, "--database-url", db_url]) == 2
    err = capsys.readouterr().err
    assert f"{option}：" in err and words in err and "Traceback" not in err
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Scorecard)) == 8
