"""``hotline inspect``: a thin layer over ``hotline.inspect`` and ``hotline.formats``.

Exit codes: 0 every record was inspected; 1 some records could not be read (they are listed, the
others were inspected); 2 nothing could be inspected (no input, an empty input, or every record bad)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

import click

from hotline.cli import started
from hotline.cli.unmask import grant, unmask_options
from hotline.errors import HotlineError
from hotline.formats import AUDIO_SUFFIXES, read_calls
from hotline.model import Call, Scorecard

if TYPE_CHECKING:
    from hotline.batch.pool import Part
    from hotline.formats.writers import ReportInfo
    from hotline.inspect import Engine

T = TypeVar("T")

FORMATS = ["table", "json", "jsonl", "csv", "xlsx", "html", "parquet"]
SUFFIX_FORMATS = {".txt": "table", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
                  ".xlsx": "xlsx", ".html": "html", ".htm": "html", ".parquet": "parquet"}
NEEDS_OUTPUT = {"xlsx": "文件", "html": "文件", "parquet": "文件夹"}
EXIT_OK, EXIT_SOME_BAD, EXIT_NOTHING = 0, 1, 2
LISTED = 50
EPILOG = ("退出码：0 全部记录已检查；1 部分记录无法读取（已列出，其余照常检查）；"
          "2 没有任何可检查的通话（无输入、输入为空或全部记录有误）。")


def iter_inputs(paths: list[Path], errors: list[HotlineError], transcript: Path | None,
                output: Path | None = None) -> Iterator[Call]:
    """Calls from transcripts and recordings (a folder may hold both); never the report being written."""
    skip = [output, *(_findings_outputs(output))] if output else []
    for path in paths:
        has_audio = _has_audio(path)
        if has_audio:
            yield from _audio_calls(path, transcript, errors)
        audio_only_folder = path.is_dir() and has_audio and not _has_transcripts(path)
        if (path.is_dir() or path.suffix.lower() not in AUDIO_SUFFIXES) and not audio_only_folder:
            yield from read_calls(path, errors.append, skip=skip)


def _findings_outputs(output: Path) -> list[Path]:
    from hotline.formats.writers import findings_path

    return [findings_path(output)] if output.suffix.lower() == ".csv" else []


def _has_audio(path: Path) -> bool:
    if path.is_file():
        return path.suffix.lower() in AUDIO_SUFFIXES
    return path.is_dir() and any(p.suffix.lower() in AUDIO_SUFFIXES for p in path.rglob("*"))


def _has_transcripts(folder: Path) -> bool:
    from hotline.formats import TRANSCRIPT_SUFFIXES

    return any(p.suffix.lower() in TRANSCRIPT_SUFFIXES for p in folder.rglob("*"))


def _audio_calls(path: Path, transcript: Path | None, errors: list[HotlineError]) -> Iterator[Call]:
    """Recordings through ``hotline.audio`` (transcripts paired by file name in a folder)."""
    from hotline.audio import load_calls

    yield from load_calls(path, transcript, on_error=errors.append)


def output_format(fmt: str | None, output: Path | None) -> str:
    """The format asked for, checked against the output file's extension (or taken from it)."""
    by_suffix = SUFFIX_FORMATS.get(output.suffix.lower()) if output else None
    if fmt is None:
        if output is not None and by_suffix is None:
            raise click.UsageError(f"无法从输出文件扩展名「{output.suffix or '（无）'}」判断格式，"
                                   f"请用 --format 指定（{'/'.join(FORMATS)}）。")
        return by_suffix or "table"
    if by_suffix is not None and by_suffix != fmt:
        raise click.UsageError(f"输出文件 {output} 的扩展名是 {output.suffix}（{by_suffix}），与 --format {fmt} 不一致；"  # type: ignore[union-attr]
                               "请改扩展名，或去掉 --format 按扩展名输出。")
    if fmt in NEEDS_OUTPUT and output is None:
        raise click.UsageError(f"--format {fmt} 需要用 -o 指定输出{NEEDS_OUTPUT[fmt]}。")
    if fmt == "parquet" and output is not None:
        from hotline.formats.parquet import discard_unfinished, existing_results

        discard_unfinished(output)  # a killed run's hidden leftovers are no results: a re-run may write here
        if found := existing_results(output):
            raise click.UsageError(f"输出文件夹 {output} 里已有质检结果（{'、'.join(found)}）：请换一个文件夹，或先删除它们。")
    return fmt


@click.command("inspect", epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rulebook", type=click.Path(path_type=Path), help="城市规则库文件（在默认规则库基础上覆盖）")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="输出格式（默认按 -o 的扩展名，屏幕输出为 table）")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="输出文件（xlsx/html 必填；csv 另写一个“_问题明细.csv”；parquet 为文件夹，内含 scorecards、"
                   "findings（按日期分区）与 rejected 三个数据集；其他格式默认输出到屏幕）")
@click.option("--samples", is_flag=True, help="检查内置的示例通话")
@click.option("--transcript", type=click.Path(path_type=Path), help="录音对应的转写文件")
@click.option("--swap-roles", "swap", multiple=True, metavar="通话ID",
              help="对调这通电话的坐席与市民（说话人角色判反时用；可重复，或用逗号分隔多个）")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="并行进程数（大批量时使用；每个进程读取输入的一部分并各自写出，结果与单进程相同）")
@click.option("--semantic", is_flag=True,
              help="同时使用语义向量判断（更能识别换了说法的共情等，但每句约 20 毫秒，适合少量通话）")
@unmask_options
def inspect_cmd(paths: tuple[Path, ...], rulebook: Path | None, fmt: str | None, output: Path | None,
                samples: bool, transcript: Path | None, swap: tuple[str, ...], jobs: int, semantic: bool,
                unmask: bool, operator: str | None) -> None:
    """检查通话转写（JSONL/JSON/CSV/Parquet/对话文本，或文件夹；录音 WAV/FLAC/OGG/MP3），输出评分表。

    市民的电话、身份证号和门牌号在所有输出中打码（长度不变，证据位置仍然对得上）；--unmask 输出原文，须有操作人并记入审计日志。"""
    from hotline.content import data_path

    inputs = list(paths) + ([data_path("samples", "calls")] if samples else [])
    if not inputs:
        raise click.UsageError("请给出要检查的文件或文件夹，或使用 --samples 检查示例通话。")
    fmt = output_format(fmt, output)
    allowed = grant(unmask, operator, "hotline inspect", fmt, inputs, output)
    done: tuple[int, int] | None = None
    try:
        done = _run(inputs, rulebook, fmt, output, transcript, swap, jobs, semantic, allowed is not None)
    finally:
        if allowed is not None:
            allowed.record(done[0] if done else None)
    raise click.exceptions.Exit(done[1])


def _run(inputs: list[Path], rulebook: Path | None, fmt: str, output: Path | None, transcript: Path | None,
         swap: tuple[str, ...], jobs: int, semantic: bool, unmask: bool) -> tuple[int, int]:
    """(calls inspected, exit code)."""
    from hotline.inspect import load_engine
    from hotline.masking import masked_pairs

    engine = load_engine(rulebook, semantic=semantic)
    info = _report_info(engine)
    started()  # what the run keeps is loaded: the garbage collector resumes (paused for the start-up)
    errors: list[HotlineError] = []
    warnings: list[tuple[str, str]] = []
    swap_ids = {x.strip() for item in swap for x in item.split(",") if x.strip()}
    seen: set[str] = set()
    if jobs > 1 and _parallel(inputs):
        n = _emit_parts(Run(inputs, engine, jobs, info, errors, warnings, swap_ids, seen, unmask), fmt, output)
    else:
        from hotline.batch import inspect_chunked, inspect_many, swap_named

        calls = swap_named(iter_inputs(inputs, errors, transcript, output), swap_ids, seen)
        pairs = inspect_many(calls, rulebook, jobs, semantic=semantic) if jobs > 1 else inspect_chunked(engine, calls)
        # the workers of --jobs and the Spark job mask their pairs the same way, where they write them
        n = _emit(masked_pairs(_watch(pairs, warnings), unmask), fmt, output, info, errors)
    return n, _report(n, errors, warnings, swap_ids - seen, output, fmt)


def _parallel(inputs: list[Path]) -> bool:
    from hotline.batch import pool

    return pool.parallel_inputs(inputs)


def _report_info(engine: Engine) -> ReportInfo:
    from hotline.formats import writers

    rb = engine.rulebook
    return writers.ReportInfo({r.id: r.title for r in rb.rules}, [d.name for d in rb.scoring.dimensions],
                              rb.scoring.pass_mark)


@dataclass(slots=True)
class Run:
    """A run with ``--jobs``: what goes to the workers and what comes back from them."""

    inputs: list[Path]
    engine: Engine
    jobs: int
    info: ReportInfo
    errors: list[HotlineError]
    warnings: list[tuple[str, str]]
    swap_ids: set[str]
    seen: set[str]
    unmask: bool = False

    def parts(self, kind: str, output: Path | None) -> Iterator[Part]:
        from hotline.batch import pool

        skip = [output, *_findings_outputs(output)] if output else []
        folder = output if kind == "parquet" else None
        for part in _with_progress(pool.run(self.inputs, self.engine, self.jobs, kind, self.info, skip=skip,
                                            folder=folder, swap_ids=self.swap_ids, unmask=self.unmask),
                                   lambda p: p.calls):
            self.errors.extend(part.errors)
            self.warnings.extend(part.warnings)
            self.seen.update(part.swapped)
            yield part


def _emit_parts(run: Run, fmt: str, output: Path | None) -> int:
    """Merge the workers' parts in order: JSONL and CSV parts follow each other, Parquet parts are files
    of the datasets already; the other formats read the pairs back."""
    from hotline.batch.pool import append_text, pairs_of

    if fmt not in ("jsonl", "csv", "parquet"):
        return _emit((pair for part in run.parts("pairs", output) for pair in pairs_of(part)), fmt, output,
                     run.info, run.errors)
    if fmt == "parquet":
        from hotline.formats.parquet import write_rejected

        assert output is not None
        n = sum(part.calls for part in run.parts("parquet", output))
        write_rejected(output, run.errors)
        return n
    with contextlib.ExitStack() as stack:
        fh, findings = _open_outputs(stack, fmt, output)
        if fmt == "csv":
            from hotline.formats import sheets, writers

            sheets.write_csv(fh, writers.call_headers(run.info), [])
            if findings:
                sheets.write_csv(findings, writers.FINDING_HEADERS, [])
        n = 0
        for part in run.parts(fmt, output):
            append_text(part.files[0], fh)
            if findings:
                append_text(part.files[1], findings)
            n += part.calls
        return n


def _open_outputs(stack: contextlib.ExitStack, fmt: str, output: Path | None) -> tuple[IO[str], IO[str] | None]:
    if output is None:
        return sys.stdout, None
    output.parent.mkdir(parents=True, exist_ok=True)
    fh = stack.enter_context(output.open("w", encoding="utf-8", newline=""))
    if fmt != "csv":
        return fh, None
    from hotline.formats.writers import findings_path

    return fh, stack.enter_context(findings_path(output).open("w", encoding="utf-8", newline=""))


def _watch(pairs: Iterator[tuple[Call, Scorecard]], warnings: list[tuple[str, str]]) -> Iterator[tuple[Call, Scorecard]]:
    from hotline.formats.roles import role_warning

    for call, card in _with_progress(pairs):
        if text := role_warning(call):
            warnings.append((call.id, text))
        yield call, card


def _emit(pairs: Iterator[tuple[Call, Scorecard]], fmt: str, output: Path | None, info: ReportInfo,
          errors: list[HotlineError]) -> int:
    from hotline.formats import writers

    if fmt == "xlsx":
        assert output is not None
        return writers.write_xlsx(pairs, output, info, errors)
    if fmt == "parquet":
        from hotline.formats.parquet import write_parquet

        assert output is not None
        return write_parquet(pairs, output, info.titles, info.pass_mark, errors)
    if fmt == "html":
        from hotline.formats.report import write_html

        collected: list[tuple[Call, Scorecard]] = list(pairs)
        assert output is not None
        write_html(collected, output, info.titles, info.pass_mark)
        return len(collected)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
    fh: IO[str] = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "table":
            return _table(pairs, info, fh if output else None)
        if fmt == "jsonl":
            return writers.write_jsonl(pairs, fh)
        if fmt == "json":
            return writers.write_json(pairs, fh)
        if output is None:
            return writers.write_csv(pairs, fh, info)
        with writers.findings_path(output).open("w", encoding="utf-8", newline="") as findings:
            return writers.write_csv(pairs, fh, info, findings)
    finally:
        if output:
            fh.close()


def _table(pairs: Iterator[tuple[Call, Scorecard]], info: ReportInfo, fh: IO[str] | None) -> int:
    from hotline.cli.tables import print_summary

    return print_summary(pairs, info, fh)


def _with_progress(items: Iterator[T], weight: Callable[[T], int] = lambda _: 1) -> Iterator[T]:
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("已检查 {task.completed} 通"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("inspect")
        for item in items:
            progress.advance(task, weight(item))
            yield item


def _report(n: int, errors: list[HotlineError], warnings: list[tuple[str, str]], unknown_swaps: set[str],
            output: Path | None, fmt: str) -> int:
    """The listing of what went wrong, the summary line, and the exit code."""
    say = lambda text: click.echo(text, err=True)  # noqa: E731
    if errors:
        say(f"有 {len(errors)} 条记录未能读取（其余已正常检查）：")
        for exc in errors[:LISTED]:
            say(f"  - {exc}")
        if len(errors) > LISTED:
            say(f"  …… 另有 {len(errors) - LISTED} 条" + ("（全部列在 Excel 的“未导入记录”表中）" if fmt == "xlsx" else ""))
    if warnings:
        say(f"有 {len(warnings)} 通电话的说话人角色是按内容推断的，置信度低，请人工核对：")
        for call_id, text in warnings[:LISTED]:
            say(f"  - {call_id}：{text}")
    for call_id in sorted(unknown_swaps):
        say(f"提示：--swap-roles 指定的通话 {call_id} 不在输入中")
    if output:
        say(f"结果写入 {output}" + (f" 与 {_findings_name(output)}" if fmt == "csv" else ""))
    elif fmt == "csv":
        say("（屏幕上是每通一行的汇总；要同时得到问题明细 CSV，请用 -o 指定文件）")
    say(f"读取 {n + len(errors)} 条记录：已检查 {n} 通，未导入 {len(errors)} 条")
    if n == 0:
        say("没有任何可检查的通话。")
        return EXIT_NOTHING
    return EXIT_SOME_BAD if errors else EXIT_OK


def _findings_name(output: Path) -> Path:
    from hotline.formats.writers import findings_path

    return findings_path(output)
