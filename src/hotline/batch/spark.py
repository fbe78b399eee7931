"""Province-scale inspection on Apache Spark (optional extra ``hotline-coach[spark]``, PySpark 4).

The same engine as ``hotline inspect``: the driver validates the rulebook and broadcasts it (the
validated pydantic model, not compiled regexes or automata); each Python worker builds its ``Engine``
from it once, lazily, in ``mapPartitions``, and judges a chunk of calls per act-model pass. Records are
read by the product's own readers (``read_jsonl_lines``, the Parquet row readers), so a bad record is
rejected with the same reason and place (file + line or row) as on one machine.

Input: JSONL or Parquet files, folders or globs (local, ``hdfs://``…), or a Hive/catalog table name.
Output under one folder: ``scorecards`` and ``findings`` (Parquet, partitioned by ``date``) and
``rejected`` (file, place, code, reason). Run it with ``hotline spark inspect`` or ``spark-submit``
this file (see docs/spark.md)."""

from __future__ import annotations

import itertools
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from hotline.errors import FormatError, HotlineError
from hotline.formats import columnar

if TYPE_CHECKING:
    from pyspark import RDD, Broadcast
    from pyspark.sql import DataFrame, SparkSession

    from hotline.inspect import Engine
    from hotline.model import Call
    from hotline.norms.schema import Rulebook

JSONL = (".jsonl", ".ndjson")
PARQUET = (".parquet",)
TRANSCRIPTS = (".json", ".csv", ".tsv", ".txt", ".dialog", ".text")  # read by `hotline inspect`, not here
TABLE_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*){0,2}")
CHUNK = 64
NOT_UTF8 = "这一行不是 UTF-8 编码（Spark 作业按 UTF-8 读取 JSONL）：请先转成 UTF-8，或用 hotline inspect 检查"


class SparkJobError(HotlineError):
    code = "E320"


@dataclass(slots=True)
class Summary:
    """What a run read, inspected and rejected; ``listed``: the first rejected records, in input order."""

    calls: int = 0
    rejected: int = 0
    findings: int = 0
    listed: list[HotlineError] = field(default_factory=list)


# ── on the executors ─────────────────────────────────────────────────────────────────────────────
_engines: dict[int, tuple[Rulebook, Engine]] = {}


def _engine(rulebook: Broadcast[Rulebook]) -> Engine:
    """The engine of this Python worker, built on first use from the broadcast rulebook (which a worker
    loads once per broadcast and keeps: the same object comes back for every task)."""
    value = rulebook.value
    cached = _engines.get(id(value))
    if cached is None:
        from hotline.inspect import Engine, semantic

        semantic.one_thread()
        cached = _engines[id(value)] = (value, Engine(value))  # the rulebook is kept: its id stays its own
    return cached[1]


def _parse(record: tuple[Any, ...]) -> Iterator[Call | FormatError]:
    """The calls and errors of one input record: ("line", file, number, text), ("row", file, number, dict)
    or ("turns", file, header, [(number, dict)…]) for the rows of one call of a one-row-a-turn table."""
    kind, source = record[0], record[1]
    stem = PurePosixPath(source).stem
    if kind == "line":
        from hotline.formats.jsonfmt import read_jsonl_lines

        _, _, number, text = record
        yield from read_jsonl_lines([(number, _line(text, source, number))], source, stem)
    elif kind == "row":
        from hotline.formats.parquet import row_call

        yield row_call(record[3], source, record[2], stem)
    elif kind == "turns":
        from hotline.formats.parquet import turn_rows_calls

        try:
            yield from turn_rows_calls(record[2], record[3], source, empty="")
        except FormatError as exc:
            if exc.message:
                yield exc
    else:
        yield record[2]  # ("error", source, FormatError) found by the driver


def _line(text: str, source: str, number: int) -> str | FormatError:
    from hotline.formats.layouts import reader_settings

    if number == 1 and text.startswith("\ufeff"):
        text = text[1:]
    if "\ufffd" in text:
        return FormatError(NOT_UTF8, source=source, location=f"第 {number} 行")
    limit = reader_settings().limits.max_record_bytes
    if len(text) * 3 > limit and len(text.encode("utf-8")) > limit:
        return FormatError(f"这一行超过 {limit / 1048576:.3g} MB，已跳过（单条记录过大）", source=source,
                           location=f"第 {number} 行")
    return text


def inspect_partition(records: Iterable[tuple[Any, ...]], rulebook: Broadcast[Rulebook],
                      unmask: bool = False) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """("s", call id, scorecard row), ("f", call id, finding row) and ("r", order key, rejected row) for a
    partition of input records; citizens' details masked unless an audited ``--unmask`` asked otherwise."""
    from hotline.masking import masked_pairs

    engine = _engine(rulebook)
    rb = engine.rulebook
    titles, pass_mark = {r.id: r.title for r in rb.rules}, rb.scoring.pass_mark
    it = iter(records)
    while chunk := list(itertools.islice(it, CHUNK)):
        calls = []
        for record in chunk:
            for item in _parse(record):
                if isinstance(item, FormatError):
                    yield "r", _order(record, item), columnar.rejected_row(item)
                else:
                    calls.append(item)
        for call, card in masked_pairs(zip(calls, engine.inspect_batch(calls) if calls else [], strict=True), unmask):
            yield "s", call.id, columnar.scorecard_row(call, card, pass_mark)
            for row in columnar.finding_rows(call, card, titles):
                yield "f", call.id, row


def _order(record: tuple[Any, ...], error: FormatError) -> tuple[str, int]:
    """Where a rejected record sits in the input, to list the first ones in order."""
    number = re.search(r"第 (\d+) 行", error.location or "")
    return error.source or record[1], int(number.group(1)) if number else 0


# ── on the driver ────────────────────────────────────────────────────────────────────────────────
def session(master: str | None = None, app: str = "hotline-inspect") -> tuple[SparkSession, bool]:
    """A Spark session and whether this call started it (then the caller stops it). Outside
    ``spark-submit`` without ``master``, Spark runs locally on every core."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkJobError("需要 PySpark：请安装 hotline-coach[spark]（pip install 'hotline-coach[spark]'）") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    builder = SparkSession.builder.appName(app).config("spark.executorEnv.OMP_NUM_THREADS", "1")
    if master or "PYSPARK_GATEWAY_PORT" not in os.environ:
        master = master or "local[*]"
        builder = builder.master(master)
    if (master or "").startswith("local"):
        # local workers run this very Python (with hotline installed), not whatever python3 is on PATH
        builder = builder.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        builder = builder.config("spark.sql.shuffle.partitions", "8")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return spark, True
    except Exception as exc:  # the JVM did not start: no Java, or a bad master
        raise SparkJobError(f"无法启动 Spark（{type(exc).__name__}: {str(exc).strip().splitlines()[0][:160]}）。"
                            "Spark 需要 Java 17：Debian 上 apt-get install openjdk-17-jre-headless；"
                            "集群上请检查 --master 与 JAVA_HOME。") from None


def _hadoop_path(spark: SparkSession, name: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None  # a started session has its JVM gateway
    path = jvm.org.apache.hadoop.fs.Path(name)
    return path, path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())


def list_inputs(spark: SparkSession, inputs: list[str]) -> tuple[list[str], list[str], list[str], list[FormatError]]:
    """(JSONL files, Parquet files, tables, errors) for what the user named: files, folders (searched
    recursively), globs and table names. What cannot be read here is an error, never skipped."""
    jsonl: list[str] = []
    parquet: list[str] = []
    tables: list[str] = []
    errors: list[FormatError] = []
    for name in inputs:
        path, fs = _hadoop_path(spark, name)
        statuses = fs.globStatus(path)
        if not statuses:
            if TABLE_NAME.fullmatch(name) and not name.lower().endswith(JSONL + PARQUET + TRANSCRIPTS):
                tables.append(name)
            else:
                errors.append(FormatError("文件不存在" if statuses is None else "没有匹配的文件", source=name))
            continue
        for status in statuses:
            found = _files(fs, status)
            if status.isDirectory() and not any(f.lower().endswith(JSONL + PARQUET) for f in found):
                errors.append(FormatError("文件夹里没有 JSONL 或 Parquet 文件", source=str(status.getPath())))
            for f in found:
                lower = f.lower()
                if lower.endswith(JSONL):
                    jsonl.append(f)
                elif lower.endswith(PARQUET):
                    parquet.append(f)
                elif lower.endswith(TRANSCRIPTS) or not status.isDirectory():
                    errors.append(FormatError("Spark 作业只读取 JSONL 与 Parquet：这个文件请用 hotline inspect 检查",
                                              source=f))
    return jsonl, parquet, tables, errors


def _files(fs: Any, status: Any) -> list[str]:
    if not status.isDirectory():
        return [str(status.getPath())]
    out = []
    it = fs.listFiles(status.getPath(), True)
    while it.hasNext():
        path = it.next().getPath()
        if not path.getName().startswith(("_", ".")):  # Spark's _SUCCESS, checksums
            out.append(str(path))
    return sorted(out)


def _jsonl_records(spark: SparkSession, files: list[str]) -> tuple[RDD[tuple[Any, ...]] | None, list[FormatError]]:
    """("line", file, number, text) for every non-blank line. Line numbers need the line count of the
    partitions before: one cheap counting pass over the text, then the numbered read."""
    if not files:
        return None, []
    sc = spark.sparkContext
    parts = [sc.textFile(f) for f in files]
    lines = sc.union(parts)
    by_part = {i: (n, filled) for i, n, filled in lines.mapPartitionsWithIndex(_count).collect()}
    owner: list[tuple[str, int]] = []  # union partition -> (file, number of its first line)
    errors = []
    for f, rdd in zip(files, parts, strict=True):
        first, filled = 1, 0
        for _ in range(rdd.getNumPartitions()):
            n, nonblank = by_part.get(len(owner), (0, 0))
            owner.append((f, first))
            first += n
            filled += nonblank
        if not filled:
            errors.append(FormatError("文件里没有任何通话（空文件或只有空行）", source=f))
    table = sc.broadcast(owner)

    def number(i: int, it: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        f, first = table.value[i]
        return (("line", f, first + j, x) for j, x in enumerate(it) if x.strip())

    return lines.mapPartitionsWithIndex(number), errors


def _count(i: int, lines: Iterable[str]) -> Iterator[tuple[int, int, int]]:
    """(partition, lines, non-blank lines)."""
    n = filled = 0
    for line in lines:
        n += 1
        filled += bool(line.strip())
    yield i, n, filled


def _py(value: Any) -> Any:
    """Spark Rows (structs) as dicts, all the way down, then plain values as the readers expect."""
    from hotline.formats.parquet import plain

    if hasattr(value, "asDict"):
        return {k: _py(v) for k, v in value.asDict().items()}
    if isinstance(value, list):
        return [_py(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _py(v) for k, v in value.items()}
    return plain(value)


def _row_records(frame: DataFrame, source: str | None) -> RDD[tuple[Any, ...]]:
    """Records of a Parquet file set or a table: one a row, or one a call of a one-row-a-turn table.
    Rows are numbered from 1 in their file (Parquet) or in the table's scan order."""
    from hotline.formats.parquet import is_per_call

    columns = list(frame.columns)
    per_call = is_per_call(f.dataType.simpleString() for f in frame.schema.fields)
    rows: Any = _located(frame)  # (file or table name, row number, row)
    if rows is None:  # not a file source (a view, a JDBC table…): number the rows in scan order
        rows = frame.rdd.zipWithIndex().map(lambda p: (source, p[1] + 1, p[0]))

    def values(r: Any) -> dict[str, Any]:
        return {c: _py(r[c]) for c in columns}

    if per_call:
        return rows.map(lambda t: ("row", t[0], t[1], values(t[2])))
    header = columns
    from hotline.formats.csvfmt import header_map

    try:
        call_col = header[header_map(header, source or "", None)["call_id"]]
    except FormatError as exc:
        return frame.sparkSession.sparkContext.parallelize([("error", source or "", exc)])
    grouped = rows.map(lambda t: ((t[0], str(t[2][call_col] or "").strip()), (t[1], values(t[2])))).groupByKey()
    return grouped.map(lambda kv: ("turns", kv[0][0], header, sorted(kv[1], key=lambda x: x[0])))


def _located(frame: DataFrame) -> RDD[tuple[str, int, Any]] | None:
    """(file, row number from 1 in it, row) for a frame read from files that Spark can locate rows in;
    None for other sources (asked without an error where possible: PySpark logs every failed query)."""
    if not frame.inputFiles():
        return None
    from pyspark.logger import PySparkLogger

    quiet = PySparkLogger.getLogger("DataFrameQueryContextLogger")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL + 1)
    try:
        located = frame.select("*", "_metadata.file_path", "_metadata.row_index")
    except Exception:  # e.g. a Hive table in a text format
        return None
    finally:
        quiet.setLevel(level)
    return located.rdd.map(lambda r: (r["file_path"], r["row_index"] + 1, r))


def _union_columns() -> list[tuple[str, str]]:
    """The columns of all three datasets in one row type (shared names have the same type), with the
    dataset a row belongs to and where a rejected record sits in the input."""
    out = [("kind", columnar.STRING), ("order_source", columnar.STRING), ("order_line", columnar.LONG)]
    for columns in columnar.DATASETS.values():
        out += [c for c in columns if c not in out]
    assert len({n for n, _ in out}) == len(out), "a column name with two types"
    return out


UNION = _union_columns()
_UNION_INDEX = {name: i for i, (name, _) in enumerate(UNION)}


def _union_rows(tagged: Iterable[tuple[str, Any, dict[str, Any]]]) -> Iterator[tuple[Any, ...]]:
    for kind, key, row in tagged:
        values: list[Any] = [None] * len(UNION)
        values[0] = kind
        if kind == "r":
            values[1], values[2] = key
        for name, value in row.items():
            values[_UNION_INDEX[name]] = value
        yield tuple(values)


def spark_schema(columns: list[tuple[str, str]]) -> Any:
    from pyspark.sql import types as T

    kinds = {columnar.STRING: T.StringType(), columnar.DOUBLE: T.DoubleType(), columnar.LONG: T.LongType(),
             columnar.BOOL: T.BooleanType(), columnar.SCORES: T.MapType(T.StringType(), T.DoubleType())}
    return T.StructType([T.StructField(name, kinds[kind], True) for name, kind in columns])


def inspect_job(spark: SparkSession, inputs: list[str], output: str, rulebook: Rulebook, *,
                overwrite: bool = False, listed: int = 50, unmask: bool = False) -> Summary:
    """Read ``inputs``, inspect every call with ``rulebook``, write the three datasets under ``output``."""
    from pyspark import StorageLevel

    _refuse_existing(spark, output, overwrite)
    jsonl, parquet, tables, errors = list_inputs(spark, inputs)
    sc = spark.sparkContext
    records, more = _jsonl_records(spark, jsonl)
    errors += more
    sources = [records] if records is not None else []
    for f in parquet:  # file by file: files of one folder may hold different layouts
        sources.append(_row_records(spark.read.parquet(f), f))
    for name in tables:
        try:
            sources.append(_row_records(spark.table(name), name))
        except Exception:
            errors.append(FormatError("表不存在，或无法读取", source=name))
    sources.append(sc.parallelize([("error", e.source or "", e) for e in errors], 1))
    broadcast = sc.broadcast(rulebook)
    results = sc.union(sources).mapPartitions(lambda it: _union_rows(inspect_partition(it, broadcast, unmask)))
    # Python reads and judges each record once; the three datasets, the counts and the listing are then
    # taken from one cached DataFrame by the JVM alone
    frame = spark.createDataFrame(results, spark_schema(UNION), verifySchema=False)
    frame.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        mode = "overwrite" if overwrite else "errorifexists"
        for kind, name in (("s", "scorecards"), ("f", "findings"), ("r", "rejected")):
            rows = frame.where(frame.kind == kind).select(*(n for n, _ in columnar.DATASETS[name]))
            writer = rows.write.mode(mode)
            if name != "rejected":
                writer = writer.partitionBy(columnar.PARTITION)
            writer.parquet(f"{output.rstrip('/')}/{name}")
        counts = {r["kind"]: r["count"] for r in frame.groupBy("kind").count().collect()}
        first = frame.where(frame.kind == "r").orderBy("order_source", "order_line").limit(listed).collect()
    finally:
        frame.unpersist()
        broadcast.unpersist()
    shown: list[HotlineError] = [FormatError(r["reason"], source=r["source"], location=r["location"] or None) for r in first]
    return Summary(counts.get("s", 0), counts.get("r", 0), counts.get("f", 0), shown)


def _refuse_existing(spark: SparkSession, output: str, overwrite: bool) -> None:
    if overwrite:
        return
    found = []
    for name in columnar.DATASETS:
        path, fs = _hadoop_path(spark, f"{output.rstrip('/')}/{name}")
        if fs.exists(path):
            found.append(name)
    if found:
        raise SparkJobError(f"输出位置 {output} 里已有质检结果（{'、'.join(found)}）：请换一个位置，或加 --overwrite 覆盖。")


if __name__ == "__main__":  # spark-submit …/hotline/batch/spark.py INPUT… --output DIR
    from hotline.cli import main

    sys.exit(main(["spark", "inspect", *sys.argv[1:]]))
