"""``hotline inspect --jobs N``: byte ranges cut at line ends with the right line numbers, workers that
inherit the built engine instead of building their own, and output identical to ``--jobs 1`` in every
format (records, rejected records and their order, default ids taken from line numbers)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotline.batch import pool
from hotline.cli import cli
from hotline.formats.parquet import read_dataset

GREETING = "您好，12345政务服务便民热线，{n}号为您服务，请问有什么可以帮您？"
REPLIES = ["好的，我帮您登记，三个工作日内回复您。", "这个不归我们管，你自己去找城管。", "你快点说，说重点。",
           "我非常理解您的心情，您先别着急。"]


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000])
@pytest.mark.parametrize("text", [b"", b"a\n", b"a\nbb\n\nccc\n", b"a\nbb\nccc", "甲乙\n丙丁戊\n".encode() * 9])
def test_ranges_cover_the_file_at_line_ends_with_their_first_line_numbers(
        monkeypatch: pytest.MonkeyPatch, text: bytes, chunk: int) -> None:
    monkeypatch.setattr(pool, "BLOCK", 4)
    ranges = list(pool._ranges(io.BytesIO(text), len(text), max(chunk, 4)))
    assert b"".join(text[s:e] for s, e, _ in ranges) == text
    for start, end, line in ranges:
        assert start == 0 or text[start - 1:start] == b"\n"
        assert line == text[:start].count(b"\n") + 1
        assert end > start


def _calls_file(path: Path, n: int) -> Path:
    lines = []
    for i in range(n):
        turns = [{"speaker": "agent", "text": GREETING.format(n=1000 + i)},
                 {"speaker": "citizen", "text": f"我住在{i}号楼，楼下烧烤店太吵了。"},
                 {"speaker": "agent", "text": REPLIES[i % len(REPLIES)]}]
        record = {"turns": turns, "meta": {"date": f"2026-05-{10 + i % 3}"}}
        if i % 5:
            record["id"] = f"c{i}"  # every fifth call has no id: its id comes from its line number
        lines.append(json.dumps(record, ensure_ascii=False))
        if i % 9 == 4:
            lines.append("")
        if i % 11 == 3:
            lines.append("{broken")
        if i % 13 == 6:
            lines.append('{"id": "empty", "turns": []}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with path.open("ab") as fh:  # a GBK line in a UTF-8 file is read alone
        fh.write(json.dumps({"id": "gbk", "turns": [{"speaker": "agent", "text": "您好，请讲"}]},
                            ensure_ascii=False).encode("gbk") + b"\n")
    return path


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    _calls_file(folder / "a.jsonl", 60)
    (folder / "b.txt").write_text("坐席：您好，12345热线。\n市民：路灯坏了。\n坐席：这个不归我们管。\n", encoding="utf-8")
    (folder / "c.jsonl").write_text("\n\n", encoding="utf-8")
    (folder / "d.jsonl").write_text('{"id": "d1", "turns": [{"speaker": "说话人1", "text": "喂"}]}\n', encoding="utf-8")
    monkeypatch.setattr(pool, "BLOCK", 512)  # a.jsonl (~20 KB) is read in many ranges by the workers
    monkeypatch.setattr(pool, "RANGES_PER_JOB", 64)
    assert len(list(pool.plan([folder], 2))) > 8
    return folder


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["inspect", *args])
    return result.exit_code, result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "table", "xlsx", "parquet"])
def test_two_workers_write_what_one_process_writes(inputs: Path, tmp_path: Path, fmt: str) -> None:
    suffix = {"jsonl": ".jsonl", "csv": ".csv", "table": ".txt", "xlsx": ".xlsx", "parquet": ""}[fmt]
    outs = [tmp_path / f"one{suffix}", tmp_path / f"two{suffix}"]
    one = _run([str(inputs), "--format", fmt, "-o", str(outs[0])])
    two = _run([str(inputs), "--format", fmt, "-o", str(outs[1]), "--jobs", "2"])
    assert one[0] == two[0] == 1
    assert one[1].replace(str(tmp_path / "one"), "OUT") == two[1].replace(str(tmp_path / "two"), "OUT")
    assert "a.jsonl 第 5 行第 2 列: JSON 语法错误" in one[1] and "c.jsonl: 文件里没有任何通话" in one[1]
    if fmt == "parquet":
        for name in ("scorecards", "findings", "rejected"):
            assert read_dataset(outs[0] / name) == read_dataset(outs[1] / name)
        return
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheets = [{ws.title: list(ws.values) for ws in load_workbook(o).worksheets} for o in outs]
        assert sheets[0] == sheets[1] and len(sheets[0]["汇总"]) > 60
        return
    assert outs[0].read_bytes() == outs[1].read_bytes()
    if fmt == "csv":
        findings = [o.with_name(f"{o.stem}_问题明细.csv").read_bytes() for o in outs]
        assert findings[0] == findings[1] and findings[0].count(b"\n") > 60
    if fmt == "jsonl":
        ids = [json.loads(line)["call_id"] for line in outs[0].read_text(encoding="utf-8").splitlines()]
        assert "a-5" not in ids and {"c1", "a-1", "gbk", "b"} <= set(ids) and len(ids) == len(set(ids))


def test_swapped_roles_and_role_warnings_come_back_from_the_workers(inputs: Path) -> None:
    args = [str(inputs), "--format", "jsonl", "--swap-roles", "c7,nope"]
    one, two = CliRunner().invoke(cli, ["inspect", *args]), CliRunner().invoke(cli, ["inspect", *args, "-j", "2"])
    assert one.stdout == two.stdout and one.stderr == two.stderr
    assert "通话 nope 不在输入中" in two.stderr and "c7" not in two.stderr.split("nope")[0].split("说话人角色")[0]
    first = [json.loads(x) for x in two.stdout.splitlines() if '"c7"' in x]
    assert first and first[0]["call_id"] == "c7"


def test_workers_use_the_engine_built_before_the_fork(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the rulebook nor the act model is built again in a worker: both fail if a worker tries."""
    import daachorse
    import numpy as np

    from hotline.acts import model as act_model
    from hotline.formats.writers import ReportInfo
    from hotline.inspect import Engine, default_engine

    engine = Engine(default_engine(semantic=False).rulebook)  # a fresh engine that has not loaded the act model
    act_model._default.cache_clear()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("built again in a worker")

    started = pool._child

    def child() -> None:  # runs in each worker after the fork
        started()
        # what building either takes, refused where even a compiled engine looks it up: the automaton of the
        # rulebook's phrases, and the arrays of a saved model
        daachorse.CharwiseDoubleArrayAhoCorasick = refuse
        np.load = refuse

    monkeypatch.setattr(pool, "_child", child)
    info = ReportInfo({}, [], 80.0)
    parts = list(pool.run([inputs], engine, 2, "jsonl", info))
    assert sum(p.calls for p in parts) > 50 and all(not f.exists() for p in parts for f in p.files)
