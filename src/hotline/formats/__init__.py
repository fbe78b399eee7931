"""Reading transcripts. Every reader yields Calls; a bad record is a ``FormatError`` naming the file,
the line or record and the problem. ``read_calls`` streams: a JSONL of a million calls is never
held in memory."""

from __future__ import annotations

from hotline.native import package_path

__path__ = package_path(__name__, __path__)  # compiled modules first, when current

from collections.abc import Callable, Collection, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

from hotline.errors import FormatError, describe_os_error  # noqa: E402
from hotline.formats.csvfmt import read_csv_text  # noqa: E402
from hotline.formats.decode import decode_bytes, record_lines  # noqa: E402
from hotline.formats.dialogue import looks_like_dialogue, read_dialogue_text  # noqa: E402
from hotline.formats.jsonfmt import decode, read_json_text, read_jsonl_lines  # noqa: E402
from hotline.formats.layouts import reader_settings  # noqa: E402
from hotline.model import Call  # noqa: E402

TRANSCRIPT_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".dialog", ".text", ".parquet"}
AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3"}

ErrorHandler = Callable[[FormatError], None]


def _raise(exc: FormatError) -> None:
    raise exc


def read_calls(path: str | Path, on_error: ErrorHandler | None = None, *,
               skip: Collection[Path] = ()) -> Iterator[Call]:
    """Yield every call under ``path`` (a file or a folder). Bad records go to ``on_error``;
    without a handler the first one raises. Files in ``skip`` (the report being written) are not read."""
    handle = on_error or _raise
    path = Path(path)
    if path.is_dir():
        files = transcript_files(path, skip)
        if not files:
            handle(FormatError("文件夹里没有可读的转写文件（.jsonl .json .csv .tsv .txt .parquet）", source=str(path)))
        for f in files:
            yield from read_calls(f, on_error)
        return
    if not path.exists():
        handle(FormatError("文件不存在", source=str(path)))
        return
    try:
        for item in _read_file(path):
            if isinstance(item, FormatError):
                handle(item)
            else:
                yield item
    except FormatError as exc:
        handle(exc)
    except OSError as exc:
        handle(FormatError(f"无法读取：{describe_os_error(exc, with_name=False)}", source=str(path)))


def transcript_files(folder: Path, skip: Collection[Path] = ()) -> list[Path]:
    """The transcript files under ``folder`` in the order they are read, leaving out ``skip`` (files, or
    folders and everything in them)."""
    avoid = {p.resolve() for p in skip}
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in TRANSCRIPT_SUFFIXES
                  and not avoid.intersection((p.resolve(), *p.resolve().parents)))


def read_call(path: str | Path) -> Call:
    """Read a file that holds exactly one call."""
    calls = list(read_calls(path))
    if len(calls) != 1:
        raise FormatError(f"应只含一通通话，实际有 {len(calls)} 通", source=str(path))
    return calls[0]


def _read_file(path: Path) -> Iterator[Call | FormatError]:
    source, stem, suffix = str(path), path.stem, path.suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        raise FormatError("这是录音文件：请用 hotline inspect 直接检查录音（可加 --transcript）", source=source)
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path)
        return
    if suffix == ".parquet":
        from hotline.formats.parquet import read_parquet

        yield from read_parquet(path)
        return
    limits = reader_settings().limits
    if path.stat().st_size > limits.max_file_bytes:
        raise FormatError(f"文件超过 {limits.max_file_mb:g} MB：大批量通话请用 JSONL（每行一通）", source=source)
    text = decode_bytes(path.read_bytes(), source)
    if not text.strip():
        raise FormatError("文件为空", source=source)
    kind = {".json": "json", ".csv": "csv", ".tsv": "csv"}.get(suffix) or sniff(text)
    if kind == "json":
        yield from read_json_text(text, source, stem)
    elif kind == "jsonl":
        yield from read_jsonl_lines(enumerate(text.splitlines(), start=1), source, stem)
    elif kind == "csv":
        yield from read_csv_text(text, source)
    else:
        yield from read_dialogue_text(text, source, stem)


def _read_jsonl(path: Path) -> Iterator[Call | FormatError]:
    source = str(path)
    with path.open("rb") as fh:
        empty = True
        lines, decoder = record_lines(fh, source, reader_settings().limits.max_record_bytes)
        for item in read_jsonl_lines(lines, source, path.stem, decoder):
            empty = False
            yield item
    if empty:
        raise FormatError("文件里没有任何通话（空文件或只有空行）", source=source)


def _parses(text: str) -> bool:
    """Whether the JSON reader reads ``text`` (its own decoder: what it accepts, this accepts)."""
    try:
        decode(text)
    except (ValueError, RecursionError):  # json.JSONDecodeError is a ValueError
        return False
    return True


def sniff(text: str) -> str:
    """Guess the format of a file with an unhelpful extension from its content."""
    head = text.lstrip()[:2000]
    if looks_like_dialogue(text):
        return "dialogue"
    if head.startswith(("[", "{")):
        first = head.splitlines()[0].strip()
        kind = "jsonl" if head.startswith("{") and first.endswith("}") and len(text.strip().splitlines()) > 1 else "json"
        # a brace or bracket first, yet a speaker's line further on than the window looked: JSON only when it reads as
        # JSON (the whole text; for JSON Lines its first line), else a dialogue file with junk at its head, whose
        # calls would otherwise all be lost to one JSON error
        if looks_like_dialogue(text, None) and not _parses(text if kind == "json" else first):
            return "dialogue"
        return kind
    first_line = head.splitlines()[0] if head else ""
    if ("," in first_line or "\t" in first_line) and ("call_id" in first_line.lower() or "通话" in first_line):
        return "csv"
    return "dialogue"
