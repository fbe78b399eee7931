"""The Spark job (``local[2]``): the same scorecards, findings and rejected records as ``hotline inspect``
for the same input (JSONL with its line numbers, Parquet one row a call or a turn), tables, inputs it
cannot read reported with the reason, and the command's summary and exit codes."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from hotline.cli import cli, main
from hotline.formats.parquet import read_dataset
from hotline.inspect import default_engine

pytestmark = pytest.mark.xdist_group("spark")

GREETING = "您好，12345政务服务便民热线，{n}号为您服务，请问有什么可以帮您？"
REPLIES = ["好的，我帮您登记，三个工作日内回复您。", "这个不归我们管，你自己去找城管。", "你快点说，说重点。",
           "我跟您确认一下：您反映的是楼下烧烤店夜间噪音，对吗？", "请问还有其他可以帮您的吗？感谢您的来电，再见！"]
RB = default_engine(semantic=False).rulebook


def _turns(i: int) -> list[dict[str, Any]]:
    return [{"speaker": "agent", "text": GREETING.format(n=1000 + i), "start": 0.0, "end": 4.0},
            {"speaker": "citizen", "text": f"我住{i}号楼，楼下烧烤店太吵了，我都气死了！", "start": 5.0, "end": 9.0},
            {"speaker": "agent", "text": REPLIES[i % len(REPLIES)], "start": 10.0, "end": 14.0}]


def _inputs(folder: Path) -> Path:
    folder.mkdir()
    lines = []
    for i in range(40):
        record: dict[str, Any] = {"turns": _turns(i), "meta": {"date": f"2026-05-{11 + i % 2}", "agent_id": str(i % 4)}}
        if i % 6:
            record["id"] = f"j{i}"
        lines.append(json.dumps(record, ensure_ascii=False))
        if i % 10 == 3:
            lines += ["", "{broken", '{"id": "empty", "turns": []}']
    (folder / "calls.jsonl").write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    per_call = [{"id": f"p{i}", "turns": _turns(i), "date": "2026-05-12"} for i in range(6)]
    per_call.append({"id": "p-bad", "turns": [{"speaker": "agent", "text": None, "start": None, "end": None}], "date": None})
    pq.write_table(pa.Table.from_pylist(per_call), folder / "per_call.parquet", row_group_size=3)
    per_turn = [{"call_id": f"t{i % 3}", "speaker": t["speaker"], "text": t["text"], "start": t["start"] + 20 * (i // 3),
                 "end": t["end"] + 20 * (i // 3), "agent_id": "9"} for i in range(6) for t in _turns(i)[:2]]
    per_turn.append({"call_id": "t-bad", "speaker": "", "text": "喂", "start": None, "end": None, "agent_id": "9"})
    pq.write_table(pa.Table.from_pylist(per_turn), folder / "per_turn.parquet")
    return folder


def _rows(folder: Path, name: str) -> list[dict[str, Any]]:
    rows = read_dataset(folder / name)
    for r in rows:
        if "source" in r:  # Spark names files by URI (file:/…), hotline inspect by the path given
            r["source"] = PurePosixPath(r["source"]).name
    return sorted(rows, key=lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True))


def test_spark_finds_what_hotline_inspect_finds(spark: Any, tmp_path: Path) -> None:
    from hotline.batch.spark import inspect_job

    folder = _inputs(tmp_path / "in")
    local = CliRunner().invoke(cli, ["inspect", str(folder), "--format", "parquet", "-o", str(tmp_path / "local")])
    assert local.exit_code == 1, local.output
    summary = inspect_job(spark, [str(folder)], str(tmp_path / "spark"), RB)
    for name in ("scorecards", "findings", "rejected"):
        assert _rows(tmp_path / "spark", name) == _rows(tmp_path / "local", name), name
    cards = _rows(tmp_path / "spark", "scorecards")
    assert summary.calls == len(cards) == 40 + 6 + 3 and summary.findings > 40
    assert {c["call_id"] for c in cards} >= {"calls-1", "j1", "p0", "t2"}  # an id-less line is named by its number
    assert sorted(p.name for p in (tmp_path / "spark" / "scorecards").iterdir() if p.is_dir()) == [
        "date=2026-05-11", "date=2026-05-12", "date=__HIVE_DEFAULT_PARTITION__"]
    listed = [(e.location, e.message) for e in summary.listed]
    assert ("第 6 行第 2 列", "JSON 语法错误：键名必须用英文双引号括起来") in listed
    assert summary.rejected == len(_rows(tmp_path / "spark", "rejected")) == 4 + 4 + 1 + 1


def test_tables_and_what_spark_cannot_read(spark: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from hotline.batch.spark import NOT_UTF8, inspect_job

    frame = spark.createDataFrame([{"call_id": "v1", "speaker": "坐席", "text": REPLIES[1]},
                                   {"call_id": "v1", "speaker": "市民", "text": "那我找谁？"}])
    frame.createOrReplaceTempView("hotline_calls")
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "gbk.jsonl").write_bytes(
        '{"id": "u1", "turns": [{"speaker": "agent", "text": "您好"}]}\n'.encode()
        + '{"id": "g1", "turns": [{"speaker": "agent", "text": "您好，请讲"}]}\n'.encode("gbk"))
    (folder / "blank.jsonl").write_text("\n \n", encoding="utf-8")
    (folder / "calls.csv").write_text("call_id,speaker,text\nx,坐席,您好\n", encoding="utf-8")
    (tmp_path / "day-1").mkdir()
    (tmp_path / "day-1" / "a.jsonl").write_text(json.dumps({"id": "d1", "turns": _turns(0)}, ensure_ascii=False),
                                                 encoding="utf-8")
    globs = [str(tmp_path / "day-*" / "*.jsonl"), str(tmp_path / "week-*" / "*.jsonl")]
    summary = inspect_job(spark, ["hotline_calls", str(folder), str(tmp_path / "nowhere.jsonl"), *globs],
                          str(tmp_path / "out"), RB)
    cards = _rows(tmp_path / "out", "scorecards")
    assert [(c["call_id"], c["vetoed"]) for c in cards] == [("d1", False), ("u1", False), ("v1", True)]
    reasons = {(r["source"], r["location"], r["reason"]) for r in _rows(tmp_path / "out", "rejected")}
    assert reasons == {("gbk.jsonl", "第 2 行", NOT_UTF8), ("blank.jsonl", "", "文件里没有任何通话（空文件或只有空行）"),
                       ("calls.csv", "", "Spark 作业只读取 JSONL 与 Parquet：这个文件请用 hotline inspect 检查"),
                       ("nowhere.jsonl", "", "文件不存在"), ("*.jsonl", "", "没有匹配的文件")}
    assert summary.calls == 3 and summary.rejected == 5
    assert "DataFrameQueryContextLogger" not in capfd.readouterr().err  # a table is read without a failed query


def test_the_command_prints_the_summary_and_refuses_to_overwrite(spark: Any, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "s1", "turns": _turns(1)}, ensure_ascii=False) + "\n{oops\n", encoding="utf-8")
    out = str(tmp_path / "out")
    first = CliRunner().invoke(cli, ["spark", "inspect", str(source), "-o", out])
    assert first.exit_code == 1, first.output
    assert "读取 2 条记录：已检查 1 通，未导入 1 条" in first.stderr and "in.jsonl 第 2 行" in first.stderr
    assert main(["spark", "inspect", str(source), "-o", out]) == 2
    again = capsys.readouterr().err
    assert "已有质检结果" in again and "--overwrite" in again and "Traceback" not in again
    forced = CliRunner().invoke(cli, ["spark", "inspect", str(source), "-o", out, "--overwrite"])
    assert forced.exit_code == 1 and len(_rows(tmp_path / "out", "scorecards")) == 1
    nothing = CliRunner().invoke(cli, ["spark", "inspect", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "o2")])
    assert nothing.exit_code == 2 and "没有任何可检查的通话" in nothing.stderr
    assert not spark.sparkContext._jsc.sc().isStopped()  # the command did not stop a session it did not start


@pytest.mark.parametrize("unmask", [False, True])
def test_spark_masks_citizens_details_unless_unmasked(spark: Any, tmp_path: Path, unmask: bool) -> None:
    from hotline.batch.spark import inspect_job

    phone, id_number = "13912345678", "110101199003074518"
    turns = [{"speaker": "agent", "text": GREETING.format(n=1024)},
             {"speaker": "citizen", "text": f"电话{phone}，身份证{id_number}，住8号楼，太吵了。"},
             {"speaker": "agent", "text": f"电话{phone}，身份证{id_number}，8号楼，对吗？"}]
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "m1", "turns": turns, "meta": {"caller": phone}},
                                                  ensure_ascii=False) + "\n", encoding="utf-8")
    inspect_job(spark, [str(tmp_path / "in.jsonl")], str(tmp_path / "out"), RB, unmask=unmask)
    text = json.dumps([_rows(tmp_path / "out", name) for name in ("scorecards", "findings")], ensure_ascii=False)
    assert (phone in text, id_number in text, "8号楼" in text) == (unmask, unmask, unmask)
    assert ("139****5678" in text and "110101********4518" in text and "*号楼" in text) is not unmask
