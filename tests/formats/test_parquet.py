"""Parquet in and out: one row a call or one row a turn, bad rows reported by number (never dropped),
the scorecards / findings / rejected datasets, partitioned by date, whose columns follow Scorecard."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from hotline.cli import cli
from hotline.errors import FormatError
from hotline.formats import columnar, parquet, read_calls
from hotline.formats.parquet import existing_results, read_dataset, write_parquet
from hotline.inspect import default_engine
from hotline.model import Call, Scorecard, Speaker, Turn

GREETING = "您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"
SHIRK = "这个不归我们管，你自己去找城管。"
TURN = pa.struct([("speaker", pa.string()), ("text", pa.string()), ("start", pa.float64()), ("end", pa.float64())])


def _turns(*texts: str) -> list[dict[str, Any]]:
    return [{"speaker": "agent" if i % 2 == 0 else "citizen", "text": t, "start": 3.0 * i, "end": 3.0 * i + 2}
            for i, t in enumerate(texts)]


def _write(path: Path, rows: list[dict[str, Any]], schema: pa.Schema | None = None) -> Path:
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, row_group_size=2)
    return path


def _read(path: Path) -> tuple[list[Call], list[FormatError]]:
    errors: list[FormatError] = []
    return list(read_calls(path, errors.append)), errors


def test_one_row_a_call_with_turn_structs_and_plain_columns_as_meta(tmp_path: Path) -> None:
    schema = pa.schema([("call_id", pa.string()), ("turns", pa.list_(TURN)), ("agent_id", pa.string()),
                        ("date", pa.date32()), ("meta", pa.struct([("channel", pa.string())]))])
    rows = [{"call_id": "c1", "turns": _turns(GREETING, "路灯坏了。"), "agent_id": "1024",
             "date": dt.date(2026, 5, 12), "meta": {"channel": "电话"}},
            {"call_id": "c2", "turns": [], "agent_id": "1025", "date": None, "meta": None},
            {"call_id": "c3", "turns": _turns(GREETING), "agent_id": None, "date": None, "meta": None}]
    calls, errors = _read(_write(tmp_path / "calls.parquet", rows, schema))
    assert [c.id for c in calls] == ["c1", "c3"]
    assert calls[0].meta == {"agent_id": "1024", "date": "2026-05-12", "channel": "电话"}
    assert calls[0].turns[1].speaker is Speaker.CITIZEN and calls[0].turns[1].end == 5.0
    assert [(e.location, e.message) for e in errors] == [("第 2 行", "没有任何话轮")]


@pytest.mark.parametrize(
    ("rows", "location", "message"),
    [
        ([{"id": "a", "turns": _turns(GREETING), "meta": '{"agent_id": "7"}'},
          {"id": "b", "turns": _turns(GREETING), "meta": "{oops"}], "第 2 行", "meta 列应为 JSON 对象"),
        ([{"id": "a", "turns": _turns(GREETING), "meta": None},
          {"id": "b", "turns": [{"speaker": "agent", "text": None, "start": None, "end": None}], "meta": None}],
         "第 2 行 turns[0]", "缺少 text"),
        ([{"id": "a", "turns": _turns(GREETING), "meta": None},
          {"id": "b", "turns": [{"speaker": "agent", "text": "好", "start": 5.0, "end": 1.0}], "meta": None}],
         "第 2 行 turns[0]", "早于开始时间"),
    ],
)
def test_a_bad_call_row_is_reported_by_its_number(tmp_path: Path, rows: list[dict[str, Any]], location: str,
                                                   message: str) -> None:
    calls, errors = _read(_write(tmp_path / "x.parquet", rows))
    assert [c.id for c in calls] == ["a"]
    assert len(errors) == 1 and errors[0].location == location and message in errors[0].message
    assert errors[0].source == str(tmp_path / "x.parquet")


def test_one_row_a_turn_groups_calls_and_reports_a_bad_call_whole(tmp_path: Path) -> None:
    rows = [{"通话ID": "t1", "说话人": "坐席", "内容": GREETING, "开始": 0.0, "结束": 3.0, "坐席工号": "1024"},
            {"通话ID": "t2", "说话人": "坐席", "内容": GREETING, "开始": 0.0, "结束": 3.0, "坐席工号": "1025"},
            {"通话ID": "t1", "说话人": "市民", "内容": "路灯坏了。", "开始": 4.0, "结束": 6.0, "坐席工号": "1024"},
            {"通话ID": "t2", "说话人": "市民", "内容": "好的", "开始": 9.0, "结束": 2.0, "坐席工号": "1025"},
            {"通话ID": None, "说话人": "市民", "内容": "谁的？", "开始": None, "结束": None, "坐席工号": None}]
    calls, errors = _read(_write(tmp_path / "turns.parquet", rows))
    assert [(c.id, len(c.turns), c.meta) for c in calls] == [("t1", 2, {"坐席工号": "1024"})]
    assert [(e.location, e.message) for e in errors] == [
        ("第 5 行", "call_id 为空"), ("第 4 行", "通话 t2 未导入：结束时间 2 早于开始时间 9")]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"PAR1 not really"), "不是有效的 Parquet 文件"),
        (lambda p: _write(p, [], pa.schema([("id", pa.string()), ("turns", pa.list_(TURN))])), "没有任何通话（0 行）"),
        (lambda p: _write(p, [{"who": "坐席", "words": "您好"}]), "表头缺少列：call_id, speaker, text"),
    ],
)
def test_a_file_that_is_not_a_usable_table_is_one_clear_error(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "f.parquet"
    make(path)
    calls, errors = _read(path)
    assert calls == [] and len(errors) == 1 and message in errors[0].message and errors[0].source == str(path)


ENGINE = default_engine(semantic=False)
RB = ENGINE.rulebook
TITLES = {r.id: r.title for r in RB.rules}


def _pairs() -> list[tuple[Call, Scorecard]]:
    calls = [Call("p1", [Turn(Speaker.AGENT, GREETING), Turn(Speaker.CITIZEN, "楼下太吵了。"), Turn(Speaker.AGENT, SHIRK)],
                  {"date": "2026-05-12 09:30", "agent_id": "1024"}),
             Call("p2", [Turn(Speaker.AGENT, GREETING), Turn(Speaker.CITIZEN, "没事了。")], {"start_time": "2026/05/13 10:00"}),
             Call("p3", [Turn(Speaker.AGENT, "喂？")], {})]
    return list(zip(calls, ENGINE.inspect_batch(calls), strict=True))


def test_datasets_hold_every_call_and_finding_with_real_deductions(tmp_path: Path) -> None:
    pairs = _pairs()
    rejected = [FormatError("JSON 语法错误", source="in.jsonl", location="第 3 行")]
    assert write_parquet(iter(pairs), tmp_path, TITLES, RB.scoring.pass_mark, rejected) == 3
    cards = {r["call_id"]: r for r in read_dataset(tmp_path / "scorecards")}
    findings = read_dataset(tmp_path / "findings")
    assert sorted(p.name for p in (tmp_path / "scorecards").iterdir()) == [
        "date=2026-05-12", "date=2026-05-13", "date=__HIVE_DEFAULT_PARTITION__"]
    for call, card in pairs:
        row = cards[call.id]
        assert (row["total"], row["vetoed"], row["dimensions"], row["findings"]) == (
            card.total, card.vetoed, card.dimensions, len(card.findings))
        mine = sorted((f for f in findings if f["call_id"] == call.id), key=lambda f: f["seq"])
        assert [f["rule_id"] for f in mine] == [f.rule_id for f in card.findings]
        assert [f["deduction"] for f in mine] == card.deductions()
    assert cards["p1"]["verdict"] == "一票否决" and cards["p1"]["agent_id"] == "1024"
    assert cards["p2"]["date"] == "2026-05-13" and json.loads(cards["p2"]["outcomes"])[0]["rule_id"]
    shirk = next(f for f in findings if f["call_id"] == "p1" and f["veto"])
    assert (shirk["turn"], shirk["speaker"]) == (3, "坐席") and shirk["evidence"] in SHIRK
    assert read_dataset(tmp_path / "rejected") == [
        {"source": "in.jsonl", "location": "第 3 行", "code": "E100", "reason": "JSON 语法错误"}]


def test_every_scorecard_key_has_a_column() -> None:
    """When Scorecard grows a block (the citizen block, review), the datasets must carry it."""
    columns = {name for name, _ in columnar.SCORECARD_COLUMNS}
    keys = set(_pairs()[0][1].to_dict())
    assert keys - columns - set(columnar.ELSEWHERE) == set()
    row = columnar.scorecard_row(*_pairs()[0], RB.scoring.pass_mark)
    assert set(row) == columns


def test_every_finding_key_has_a_column() -> None:
    """When Finding grows a field (the act model's threshold), the findings dataset must carry it."""
    columns = {name for name, _ in columnar.FINDING_COLUMNS}
    finding = next(f for _, card in _pairs() for f in card.findings)
    renamed = {c for names in columnar.FINDING_RENAMED.values() for c in names}
    assert set(finding.to_dict()) - columns - set(columnar.FINDING_RENAMED) == set()
    assert renamed <= columns


def test_triage_and_the_citizen_block_are_plain_columns_too() -> None:
    """Review level, predicted dissatisfaction and escalation risk can be queried without parsing JSON."""
    for call, card in _pairs():
        row = columnar.scorecard_row(call, card, RB.scoring.pass_mark)
        assert card.review is not None and card.citizen is not None
        assert row["review_level"] == card.review.level == json.loads(row["review"])["level"]
        assert row["dissatisfaction"] == card.citizen.dissatisfaction
        assert row["escalation_risk"] == card.citizen.escalation_risk == json.loads(row["citizen"])["escalation_risk"]
    vetoed = columnar.scorecard_row(*_pairs()[0], RB.scoring.pass_mark)
    assert vetoed["review_level"] == "mandatory"
    quiet = columnar.scorecard_row(Call("q", [], {}), Scorecard("q", 100, {}, [], "v1"), 80)
    assert (quiet["review_level"], quiet["dissatisfaction"], quiet["citizen"]) == (None, None, None)


def test_a_block_added_to_the_scorecard_lands_in_its_column(monkeypatch: pytest.MonkeyPatch) -> None:
    call, card = _pairs()[1]
    original = Scorecard.to_dict
    monkeypatch.setattr(Scorecard, "to_dict", lambda self: {**original(self), "citizen": {"dissatisfaction": 0.7}})
    row = columnar.scorecard_row(call, card, RB.scoring.pass_mark)
    assert json.loads(row["citizen"]) == {"dissatisfaction": 0.7}


def test_inspect_writes_parquet_and_reads_it_back(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "j1", "turns": [{"speaker": "agent", "text": SHIRK}],
                                  "meta": {"date": "2026-05-12"}}, ensure_ascii=False) + "\n{bad\n", encoding="utf-8")
    out = tmp_path / "结果"
    result = CliRunner().invoke(cli, ["inspect", str(source), "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert [r["call_id"] for r in read_dataset(out / "scorecards")] == ["j1"]
    assert [r["location"] for r in read_dataset(out / "rejected")] == ["第 2 行第 2 列"]
    again = CliRunner().invoke(cli, ["inspect", str(source), "--format", "parquet", "-o", str(out)])
    assert again.exit_code == 2 and "已有质检结果" in again.output
    # results given back as transcripts are refused with the reason, never half-read
    calls, errors = _read(out / "scorecards")
    assert calls == [] and errors and "表头缺少列" in errors[0].message
    assert CliRunner().invoke(cli, ["inspect", str(source), "--format", "parquet"]).exit_code == 2


def _killed_run(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run into ``folder`` killed (SIGKILL) half-way, after files were begun: a forked process that
    writes small batches and kills itself, so that no clean-up of its own can run."""
    monkeypatch.setattr(parquet, "WRITE_BATCH_ROWS", 1)
    monkeypatch.setattr(parquet, "HELD_BYTES", 1)
    pairs = _pairs()

    def killed() -> Iterator[tuple[Call, Scorecard]]:
        yield from pairs
        os.kill(os.getpid(), signal.SIGKILL)

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        try:
            write_parquet(killed(), folder, TITLES, RB.scoring.pass_mark, [])
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_a_run_after_a_killed_one_writes_into_the_same_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "结果"
    _killed_run(out, monkeypatch)
    left = [p for p in out.rglob("*") if p.is_file()]
    assert left and all(p.name.startswith(".") and p.name.endswith(".parquet.tmp") for p in left)
    assert existing_results(out) == ["scorecards", "findings"]  # what used to refuse the next run
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "j1", "turns": [{"speaker": "agent", "text": SHIRK}],
                                  "meta": {"date": "2026-05-12"}}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["inspect", str(source), "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [r["call_id"] for r in read_dataset(out / "scorecards")] == ["j1"]
    assert not [p for p in out.rglob(".*") if p.is_file()]  # nothing of the killed run is left
    # the results of a run that finished stay protected, leftovers of a killed run beside them or not
    (out / "findings" / ".part-00000-0000-0.parquet.tmp").write_bytes(b"PAR1")
    again = CliRunner().invoke(cli, ["inspect", str(source), "--format", "parquet", "-o", str(out)])
    assert again.exit_code == 2 and "已有质检结果（scorecards、findings、rejected）" in again.output
    assert [r["call_id"] for r in read_dataset(out / "scorecards")] == ["j1"]


def test_a_parquet_transcript_goes_through_inspect_like_any_other(tmp_path: Path) -> None:
    rows = [{"id": "q1", "turns": _turns(GREETING, "楼下太吵了。", SHIRK), "meta": None}]
    path = _write(tmp_path / "calls.parquet", rows)
    result = CliRunner().invoke(cli, ["inspect", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["call_id"] == "q1" and record["vetoed"]


def test_every_value_has_its_column_type_even_zero_deductions() -> None:
    """Spark refuses a row whose double column holds an int (a call without findings deducts 0)."""
    kinds = {columnar.STRING: str, columnar.DOUBLE: float, columnar.LONG: int, columnar.BOOL: bool, columnar.SCORES: dict}
    call = Call("quiet", [Turn(Speaker.AGENT, GREETING)], {})
    card = Scorecard("quiet", 100, {"礼貌": 100}, [], "v1", {"礼貌": 100})
    rows = [columnar.scorecard_row(call, card, 80)]
    for call, card in _pairs():
        rows += [columnar.scorecard_row(call, card, 80), *columnar.finding_rows(call, card, TITLES)]
    for row in rows:
        columns = columnar.SCORECARD_COLUMNS if "verdict" in row else columnar.FINDING_COLUMNS
        for name, kind in columns:
            value = row[name]
            assert value is None or type(value) is kinds[kind], (name, value)
            if kind == columnar.SCORES and value:
                assert all(type(v) is float for v in value.values())
