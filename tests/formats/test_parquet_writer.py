"""The Parquet dataset writer in bounded memory: a run larger than a batch gives the rows of a one-batch
run in one file per partition per part, the rows it holds stay bounded however many are added, and a
run that fails half-way leaves no file that looks complete."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from hotline.formats import columnar, parquet
from hotline.formats.parquet import DatasetWriter, read_dataset, write_parquet
from hotline.inspect import default_engine
from hotline.model import Call, Scorecard, Speaker, Turn

ENGINE = default_engine(semantic=False)
TITLES = {r.id: r.title for r in ENGINE.rulebook.rules}
PASS = ENGINE.rulebook.scoring.pass_mark
REPLIES = ["好的，我帮您登记，三个工作日内回复您。", "这个不归我们管，你自己去找城管。", "你快点说，说重点。",
           "我非常理解您的心情，您先别着急。"]


def _pairs(n: int) -> list[tuple[Call, Scorecard]]:
    """``n`` calls over three dates and no date, interleaved, most with findings."""
    calls = []
    for i in range(n):
        turns = [Turn(Speaker.AGENT, f"您好，12345热线，{1000 + i}号为您服务。"),
                 Turn(Speaker.CITIZEN, f"我住{i}号楼，楼下的狗天天叫。"), Turn(Speaker.AGENT, REPLIES[i % len(REPLIES)])]
        meta = {"date": f"2026-05-{10 + i % 3}", "agent_id": str(i % 5)} if i % 4 else {}
        calls.append(Call(f"w{i}", turns, meta))
    return list(zip(calls, ENGINE.inspect_batch(calls), strict=True))


PAIRS = _pairs(60)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _small(monkeypatch: pytest.MonkeyPatch, rows: int = 5, held: int = 3000, open_files: int | None = None) -> None:
    monkeypatch.setattr(parquet, "WRITE_BATCH_ROWS", rows)
    monkeypatch.setattr(parquet, "HELD_BYTES", held)
    if open_files:
        monkeypatch.setattr(parquet, "MAX_OPEN", open_files)


@pytest.mark.parametrize(("rows", "held", "open_files"), [(5, 3000, None), (1, 1, None), (7, 2000, 2)])
def test_a_run_larger_than_a_batch_gives_the_rows_of_a_one_batch_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int, held: int, open_files: int | None) -> None:
    write_parquet(iter(PAIRS), tmp_path / "one", TITLES, PASS, [])
    _small(monkeypatch, rows, held, open_files)
    write_parquet(iter(PAIRS), tmp_path / "many", TITLES, PASS, [])
    for name in ("scorecards", "findings", "rejected"):
        assert read_dataset(tmp_path / "many" / name) == read_dataset(tmp_path / "one" / name)
    many = tmp_path / "many" / "findings"
    groups = sum(pq.ParquetFile(p).metadata.num_row_groups for p in many.rglob("*.parquet"))
    assert groups > 4  # the rows did go out a row group at a time
    if open_files is None:  # one file per partition of the part, as many as a one-batch run writes
        for name in ("scorecards", "findings"):
            assert _files(tmp_path / "many" / name) == _files(tmp_path / "one" / name) == [
                f"date={d}/part-00000-0000-0.parquet" for d in ("2026-05-10", "2026-05-11", "2026-05-12",
                                                              "__HIVE_DEFAULT_PARTITION__")]
    else:  # more dates than open files: a partition goes on in its next file, read back in order
        assert "date=2026-05-10/part-00000-0001-0.parquet" in _files(many)
    assert _files(tmp_path / "many" / "rejected") == ["part-00000-0000.parquet"]


def _rows(n: int, dates: int = 4) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"call_id": f"c{i}", "seq": 1, "rule_id": "R1", "title": "标题", "evidence": "证据" * 10,
               "message": "说明", "deduction": 1.0, "date": f"2026-05-{10 + i % dates}"}


def test_the_rows_held_stay_bounded_however_many_are_added(tmp_path: Path) -> None:
    batch = 64
    writer = DatasetWriter(tmp_path / "findings", columnar.FINDING_COLUMNS, "part-00000", batch_rows=batch)
    writer.held_bytes = 3 * pa.Table.from_pylist(list(_rows(batch)), schema=writer.schema).nbytes  # ~3 batches
    most = 0
    for i in range(100):
        writer.add(_rows(batch))
        most = max(most, writer.held_rows)
        assert writer.row_count < batch and writer.table_bytes <= writer.held_bytes, i
    assert 2 * batch <= most <= 4 * batch  # never anywhere near the 6,400 rows added
    writer.close()
    assert len(read_dataset(tmp_path / "findings")) == 100 * batch


def test_a_run_that_fails_half_way_leaves_no_file_that_looks_complete(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _small(monkeypatch)

    def failing() -> Iterator[tuple[Call, Scorecard]]:
        yield from PAIRS[:40]
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_parquet(failing(), tmp_path, TITLES, PASS, [])
    assert list(tmp_path.iterdir()) == []  # the unfinished files are removed, and the folders they emptied


def test_files_of_a_run_still_going_are_hidden_until_it_closes(tmp_path: Path) -> None:
    """What a killed process leaves: hidden temporary files that no Parquet reader takes for data."""
    writer = DatasetWriter(tmp_path / "findings", columnar.FINDING_COLUMNS, "part-00000", batch_rows=10,
                           held_bytes=1)
    writer.add(_rows(100))
    hidden = _files(tmp_path / "findings")
    assert hidden and all(Path(f).name.startswith(".") and f.endswith(".parquet.tmp") for f in hidden)
    assert read_dataset(tmp_path / "findings") == []
    assert ds.dataset(tmp_path / "findings", format="parquet").files == []
    writer.close()
    assert [f.replace(".tmp", "").replace("/.", "/") for f in hidden] == _files(tmp_path / "findings")
    assert len(read_dataset(tmp_path / "findings")) == 100
