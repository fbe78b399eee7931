"""Parquet in and out (pyarrow, imported only when a Parquet file is read or written).

In: one row a call (a ``turns`` column holding a list of ``{speaker, text, start, end}`` structs, or any
speech-to-text layout of ``data/formats/readers.yaml``; ``meta`` as a struct or JSON text; other plain
columns such as ``agent_id`` or ``date`` join the call's meta), or one row a turn (``call_id, speaker,
text, start, end`` as in CSV; the other columns of a call's first row become its meta). Rows are read
in batches, and a bad row is reported by its number (``第 N 行``, counting data rows from 1).

Out: the datasets of ``hotline.formats.columnar`` (``scorecards``, ``findings`` partitioned by date, and
``rejected``) under one folder, written as parts so that several processes can each add their own."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotline.errors import FormatError, HotlineError
from hotline.formats import columnar
from hotline.formats.csvfmt import calls_from_rows
from hotline.formats.jsonfmt import call_from_obj
from hotline.model import Call, Scorecard

if TYPE_CHECKING:
    import pyarrow as pa

BATCH_ROWS = 2048
ID_KEYS = ("id", "call_id")
ARROW_TYPES = {"string": "string", "double": "float64", "long": "int64", "bool": "bool_"}


def _arrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:  # pragma: no cover - pyarrow is a dependency; a broken install says so
        raise FormatError("读写 Parquet 需要 pyarrow：请重新安装 hotline-coach") from None
    return pyarrow


# ── reading ──────────────────────────────────────────────────────────────────────────────────────
def read_parquet(path: Path) -> Iterator[Call | FormatError]:
    pa = _arrow()
    source = str(path)
    try:
        handle = pa.parquet.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise FormatError(f"不是有效的 Parquet 文件（{_reason(exc)}）", source=source) from None
    if handle.metadata.num_rows == 0:
        raise FormatError("文件里没有任何通话（0 行）", source=source)
    schema = handle.schema_arrow
    rows = _numbered_rows(handle, schema, source)
    if is_per_call(str(f.type) for f in schema):
        yield from _per_call(rows, source, path.stem)
    else:
        yield from turn_rows_calls(list(schema.names), rows, source)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def _numbered_rows(handle: Any, schema: pa.Schema, source: str) -> Iterator[tuple[int, dict[str, Any] | FormatError]]:
    """(row number, row) with plain Python values; a batch that cannot be decoded is reported once."""
    pa = _arrow()
    maps = {f.name for f in schema if pa.types.is_map(f.type)}
    n = 0
    batches = handle.iter_batches(batch_size=BATCH_ROWS)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (pa.ArrowException, OSError, ValueError) as exc:
            yield n + 1, FormatError(f"从这一行起无法读取（{_reason(exc)}），其后内容未读取", source=source,
                                     location=f"第 {n + 1} 行")
            return
        for row in batch.to_pylist():
            n += 1
            yield n, {k: plain(dict(v) if k in maps and v is not None else v) for k, v in row.items()}


def plain(value: Any) -> Any:
    """JSON-able Python values (dates as ISO text, decimals as floats), as every writer expects in meta."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def _per_call(rows: Iterable[tuple[int, dict[str, Any] | FormatError]], source: str, stem: str) -> Iterator[Call | FormatError]:
    for n, row in rows:
        yield row if isinstance(row, FormatError) else row_call(row, source, n, stem)


def row_call(row: dict[str, Any], source: str, n: int, stem: str) -> Call | FormatError:
    """The call of row ``n`` (from 1) of a one-row-a-call table, or why it cannot be read."""
    where = f"第 {n} 行"
    try:
        return call_from_obj(_with_meta(row, source, where), source, where, f"{stem}-{n}")
    except FormatError as exc:
        return exc
    except RecursionError:
        return FormatError("记录嵌套层数过深", source=source, location=where)


def turn_rows_calls(header: list[str], rows: Iterable[tuple[int, dict[str, Any] | FormatError]], source: str,
                    empty: str = "文件里没有任何通话（所有行都为空）") -> Iterator[Call | FormatError]:
    """Calls of a one-row-a-turn table; the columns other than the turn's become the call's meta."""
    from hotline.formats.csvfmt import header_map

    cols = header_map(header, source, None)
    meta_columns = [i for i in range(len(header)) if i not in cols.values()]
    lists = ((n, r if isinstance(r, FormatError) else [r.get(h) for h in header]) for n, r in rows)
    return calls_from_rows(header, lists, source, header_line=None, meta_columns=meta_columns, empty=empty)


def is_per_call(schema_types: Iterable[str]) -> bool:
    """One row a call when some column is a list (of turns or sentences); else one row a turn."""
    return any(kind.startswith(("list", "large_list", "array")) for kind in schema_types)


def _with_meta(row: dict[str, Any], source: str, where: str) -> dict[str, Any]:
    """The row as a JSON call record: ``meta`` decoded when it is JSON text, plain columns added to it."""
    meta = row.get("meta")
    if isinstance(meta, str):
        try:
            meta = json.loads(meta) if meta.strip() else {}
        except json.JSONDecodeError:
            raise FormatError("meta 列应为 JSON 对象（文本）或结构体", source=source, location=where) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FormatError("meta 列应为 JSON 对象（文本）或结构体", source=source, location=where)
    extra = {k: v for k, v in row.items()
             if k != "meta" and k not in ID_KEYS and v is not None and not isinstance(v, list | dict)}
    return {**row, "meta": {**extra, **meta}}


# ── writing ──────────────────────────────────────────────────────────────────────────────────────
def arrow_schema(columns: list[tuple[str, str]]) -> pa.Schema:
    pa = _arrow()

    def arrow_type(kind: str) -> Any:
        if kind == columnar.SCORES:
            return pa.map_(pa.string(), pa.float64())
        return getattr(pa, ARROW_TYPES[kind])()

    return pa.schema([(name, arrow_type(kind)) for name, kind in columns])


class DatasetWriter:
    """Rows of one dataset written as hive-partitioned Parquet files named ``{part}-{n}.parquet``;
    rows are buffered and flushed every ``flush_rows`` rows."""

    def __init__(self, folder: Path, columns: list[tuple[str, str]], part: str, *, partitioned: bool = True,
                 flush_rows: int = 20_000):
        self.folder, self.columns, self.part = folder, columns, part
        self.partitioned, self.flush_rows = partitioned, flush_rows
        self.schema = arrow_schema(columns)
        self.rows: list[dict[str, Any]] = []
        self.files = 0

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.flush_rows:
            self.flush()

    def flush(self, *, always: bool = False) -> None:
        if not self.rows and not always:
            return
        pa = _arrow()
        import pyarrow.dataset as ds

        table = pa.Table.from_pylist(self.rows, schema=self.schema)
        self.rows = []
        if not self.partitioned:
            self.folder.mkdir(parents=True, exist_ok=True)
            pa.parquet.write_table(table, self.folder / f"{self.part}-{self.files:04d}.parquet")
            self.files += 1
            return
        partitioning = ds.partitioning(pa.schema([(columnar.PARTITION, pa.string())]), flavor="hive")
        ds.write_dataset(table, self.folder, format="parquet", partitioning=partitioning,
                         basename_template=f"{self.part}-{self.files:04d}-{{i}}.parquet",
                         existing_data_behavior="overwrite_or_ignore")
        self.files += 1


class ParquetSink:
    """The scorecards and findings datasets of one writer (one process's part of the run)."""

    def __init__(self, folder: Path, titles: dict[str, str], pass_mark: float, part: str = "part-00000"):
        self.titles, self.pass_mark = titles, pass_mark
        self.cards = DatasetWriter(folder / "scorecards", columnar.SCORECARD_COLUMNS, part)
        self.findings = DatasetWriter(folder / "findings", columnar.FINDING_COLUMNS, part)

    def add(self, call: Call, card: Scorecard) -> None:
        self.cards.add([columnar.scorecard_row(call, card, self.pass_mark)])
        self.findings.add(columnar.finding_rows(call, card, self.titles))

    def close(self) -> None:
        self.cards.flush()
        self.findings.flush()


def write_rejected(folder: Path, errors: Iterable[HotlineError]) -> None:
    """The rejected dataset: one row per record that could not be read (an empty file when none were)."""
    out = DatasetWriter(folder / "rejected", columnar.REJECTED_COLUMNS, "part-00000", partitioned=False)
    out.add(columnar.rejected_row(e) for e in errors)
    out.flush(always=True)


def write_parquet(pairs: Iterable[tuple[Call, Scorecard]], folder: Path, titles: dict[str, str], pass_mark: float,
                  rejected: list[HotlineError]) -> int:
    """scorecards/, findings/ (partitioned by date) and rejected/ under ``folder``; ``rejected`` is read
    after ``pairs`` is used up, so a reader's errors can fill it on the way."""
    sink = ParquetSink(folder, titles, pass_mark)
    n = 0
    for call, card in pairs:
        sink.add(call, card)
        n += 1
    sink.close()
    write_rejected(folder, rejected)
    return n


def existing_results(folder: Path) -> list[str]:
    """The datasets of an earlier run already in ``folder`` (a run never mixes its rows with theirs)."""
    return [name for name in columnar.DATASETS if (folder / name).exists()]


def read_dataset(folder: Path) -> list[dict[str, Any]]:
    """All rows of a written dataset (tests, small checks), the partition column included."""
    pa = _arrow()
    import pyarrow.dataset as ds

    if not any(folder.rglob("*.parquet")):
        return []
    kind = None
    if any(p.is_dir() for p in folder.iterdir()):
        kind = ds.partitioning(pa.schema([(columnar.PARTITION, pa.string())]), flavor="hive")
    table = ds.dataset(folder, format="parquet", partitioning=kind).to_table()
    rows: list[dict[str, Any]] = table.to_pylist()
    maps = {f.name for f in table.schema if pa.types.is_map(f.type)}
    return [{k: dict(v) if k in maps and v is not None else v for k, v in r.items()} for r in rows]
