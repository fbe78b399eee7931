"""重新质检 of stored calls (``hotline.store.reinspect``, ``hotline web reinspect``) on SQLite and PostgreSQL:
which calls the filters pick, what happens to reviews, appeals and 漏判, chunked commits, the audit entry,
and the Chinese errors that name the option."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from store_factories import make_call

from hotline.cli import main
from hotline.inspect import default_engine
from hotline.store.accounts import create_team, create_user
from hotline.store.imports import create_batch, store_call
from hotline.store.models import (
    AddedFinding,
    Appeal,
    AuditEntry,
    Call,
    FindingRow,
    Review,
    Role,
    RulebookVersion,
    Scorecard,
    ScoreChange,
    Verdict,
)
from hotline.store.reinspect import ACTION, Selection, preview, run, selected, start
from hotline.store.reviews import appeal_finding, review_finding
from hotline.store.rulebooks import engine_for_text, save_override

VERSION = "本市-测试-1"
# a saved city version that no longer checks the closing thanks (the rule the tests review and appeal)
OVERRIDE = f"""extends: default
version: "{VERSION}"
name: 测试规则库
rules: []
disable: [closing.thanks_goodbye.v1]
"""
SAME_RULES = OVERRIDE.replace(VERSION, "本市-测试-2").replace("disable: [closing.thanks_goodbye.v1]", "disable: []")
KEPT, GONE = "forbidden.flat_refusal.v1", "closing.thanks_goodbye.v1"


@pytest.fixture
def world(factory):
    """An admin, an inspector, a team 一组 with agent 1001, agent 1002 without a team, two batches
    and five calls judged by the default rulebook."""
    eng = default_engine(semantic=False)
    with factory() as db:
        team = create_team(db, "一组")
        admin = create_user(db, "admin", "long-enough-1", Role.ADMIN)
        insp = create_user(db, "insp", "long-enough-1", Role.INSPECTOR)
        create_user(db, "agent", "long-enough-1", Role.TRAINEE, agent_code="1001", team_id=team.id)
        create_user(db, "agent2", "long-enough-1", Role.TRAINEE, agent_code="1002")
        create_user(db, "former", "long-enough-1", Role.INSPECTOR).active = False
        first, second = create_batch(db, ["a.jsonl"], insp), create_batch(db, ["b.jsonl"], insp)
        for cid, agent, day, batch in [("c1", "1001", "2026-11-01", first), ("c2", "1001", "2026-11-10", first),
                                       ("c3", "1002", "2026-11-05", second), ("c4", "1002", "2026-12-01", second),
                                       ("c5", "1003", "2026-11-20", None)]:
            call = make_call(cid, agent, day)
            store_call(db, call, eng.inspect(call), batch_id=batch.id if batch else None)
        db.commit()
        ids = {"admin": admin.id, "insp": insp.id, "first": first.id, "second": second.id}
    return ids


def picked(factory, sel: Selection, version: str = "2026.12-1") -> set[str]:
    with factory() as db:
        return set(db.scalars(selected(sel, version, Call.external_id)))


def card_of(db, external_id: str) -> Scorecard:
    call = db.scalar(select(Call).where(Call.external_id == external_id))
    return call.scorecard


@pytest.mark.parametrize(("sel", "expected"), [
    (Selection(everything=True), {"c1", "c2", "c3", "c4", "c5"}),
    (Selection(batches=("first",)), {"c1", "c2"}),
    (Selection(batches=("first", "second")), {"c1", "c2", "c3", "c4"}),
    (Selection(date_from="2026-11-05"), {"c2", "c3", "c4", "c5"}),
    (Selection(date_to="2026-11-05"), {"c1", "c3"}),
    (Selection(date_from="2026-11-02", date_to="2026-11-30"), {"c2", "c3", "c5"}),
    (Selection(teams=("一组",)), {"c1", "c2"}),
    (Selection(agents=("1002", "1003")), {"c3", "c4", "c5"}),
    (Selection(teams=("一组",), date_from="2026-11-05"), {"c2"}),
    (Selection(no_citizen=True), {"c4"}),
    (Selection(outdated=True), {"c5"}),
])
def test_filters_select_the_right_calls(factory, world, sel, expected):
    from dataclasses import replace
    from datetime import date

    sel = replace(sel, batches=tuple(world[b] for b in sel.batches),
                  date_from=date.fromisoformat(sel.date_from) if sel.date_from else None,
                  date_to=date.fromisoformat(sel.date_to) if sel.date_to else None)
    with factory() as db:
        # c4 was stored before the citizen block existed; c5 was judged by another version
        db.execute(update(Scorecard).where(Scorecard.id == card_of(db, "c4").id).values(
            citizen=None, emotion_start=None, review_level=None))
        card_of(db, "c5").rulebook_version_id = _version(db, "2025-旧版")
        db.commit()
    assert picked(factory, sel) == expected


def _version(db, name: str) -> int:
    row = RulebookVersion(version=name)
    db.add(row)
    db.flush()
    return row.id


def test_a_newer_scorecard_decides_what_the_filters_see(factory, world):
    """The filters read each call's newest scorecard, not any of its scorecards."""
    with factory() as db:
        db.execute(update(Scorecard).where(Scorecard.id == card_of(db, "c1").id).values(emotion_start=None))
        db.commit()
    eng = engine_for_text(SAME_RULES)
    _run(factory, world, Selection(agents=("1001",)), eng)
    assert picked(factory, Selection(no_citizen=True)) == set()
    assert picked(factory, Selection(outdated=True), "本市-测试-2") == {"c3", "c4", "c5"}


def _run(factory, world, sel: Selection, eng, chunk: int = 200, progress=None):
    with factory() as db:
        entry, summary = start(db, sel, eng.rulebook.version, db.get(*_admin(world)))
        db.commit()
    return run(factory, entry.id, sel, eng, summary, chunk, progress)


def _admin(world):
    from hotline.store.models import User

    return User, world["admin"]


def _finding(db, external_id: str, rule_id: str) -> FindingRow:
    return next(f for f in card_of(db, external_id).findings if f.rule_id == rule_id)


def _reviewed_world(factory, world) -> dict[str, int]:
    """c1: KEPT confirmed and appealed by its agent, GONE overturned, a 漏判 added; c2: GONE confirmed."""
    from hotline.store.models import User

    with factory() as db:
        insp, agent = db.get(User, world["insp"]), db.scalar(select(User).where(User.username == "agent"))
        kept, gone = _finding(db, "c1", KEPT), _finding(db, "c1", GONE)
        review_finding(db, kept.id, insp, Verdict.CONFIRMED, "确属生硬拒绝")
        review_finding(db, gone.id, insp, Verdict.OVERTURNED, "结束语其实说了")
        appeal_finding(db, kept.id, agent, "我后来给了去向")
        review_finding(db, _finding(db, "c2", GONE).id, insp, Verdict.CONFIRMED)
        db.add(AddedFinding(scorecard_id=card_of(db, "c1").id, rule_id="empathy.acknowledge.v1", turn_index=1,
                            note="没有安抚", user_id=insp.id))
        db.commit()
        return {"kept": kept.id, "gone": gone.id, "card": card_of(db, "c1").id}


def test_reviews_appeals_and_added_findings_follow_the_finding_to_the_new_scorecard(factory, world):
    before = _reviewed_world(factory, world)
    summary = _run(factory, world, Selection(agents=("1001",)), engine_for_text(SAME_RULES))
    assert (summary.rejudged, summary.reviews, summary.appeals, summary.added, summary.detached) == (2, 3, 1, 1, [])
    with factory() as db:
        card = card_of(db, "c1")
        assert card.id != before["card"] and card.rulebook_version.version == "本市-测试-2"
        kept = next(f for f in card.findings if f.rule_id == KEPT)
        assert kept.review.verdict == Verdict.CONFIRMED.value and kept.review.note == "确属生硬拒绝"
        assert kept.appeal.reason == "我后来给了去向"
        gone = next(f for f in card.findings if f.rule_id == GONE)
        assert gone.review.verdict == Verdict.OVERTURNED.value
        # the overturned finding no longer counts against the score in force, as before the re-judgement
        assert card.total > card.engine_total and card.total == db.get(Scorecard, before["card"]).total
        added = db.scalars(select(AddedFinding)).all()
        assert [a.scorecard_id for a in added] == [card.id]
        assert db.scalar(select(func.count()).select_from(Review)) == 3  # moved, not copied
        old = db.get(Scorecard, before["card"])
        assert all(f.review is None and f.appeal is None for f in old.findings)
        change = db.scalars(select(ScoreChange).where(ScoreChange.scorecard_id == card.id)).one()
        assert change.cause == "reinspect" and change.user_id == world["admin"] and "本市-测试-2" in change.note


def test_a_review_whose_finding_is_gone_stays_readable_and_is_listed(factory, world):
    before = _reviewed_world(factory, world)
    summary = _run(factory, world, Selection(agents=("1001",)), engine_for_text(OVERRIDE))
    assert sorted((d.external_id, d.rule_id, d.review) for d in summary.detached) == [
        ("c1", GONE, "overturned"), ("c2", GONE, "confirmed")]
    text = "\n".join(summary.lines())
    assert "对应发现已不存在的复核与申诉" in text and "通话 c1" in text and GONE in text
    with factory() as db:
        review = db.scalar(select(Review).where(Review.finding_id == before["gone"]))
        assert review is not None and review.note == "结束语其实说了"  # still on the old finding, old scorecard
        assert db.get(Scorecard, before["card"]) is not None
        assert not any(f.rule_id == GONE for f in card_of(db, "c1").findings)
        assert db.scalar(select(Appeal)).finding.scorecard_id == card_of(db, "c1").id
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == ACTION))
        assert entry.detail["detached"] == 2 and f"c1：{GONE}" in entry.detail["detached_calls"]


def test_each_chunk_is_committed_with_the_audit_counts(factory, world):
    seen = []

    def progress(summary):
        with factory() as other:  # another connection sees only what is committed
            rows = other.scalar(select(func.count()).select_from(Scorecard).join(RulebookVersion)
                                .where(RulebookVersion.version == VERSION))
            detail = other.scalar(select(AuditEntry.detail).where(AuditEntry.action == ACTION))
        seen.append((summary.done, rows, detail["rejudged"], detail["state"]))

    summary = _run(factory, world, Selection(everything=True), engine_for_text(OVERRIDE), chunk=2, progress=progress)
    assert seen == [(2, 2, 2, "running"), (4, 4, 4, "running"), (5, 5, 5, "running")]
    assert summary.finished and summary.rejudged == 5


def test_one_audit_entry_per_run_names_the_operator_the_filters_and_the_counts(factory, world):
    _run(factory, world, Selection(teams=("一组",), outdated=True), engine_for_text(OVERRIDE))
    with factory() as db:
        entries = db.scalars(select(AuditEntry).where(AuditEntry.action == ACTION)).all()
        assert len(entries) == 1
        entry = entries[0]
        assert entry.user_id == world["admin"] and entry.target_id == VERSION
        d = entry.detail
        assert d["operator"] == "admin" and d["state"] == "done" and d["rulebook"] == VERSION
        assert d["filters"] == ["团队 一组", f"不是按当前规则库版本“{VERSION}”判定的通话"]
        assert (d["selected"], d["rejudged"], d["verdict_changed"], d["failed"]) == (2, 2, 2, 0)


def test_an_identical_result_writes_nothing_and_a_missing_citizen_block_is_added(factory, world):
    eng = default_engine(semantic=False)
    with factory() as db:
        db.execute(update(Scorecard).where(Scorecard.id == card_of(db, "c3").id).values(
            citizen=None, emotion_start=None, dissatisfaction=None, review_level=None, review_reasons=None))
        db.execute(update(Scorecard).where(Scorecard.id == card_of(db, "c4").id).values(review_level=None))
        db.commit()
    summary = _run(factory, world, Selection(everything=True), eng)
    assert (summary.rejudged, summary.unchanged, summary.changed, summary.citizen_added) == (5, 3, 0, 2)
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Scorecard)) == 7
        for external_id in ("c3", "c4"):
            card = card_of(db, external_id)
            assert card.citizen and card.emotion_start is not None and card.review_level in ("mandatory", "sample", "auto_pass")


def test_a_call_that_cannot_be_judged_is_listed_and_the_others_are_done(factory, world):
    with factory() as db:
        call = db.scalar(select(Call).where(Call.external_id == "c2"))
        call.turns = [*call.turns, {"speaker": "顾客", "text": "喂？"}]
        db.commit()
    summary = _run(factory, world, Selection(everything=True), engine_for_text(OVERRIDE), chunk=2)
    assert [c for c, _ in summary.failed] == ["c2"] and "无法还原" in summary.failed[0][1]
    assert summary.rejudged == 4
    with factory() as db:
        assert card_of(db, "c2").rulebook_version.version == "2026.12-1"  # untouched
        assert card_of(db, "c3").rulebook_version.version == VERSION
        assert db.scalar(select(AuditEntry.detail).where(AuditEntry.action == ACTION))["failed_calls"][0].startswith("c2：")


def test_preview_counts_by_version(factory, world):
    _reviewed_world(factory, world)
    with factory() as db:
        p = preview(db, Selection(everything=True), VERSION)
    assert (p.calls, p.by_version, p.without_citizen, p.reviewed) == (5, [("2026.12-1", 5)], 0, 2)


# ── the command ───────────────────────────────────────────────────────────


def _save(factory, world, text: str = OVERRIDE) -> None:
    from hotline.store.models import User

    with factory() as db:
        save_override(db, text, db.get(User, world["admin"]))
        db.commit()


def test_command_uses_the_saved_rulebook_and_dry_run_changes_nothing(factory, world, db_url, capsys):
    _save(factory, world)
    assert main(["web", "reinspect", "--outdated", "--dry-run", "--database-url", db_url]) == 0
    out = capsys.readouterr().out
    assert f"网页保存的规则库版本“{VERSION}”" in out and "重新质检 5 通" in out and "未做任何改动" in out
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Scorecard)) == 5
        assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == ACTION)) == 0
    assert main(["web", "reinspect", "--team", "一组", "--operator", "insp", "--chunk-size", "1", "--database-url", db_url]) == 0
    captured = capsys.readouterr()
    assert "选中 2 通，重新质检 2 通，其中结论有变化 2 通" in captured.out and "已处理 2/2 通" in captured.err
    with factory() as db:
        assert card_of(db, "c1").rulebook_version.version == VERSION and card_of(db, "c3").rulebook_version.version == "2026.12-1"


@pytest.mark.parametrize(("args", "option", "words"), [
    ([], "--all", "请指明"),
    (["--team", "三组"], "--team", "没有名为“三组”的团队"),
    (["--date-from", "2026-13-01"], "--date-from", "格式不对"),
    (["--date-to", "11/30"], "--date-to", "格式不对"),
    (["--date-from", "2026-11-30", "--date-to", "2026-11-01"], "--date-to", "早于开始日期"),
    (["--batch", "999"], "--batch", "没有编号为 999"),
    (["--batch", "第一批"], "--batch", "正整数"),
    (["--agent", "9999"], "--agent", "工号“9999”"),
    (["--all", "--chunk-size", "0"], "--chunk-size", "1 到"),
    (["--all"], "--operator", "须指明操作人"),
    (["--all", "--operator", "ghost"], "--operator", "不是在用的账号"),
    (["--all", "--operator", "former"], "--operator", "不是在用的账号"),
    (["--all", "--operator", "agent"], "--operator", "只有管理员或质检员"),
])
def test_bad_input_is_a_chinese_error_naming_the_option(factory, world, db_url, capsys, monkeypatch, args, option, words):
    monkeypatch.delenv("HOTLINE_OPERATOR", raising=False)
    assert main(["web", "reinspect", *args, "--database-url", db_url]) == 2
    err = capsys.readouterr().err
    assert f"{option}：" in err and words in err and "Traceback" not in err
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Scorecard)) == 5



def test_a_call_the_engine_fails_on_is_listed_alone(factory, world, monkeypatch):
    from hotline.errors import HotlineError

    eng = engine_for_text(OVERRIDE)

    class Failing:  # the engine, but c3 fails (a compiled engine's methods cannot be patched on the instance)
        def __getattr__(self, name):
            return getattr(eng, name)

        def inspect(self, call, *args, **kwargs):
            if call.id == "c3":
                raise HotlineError("正则运行超时")
            return eng.inspect(call, *args, **kwargs)

        def inspect_batch(self, calls):
            return [self.inspect(c) for c in calls]

    summary = _run(factory, world, Selection(everything=True), Failing())
    assert summary.failed == [("c3", "质检失败：正则运行超时")] and summary.rejudged == 4


def test_a_call_that_cannot_be_saved_is_listed_alone_and_the_chunk_kept(factory, world, monkeypatch):
    from hotline.store import rejudge

    store = rejudge.add_scorecard

    def add_scorecard(db, row, card):
        if row.external_id == "c2":
            raise RuntimeError("数据库拒绝写入")
        return store(db, row, card)

    monkeypatch.setattr(rejudge, "add_scorecard", add_scorecard)
    summary = _run(factory, world, Selection(everything=True), engine_for_text(OVERRIDE), chunk=3)
    assert [c for c, _ in summary.failed] == ["c2"] and "保存失败" in summary.failed[0][1]
    with factory() as db:
        assert sorted(c for c in ["c1", "c2", "c3", "c4", "c5"] if card_of(db, c).rulebook_version.version == VERSION) == [
            "c1", "c3", "c4", "c5"]
        assert db.scalar(select(AuditEntry.detail).where(AuditEntry.action == ACTION))["rejudged"] == 4


def test_a_run_stopped_half_way_says_so_and_keeps_what_it_committed(factory, world):
    def stop(summary):
        if summary.done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(factory, world, Selection(everything=True), engine_for_text(OVERRIDE), chunk=2, progress=stop)
    with factory() as db:
        detail = db.scalar(select(AuditEntry.detail).where(AuditEntry.action == ACTION))
        assert (detail["state"], detail["rejudged"]) == ("interrupted", 2)
        assert db.scalar(select(func.count()).select_from(Scorecard)) == 7


def test_one_run_at_a_time_unless_the_other_has_not_moved_for_long(factory, world, db_url, capsys):
    from datetime import timedelta

    from hotline.store.models import User, utcnow
    from hotline.store.reinspect import QUIET

    with factory() as db:
        entry, _ = start(db, Selection(everything=True), VERSION, db.get(User, world["insp"]))
        db.commit()
    args = ["web", "reinspect", "--all", "--operator", "admin", "--database-url", db_url]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "另一次重新质检正在进行" in err and "操作人 insp" in err and "Traceback" not in err
    with factory() as db:
        stale = (utcnow() - QUIET - timedelta(minutes=1)).isoformat(timespec="seconds")
        row = db.get(AuditEntry, entry.id)
        row.detail = {**row.detail, "updated": stale}
        db.commit()
    assert main(args) == 0
