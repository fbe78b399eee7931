"""``hotline inspect``: a thin layer over ``hotline.inspect`` and ``hotline.formats``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

from hotline.errors import HotlineError
from hotline.formats import AUDIO_SUFFIXES, read_calls
from hotline.model import Call, Scorecard

FORMATS = ["table", "json", "jsonl", "csv", "xlsx", "html"]


def iter_inputs(paths: list[Path], errors: list[HotlineError], transcript: Path | None) -> Iterator[Call]:
    """Calls from transcripts and recordings (a folder may hold both)."""
    for path in paths:
        has_audio = _has_audio(path)
        if has_audio:
            yield from _audio_calls(path, transcript, errors)
        audio_only_folder = path.is_dir() and has_audio and not _has_transcripts(path)
        if (path.is_dir() or path.suffix.lower() not in AUDIO_SUFFIXES) and not audio_only_folder:
            yield from read_calls(path, errors.append)


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


@click.command("inspect")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rulebook", type=click.Path(path_type=Path), help="城市规则库文件（在默认规则库基础上覆盖）")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="输出格式")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="输出文件（xlsx/html 必填；其他格式默认输出到屏幕）")
@click.option("--samples", is_flag=True, help="检查内置的示例通话")
@click.option("--transcript", type=click.Path(path_type=Path), help="录音对应的转写文件")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="并行进程数（大批量时使用）")
@click.option("--semantic", is_flag=True,
              help="同时使用语义向量判断（更能识别换了说法的共情等，但每句约 20 毫秒，适合少量通话）")
def inspect_cmd(paths: tuple[Path, ...], rulebook: Path | None, fmt: str, output: Path | None,
                samples: bool, transcript: Path | None, jobs: int, semantic: bool) -> None:
    """检查通话转写（JSONL/JSON/CSV/对话文本，或文件夹；录音 WAV/FLAC/OGG/MP3），输出评分表。"""
    from hotline.content import data_path
    from hotline.inspect import load_engine

    inputs = list(paths) + ([data_path("samples", "calls")] if samples else [])
    if not inputs:
        raise click.UsageError("请给出要检查的文件或文件夹，或使用 --samples 检查示例通话。")
    if fmt in ("xlsx", "html") and output is None:
        raise click.UsageError(f"--format {fmt} 需要用 -o 指定输出文件。")
    engine = load_engine(rulebook, semantic=semantic)
    errors: list[HotlineError] = []
    calls = iter_inputs(inputs, errors, transcript)
    if jobs > 1:
        from hotline.batch import inspect_many

        pairs = inspect_many(calls, rulebook, jobs, semantic=semantic)
    else:
        from hotline.batch import inspect_chunked

        pairs = inspect_chunked(engine, calls)
    n = _emit(pairs, fmt, output, engine)
    _report(n, errors, output)
    if errors:
        sys.exit(1)


def _emit(pairs: Iterator[tuple[Call, Scorecard]], fmt: str, output: Path | None, engine: object) -> int:
    from hotline.formats import writers

    titles = {r.id: r.title for r in engine.rulebook.rules}  # type: ignore[attr-defined]
    dims = [d.name for d in engine.rulebook.scoring.dimensions]  # type: ignore[attr-defined]
    pass_mark = engine.rulebook.scoring.pass_mark  # type: ignore[attr-defined]
    pairs = _with_progress(pairs)
    if fmt == "xlsx":
        assert output is not None
        return writers.write_xlsx(pairs, output, titles, dims)
    if fmt == "html":
        from hotline.formats.report import write_html

        collected: list[tuple[Call, Scorecard]] = list(pairs)
        assert output is not None
        write_html(collected, output, titles, pass_mark)
        return len(collected)
    if fmt == "table":
        from hotline.cli.tables import print_summary

        return print_summary(pairs, dims, pass_mark)
    fh = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "jsonl":
            return writers.write_jsonl(pairs, fh)
        if fmt == "json":
            return writers.write_json(pairs, fh)
        return writers.write_csv(pairs, fh, titles)
    finally:
        if output:
            fh.close()


def _with_progress(pairs: Iterator[tuple[Call, Scorecard]]) -> Iterator[tuple[Call, Scorecard]]:
    if not sys.stderr.isatty():
        yield from pairs
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("已检查 {task.completed} 通"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("inspect")
        for pair in pairs:
            progress.advance(task)
            yield pair


def _report(n: int, errors: list[HotlineError], output: Path | None) -> None:
    if output:
        click.echo(f"已检查 {n} 通通话，结果写入 {output}", err=True)
    if errors:
        click.echo(f"有 {len(errors)} 条记录未能读取（其余已正常检查）：", err=True)
        for exc in errors[:50]:
            click.echo(f"  - {exc}", err=True)
        if len(errors) > 50:
            click.echo(f"  …… 另有 {len(errors) - 50} 条", err=True)
