"""``hotline inspect --jobs N``: worker processes forked after the engine is built and warmed (the
compiled rulebook and the act model are shared copy-on-write, not rebuilt per worker), each reading its
own part of the input — a byte range of a JSONL cut at line ends, or a whole file of another kind —
and writing its own output part. This process only plans the parts and merges them in order, so the
output, the rejected records and their order are the same as with ``--jobs 1``.

Parts are written in the output's own form where parts can simply follow each other (JSONL lines, CSV
rows, Parquet files); for the other outputs (table, JSON, XLSX, HTML) a part holds the pickled
(call, scorecard) pairs and the writer reads them back in order."""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from hotline.batch import inspect_chunked, swap_named, warm
from hotline.errors import FormatError, HotlineError
from hotline.formats import TRANSCRIPT_SUFFIXES, read_calls, transcript_files
from hotline.model import Call, Scorecard

if TYPE_CHECKING:
    from hotline.formats.writers import ReportInfo
    from hotline.inspect import Engine

BLOCK = 1 << 20  # the planner counts lines a block at a time; a range is never shorter than a block
MAX_RANGE = 32 << 20
RANGES_PER_JOB = 16  # enough parts that no worker idles long at the end of a file
KINDS = ("jsonl", "csv", "parquet", "pairs")
JSONL = (".jsonl", ".ndjson")
EMPTY_JSONL = "文件里没有任何通话（空文件或只有空行）"


@dataclass(frozen=True, slots=True)
class Task:
    """One part of the input: ``path`` whole (``end`` < 0), or its bytes [start, end) from line ``line``."""

    index: int
    path: str
    start: int = 0
    end: int = -1
    line: int = 1
    legacy: str | None = None
    last: bool = True  # the last part of its file
    error: HotlineError | None = None  # found while planning (a folder without transcripts)


@dataclass(slots=True)
class Part:
    """What a worker did with one task; the records themselves are in ``files``."""

    index: int
    path: str
    files: list[Path]
    last: bool = True  # the last part of its file
    calls: int = 0
    errors: list[HotlineError] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    swapped: set[str] = field(default_factory=set)
    renames: list[tuple[Path, Path]] = field(default_factory=list)  # Parquet files complete, not yet named


@dataclass(slots=True)
class Setup:
    """What every worker needs; set in this process before the fork, inherited by the workers."""

    engine: Engine
    kind: str
    info: ReportInfo
    parts_dir: Path
    folder: Path | None = None  # the Parquet output
    swap_ids: set[str] = field(default_factory=set)
    unmask: bool = False  # an audited --unmask: the parts hold the citizens' details unmasked


_setup: Setup | None = None


# ── planning (this process) ──────────────────────────────────────────────────────────────────────
def plan(inputs: Iterable[Path], jobs: int, skip: Iterable[Path] = ()) -> Iterator[Task]:
    """The tasks of a run, in the order ``read_calls`` would read their records."""
    index = 0
    skip = list(skip)
    for path in inputs:
        if path.is_dir():
            files = transcript_files(path, skip)
            if not files:
                error = FormatError("文件夹里没有可读的转写文件（.jsonl .json .csv .tsv .txt .parquet）", source=str(path))
                yield Task(index, str(path), error=error)
                index += 1
        else:
            files = [path]
        for f in files:
            for task in _file_tasks(f, index, jobs):
                yield task
                index += 1


def _file_tasks(path: Path, index: int, jobs: int) -> Iterator[Task]:
    try:
        if path.suffix.lower() not in JSONL or not path.is_file():
            raise _Whole
        size = path.stat().st_size
        chunk = max(BLOCK, min(MAX_RANGE, size // (jobs * RANGES_PER_JOB)))
        if size <= chunk:
            raise _Whole
        with path.open("rb") as fh:
            legacy = _byte_oriented(fh)
            ranges = list(_ranges(fh, size, chunk))
    except (_Whole, OSError):
        yield Task(index, str(path))  # the worker reads it whole, and reports any problem with it
        return
    for i, (start, end, line) in enumerate(ranges):
        yield Task(index + i, str(path), start, end, line, legacy, last=i == len(ranges) - 1)


class _Whole(Exception):
    """This file is read by one worker from start to end."""


def _byte_oriented(fh: IO[bytes]) -> str | None:
    """The legacy encoding the lines of this JSONL fall back to; UTF-16 cannot be cut in byte ranges."""
    from hotline.formats.decode import HEAD_BYTES, detect_encoding, legacy_by_lines

    head = fh.read(HEAD_BYTES)
    encoding = detect_encoding(head, complete=len(head) < HEAD_BYTES, ascii_heavy=True) or "utf-8"
    if encoding.startswith("utf-16"):
        raise _Whole
    fh.seek(0)
    return legacy_by_lines(head)


def _ranges(fh: IO[bytes], size: int, chunk: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, first line number) of ranges of about ``chunk`` bytes, each ending after a newline
    (a newline byte is never part of a UTF-8, GBK or Big5 character). ``chunk`` >= BLOCK, so a block
    holds at most one cut."""
    start, first, lines, pos = 0, 1, 0, 0
    while block := fh.read(BLOCK):
        cut = block.find(b"\n", max(0, start + chunk - pos - 1)) if pos + len(block) - start >= chunk else -1
        if cut < 0:
            lines += block.count(b"\n")
        else:
            lines += block.count(b"\n", 0, cut + 1)
            yield start, pos + cut + 1, first
            start, first = pos + cut + 1, lines + 1
            lines += block.count(b"\n", cut + 1)
        pos += len(block)
    if start < size:
        yield start, size, first


# ── working (the forked processes) ───────────────────────────────────────────────────────────────
def _child() -> None:
    from hotline.inspect import semantic

    semantic.one_thread()


def work(task: Task) -> Part:
    setup = _setup
    assert setup is not None, "work() runs in a worker forked by run()"
    part = Part(task.index, task.path, [], task.last)
    if task.error is not None:
        part.errors.append(task.error)
        return part
    from hotline.masking import masked_pairs

    calls = swap_named(_read(task, part.errors), setup.swap_ids, part.swapped)
    # masked here, before any part is written (the temporary parts too), whatever the output format
    pairs = masked_pairs(_watch(inspect_chunked(setup.engine, calls), part), setup.unmask)
    _write(setup, task.index, pairs, part)
    return part


def _read(task: Task, errors: list[HotlineError]) -> Iterator[Call]:
    if task.end < 0:
        yield from read_calls(task.path, errors.append)
        return
    from hotline.formats.decode import LineDecoder, raw_lines
    from hotline.formats.jsonfmt import read_jsonl_lines
    from hotline.formats.layouts import reader_settings

    path = Path(task.path)
    with path.open("rb") as fh:
        fh.seek(task.start)
        lines = raw_lines(fh, task.path, reader_settings().limits.max_record_bytes, end=task.end, lineno=task.line - 1)
        for item in read_jsonl_lines(lines, task.path, path.stem, LineDecoder(task.legacy)):
            if isinstance(item, FormatError):
                errors.append(item)
            else:
                yield item


def _watch(pairs: Iterator[tuple[Call, Scorecard]], part: Part) -> Iterator[tuple[Call, Scorecard]]:
    from hotline.formats.roles import role_warning

    for call, card in pairs:
        part.calls += 1
        if text := role_warning(call):
            part.warnings.append((call.id, text))
        yield call, card


def _write(setup: Setup, index: int, pairs: Iterator[tuple[Call, Scorecard]], part: Part) -> None:
    from hotline.formats import writers

    name = f"part-{index:05d}"
    if setup.kind == "parquet":
        from hotline.formats.parquet import ParquetSink

        assert setup.folder is not None
        with ParquetSink(setup.folder, setup.info.titles, setup.info.pass_mark, name) as sink:
            sink.add_all(pairs)
        part.renames = sink.renames  # named by run() once every part is complete
        return
    first = setup.parts_dir / name
    part.files.append(first)
    if setup.kind == "pairs":
        with first.open("wb") as fh:
            for chunk in _chunks(pairs, 256):
                pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return
    with first.open("w", encoding="utf-8", newline="") as fh:
        if setup.kind == "jsonl":
            writers.write_jsonl(pairs, fh)
            return
        from hotline.formats.sheets import write_csv_rows

        second = setup.parts_dir / f"{name}-findings"
        part.files.append(second)
        with second.open("w", encoding="utf-8", newline="") as findings:
            for call, card in pairs:
                write_csv_rows(fh, [writers.call_row(call, card, setup.info)])
                write_csv_rows(findings, writers.finding_rows(call, card, setup.info.titles))


def _chunks(pairs: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk = []
    for pair in pairs:
        chunk.append(pair)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ── running and merging (this process) ───────────────────────────────────────────────────────────
def run(inputs: list[Path], engine: Engine, jobs: int, kind: str, info: ReportInfo, *, skip: Iterable[Path] = (),
        folder: Path | None = None, swap_ids: set[str] | None = None, unmask: bool = False) -> Iterator[Part]:
    """Every part of the run, in input order, once its worker has finished it. The caller merges
    ``part.files`` (then they are deleted) and collects the errors, warnings and swapped ids."""
    global _setup
    if kind not in KINDS:
        raise ValueError(kind)
    parts_dir = Path(tempfile.mkdtemp(prefix="hotline-parts-"))
    _setup = Setup(engine, kind, info, parts_dir, folder, swap_ids or set(), unmask)
    warm(engine)
    gc.collect()
    gc.freeze()  # objects built so far are never touched by a worker's collector: their pages stay shared
    items: dict[str, int] = {}
    renames: list[tuple[Path, Path]] = []
    try:
        with mp.get_context("fork").Pool(jobs, initializer=_child) as pool:
            for part in pool.imap(work, plan(inputs, jobs, skip)):
                items[part.path] = items.get(part.path, 0) + part.calls + len(part.errors)
                if part.last and items[part.path] == 0 and Path(part.path).suffix.lower() in JSONL:
                    part.errors.append(FormatError(EMPTY_JSONL, source=part.path))
                renames += part.renames
                yield part
                for f in part.files:
                    f.unlink(missing_ok=True)
        if kind == "parquet":
            from hotline.formats.parquet import publish

            publish(renames)  # the run's Parquet files get their names together, once all are complete
    except BaseException:
        if kind == "parquet" and folder is not None:
            from hotline.formats.parquet import discard_unfinished

            discard_unfinished(folder)  # the workers are stopped: nothing of this run looks finished
        raise
    finally:
        gc.unfreeze()
        _setup = None
        shutil.rmtree(parts_dir, ignore_errors=True)


def pairs_of(part: Part) -> Iterator[tuple[Call, Scorecard]]:
    """The (call, scorecard) pairs a ``pairs`` part holds, in order."""
    with part.files[0].open("rb") as fh:
        while True:
            try:
                chunk = pickle.load(fh)
            except EOFError:
                return
            yield from chunk


def append_text(part_file: Path, fh: IO[str]) -> None:
    with part_file.open(encoding="utf-8", newline="") as src:
        shutil.copyfileobj(src, fh, 1 << 20)


def parallel_inputs(paths: Iterable[Path]) -> bool:
    """Whether these inputs can be split among workers (transcript files and folders, not recordings)."""
    from hotline.formats import AUDIO_SUFFIXES

    for path in paths:
        if path.is_file() and path.suffix.lower() not in TRANSCRIPT_SUFFIXES | AUDIO_SUFFIXES:
            continue
        if path.is_file() and path.suffix.lower() in AUDIO_SUFFIXES:
            return False
        if path.is_dir() and any(p.suffix.lower() in AUDIO_SUFFIXES for p in path.rglob("*")):
            return False
    return os.name == "posix"
