"""``hotline inspect --jobs N --format parquet``: each worker writes its part a row group at a time in one
file per partition, the rows are those of one process, and a run that fails in a worker leaves nothing
that looks like a result (the folder can be used again)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from hotline.batch import pool
from hotline.cli import cli
from hotline.formats import columnar, parquet
from hotline.formats.parquet import existing_results, read_dataset

REPLIES = ["好的，我帮您登记，三个工作日内回复您。", "这个不归我们管，你自己去找城管。", "你快点说，说重点。",
           "我非常理解您的心情，您先别着急。"]


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    lines = []
    for i in range(48):
        turns = [{"speaker": "agent", "text": f"您好，12345热线，{2000 + i}号为您服务。"},
                 {"speaker": "citizen", "text": f"我家在{i}号楼，楼道的灯坏了好几天。"},
                 {"speaker": "agent", "text": REPLIES[i % len(REPLIES)]}]
        meta = {"date": f"2026-06-0{1 + i % 3}"} if i % 5 else {}
        lines.append(json.dumps({"id": f"k{i}", "turns": turns, "meta": meta}, ensure_ascii=False))
    lines.insert(7, "{broken")
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(pool, "BLOCK", 512)  # the file is read in several parts, one per task
    monkeypatch.setattr(pool, "RANGES_PER_JOB", 4)
    assert len(list(pool.plan([path], 2))) >= 3
    return path


def _inspect(*args: str) -> Any:
    return CliRunner().invoke(cli, ["inspect", *args, "--format", "parquet"])


def test_workers_write_a_file_per_partition_a_row_group_at_a_time(calls: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert _inspect(str(calls), "-o", str(tmp_path / "one")).exit_code == 1
    monkeypatch.setattr(parquet, "WRITE_BATCH_ROWS", 4)  # inherited by the forked workers
    monkeypatch.setattr(parquet, "HELD_BYTES", 2000)
    assert _inspect(str(calls), "-o", str(tmp_path / "two"), "--jobs", "2").exit_code == 1
    for name in columnar.DATASETS:
        assert read_dataset(tmp_path / "two" / name) == read_dataset(tmp_path / "one" / name)
    files = [p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*") if p.is_file()]
    assert all(not f.name.startswith(".") for f in files)
    per_part = Counter((f.parent, f.name[:len("part-00000")]) for f in files)
    assert len({part for _, part in per_part}) >= 3 and set(per_part.values()) == {1}
    assert all(f.name.endswith("-0000-0.parquet") for f in files if f.parts[0] != "rejected")
    findings = [f for f in files if f.parts[0] == "findings"]
    groups = sum(pq.ParquetFile(tmp_path / "two" / f).metadata.num_row_groups for f in findings)
    assert groups > len(findings)  # parts went out in several row groups each


def test_a_worker_failing_half_way_leaves_nothing_that_looks_like_a_result(calls: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rows = columnar.finding_rows

    def disk_full(call: Any, card: Any, titles: dict[str, str]) -> list[dict[str, Any]]:
        if call.id == "k30":
            raise OSError(28, "No space left on device")
        return rows(call, card, titles)

    monkeypatch.setattr(columnar, "finding_rows", disk_full)
    monkeypatch.setattr(parquet, "WRITE_BATCH_ROWS", 4)
    out = tmp_path / "out"
    result = _inspect(str(calls), "-o", str(out), "--jobs", "2")
    assert isinstance(result.exception, OSError) and "No space" in str(result.exception)
    assert not [p for p in out.rglob("*") if p.is_file()] and existing_results(out) == []
    monkeypatch.setattr(columnar, "finding_rows", rows)
    assert _inspect(str(calls), "-o", str(out), "--jobs", "2").exit_code == 1  # the folder is not refused
    assert len(read_dataset(out / "scorecards")) == 48
