"""Parquet in and out (pyarrow, imported only when a Parquet file is read or written).

In: one row a call (a ``turns`` column holding a list of ``{speaker, text, start, end}`` structs, or any
speech-to-text layout of ``data/formats/readers.yaml``; ``meta`` as a struct or JSON text; other plain
columns such as ``agent_id`` or ``date`` join the call's meta), or one row a turn (``call_id, speaker,
text, start, end`` as in CSV; the other columns of a call's first row become its meta). Rows are read
in batches, and a bad row is reported by its number (``第 N 行``, counting data rows from 1).

Out: the datasets of ``hotline.formats.columnar`` (``scorecards``, ``findings`` partitioned by date, and
``rejected``) under one folder, written as parts so that several processes can each add their own."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import json
import os
import sys
import urllib.parse
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
# writing: rows held as Python dicts, Arrow bytes held before the fullest partition is written as a row
# group, and files open at once per dataset; together they bound a writer's memory whatever the run's size
WRITE_BATCH_ROWS = 1024
HELD_BYTES = 8 << 20
MAX_OPEN = 128
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
ID_KEYS = ("id", "call_id")
ARROW_TYPES = {"string": "string", "double": "float64", "long": "int64", "bool": "bool_"}


def _arrow() -> Any:
    # Arrow's allocator, read once when pyarrow loads (a user's choice is kept): while writing, its default
    # mimalloc kept ~30 MB more resident, and the C allocator, sharing its heap with Python's objects, grew
    # with the run; jemalloc (in pyarrow's Linux wheels) stays flat (benchmarks/bench_parquet.py)
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc" if sys.platform.startswith("linux") else "system")
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
    """Rows of one dataset as Parquet files: one file per partition value (``date=…/{part}-0000-0.parquet``,
    hive layout) or one file (``{part}-0000.parquet``) when not partitioned, written a row group at a time.

    Memory stays bounded whatever the size of the run: at most ``batch_rows`` rows wait as Python dicts
    before they become Arrow tables, one per partition value; Arrow rows wait for their row group until
    more than ``held_bytes`` are held in all, then the partition holding most is written. At most
    ``max_open`` files are open at once; a partition whose file was closed to make room goes on in a next
    file (``{part}-0001-0.parquet``), which only an input interleaving that many dates ever needs.

    Files are written under hidden temporary names (``.{name}.tmp``, skipped by Parquet readers) and get
    their names only once all of them are complete: in ``close``, or when ``publish`` is given ``made``
    after ``finish`` (so that a whole run is named at once); ``abort`` removes them. A run that fails
    half-way never leaves a file that looks complete, and a killed one leaves only hidden files."""

    def __init__(self, folder: Path, columns: list[tuple[str, str]], part: str, *, partitioned: bool = True,
                 batch_rows: int | None = None, held_bytes: int | None = None, max_open: int | None = None):
        self.folder, self.columns, self.part, self.partitioned = folder, columns, part, partitioned
        self.batch_rows = batch_rows or WRITE_BATCH_ROWS
        self.held_bytes = held_bytes or HELD_BYTES
        self.max_open = max_open or MAX_OPEN
        schema = arrow_schema(columns)
        self.schema = schema.remove(schema.get_field_index(columnar.PARTITION)) if partitioned else schema
        self.rows: dict[str | None, list[dict[str, Any]]] = {}  # Python rows by partition value
        self.row_count = 0
        self.tables: dict[str | None, list[pa.Table]] = {}  # Arrow rows waiting for their row group
        self.table_bytes = 0
        self.open: dict[str | None, tuple[Any, Path]] = {}  # open files, least recently written first
        self.files: dict[str | None, int] = {}  # files begun per partition value
        self.made: list[tuple[Path, Path]] = []  # every file begun: (temporary name, final name)

    @property
    def held_rows(self) -> int:
        """Rows held in memory, as Python dicts or Arrow tables (not yet in a file)."""
        return self.row_count + sum(t.num_rows for tables in self.tables.values() for t in tables)

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            key = row[columnar.PARTITION] if self.partitioned else None
            self.rows.setdefault(key, []).append(row)
            self.row_count += 1
            if self.row_count >= self.batch_rows:
                self._to_arrow()

    def close(self, *, always: bool = False) -> None:
        """Write what is held and give every file its name (``always``: a file even with no rows)."""
        self.finish(always=always)
        publish(self.made)
        self.made = []

    def finish(self, *, always: bool = False) -> None:
        """Write what is held and complete every file, still under its temporary name."""
        self._to_arrow()
        for key in list(self.tables):
            self._write(key)
        if always and not self.files:
            self._writer(None).write_table(self.schema.empty_table())
        for key in list(self.open):
            self._close(key)

    def abort(self) -> None:
        """Remove every file of this writer, complete or not (nothing of a failed run looks finished), and
        the folders that this leaves empty (a next run into the same folder is not refused)."""
        for writer, _ in self.open.values():
            with contextlib.suppress(Exception):
                writer.close()
        for temporary, _ in self.made:
            temporary.unlink(missing_ok=True)
        for folder in [*{t.parent for t, _ in self.made}, self.folder]:  # emptied: a new run may use them
            with contextlib.suppress(OSError):
                folder.rmdir()
        self.open, self.made, self.rows, self.tables, self.row_count, self.table_bytes = {}, [], {}, {}, 0, 0

    def _to_arrow(self) -> None:
        pa = _arrow()
        for key, rows in self.rows.items():
            table = pa.Table.from_pylist(rows, schema=self.schema)
            self.tables.setdefault(key, []).append(table)
            self.table_bytes += table.nbytes
        self.rows, self.row_count = {}, 0
        while self.table_bytes > self.held_bytes:
            self._write(max(self.tables, key=lambda k: sum(t.nbytes for t in self.tables[k])))

    def _write(self, key: str | None) -> None:
        """The rows of partition ``key`` held so far, as one row group."""
        pa = _arrow()
        tables = self.tables.pop(key)
        self.table_bytes -= sum(t.nbytes for t in tables)
        table = pa.concat_tables(tables)
        self._writer(key).write_table(table, row_group_size=max(1, table.num_rows))

    def _writer(self, key: str | None) -> Any:
        if key in self.open:
            self.open[key] = self.open.pop(key)  # the most recently written now
            return self.open[key][0]
        if len(self.open) >= self.max_open:
            self._close(next(iter(self.open)))
        n = self.files[key] = self.files.get(key, -1) + 1
        folder = self.folder / f"{columnar.PARTITION}={_segment(key)}" if self.partitioned else self.folder
        name = f"{self.part}-{n:04d}-0.parquet" if self.partitioned else f"{self.part}-{n:04d}.parquet"
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{name}.tmp"
        self.made.append((temporary, folder / name))
        self.open[key] = (_arrow().parquet.ParquetWriter(temporary, self.schema), temporary)
        return self.open[key][0]

    def _close(self, key: str | None) -> None:
        writer, _ = self.open.pop(key)
        writer.close()


def _segment(value: str | None) -> str:
    """A partition value as its folder name, as pyarrow's hive partitioning writes it."""
    return HIVE_NULL if value is None else urllib.parse.quote(value, safe="")


class ParquetSink:
    """The datasets of one writer (one process's part of the run): scorecards and findings, and rejected
    when ``reject`` is called. Used as a context manager: when the block ends every file is complete,
    still under its temporary name, until ``publish`` (or ``publish(sink.renames)`` in the process that
    merges the parts) names them all; if the block fails, its files are removed."""

    def __init__(self, folder: Path, titles: dict[str, str], pass_mark: float, part: str = "part-00000"):
        self.folder, self.titles, self.pass_mark = folder, titles, pass_mark
        self.cards = DatasetWriter(folder / "scorecards", columnar.SCORECARD_COLUMNS, part)
        self.findings = DatasetWriter(folder / "findings", columnar.FINDING_COLUMNS, part)
        self.rejected: DatasetWriter | None = None

    def add(self, call: Call, card: Scorecard) -> None:
        self.cards.add([columnar.scorecard_row(call, card, self.pass_mark)])
        self.findings.add(columnar.finding_rows(call, card, self.titles))

    def add_all(self, pairs: Iterable[tuple[Call, Scorecard]]) -> int:
        n = 0
        for call, card in pairs:
            self.add(call, card)
            n += 1
        return n

    def reject(self, errors: Iterable[HotlineError]) -> None:
        """The rejected dataset: one row per record that could not be read (an empty file when none were)."""
        self.rejected = DatasetWriter(self.folder / "rejected", columnar.REJECTED_COLUMNS, "part-00000",
                                      partitioned=False)
        self.rejected.add(columnar.rejected_row(e) for e in errors)

    @property
    def writers(self) -> list[DatasetWriter]:
        return [self.cards, self.findings, *([self.rejected] if self.rejected else [])]

    @property
    def renames(self) -> list[tuple[Path, Path]]:
        """(temporary name, final name) of every file written, for ``publish``."""
        return [pair for writer in self.writers for pair in writer.made]

    def publish(self) -> None:
        publish(self.renames)

    def __enter__(self) -> ParquetSink:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            try:
                for writer in self.writers:
                    writer.finish(always=writer is self.rejected)
                return
            except BaseException:
                self.abort()
                raise
        self.abort()

    def abort(self) -> None:
        for writer in self.writers:
            writer.abort()


def publish(renames: Iterable[tuple[Path, Path]]) -> None:
    """Give complete files their names: the last step of a run, once every file of it is complete."""
    for temporary, final in renames:
        temporary.replace(final)


def discard_unfinished(folder: Path) -> None:
    """Remove what a failed run left under ``folder`` (hidden files of writers stopped half-way, and
    the folders left empty), so that a next run into the same folder is not refused."""
    for name in columnar.DATASETS:
        root = folder / name
        if not root.is_dir():
            continue
        for path in root.rglob(".*.parquet.tmp"):
            path.unlink(missing_ok=True)
        for sub in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
            with contextlib.suppress(OSError):
                sub.rmdir()
        with contextlib.suppress(OSError):
            root.rmdir()


def write_rejected(folder: Path, errors: Iterable[HotlineError]) -> None:
    """The rejected dataset of a run whose other datasets were written apart (by ``--jobs`` workers)."""
    with ParquetSink(folder, {}, 0.0) as sink:
        sink.reject(errors)
    sink.publish()


def write_parquet(pairs: Iterable[tuple[Call, Scorecard]], folder: Path, titles: dict[str, str], pass_mark: float,
                  rejected: list[HotlineError]) -> int:
    """scorecards/, findings/ (partitioned by date) and rejected/ under ``folder``; ``rejected`` is read
    after ``pairs`` is used up, so a reader's errors can fill it on the way. The files get their names
    only once all of them are complete."""
    with ParquetSink(folder, titles, pass_mark) as sink:
        n = sink.add_all(pairs)
        sink.reject(rejected)
    sink.publish()
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
