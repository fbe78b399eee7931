"""CSV transcripts, one row per turn: ``call_id, speaker, text, start, end`` (Chinese headers accepted),
comma- or tab-separated (Excel's “Unicode 文本” is UTF-16 with tabs). Rows of a call need not be
contiguous. A call with one bad row is reported, not half-imported."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from hotline.errors import FormatError
from hotline.formats.records import clean_text, finish_call
from hotline.formats.roles import RawTurn
from hotline.model import Call

COLUMNS: dict[str, tuple[str, ...]] = {
    "call_id": ("call_id", "id", "通话id", "通话编号", "录音编号", "流水号"),
    "speaker": ("speaker", "role", "说话人", "角色", "声道", "channel"),
    "text": ("text", "content", "内容", "文本", "转写文本"),
    "start": ("start", "开始", "开始时间", "开始秒"),
    "end": ("end", "结束", "结束时间", "结束秒"),
}
REQUIRED = ("call_id", "speaker", "text")


def header_map(header: list[str], source: str, where: str | None = "第 1 行") -> dict[str, int]:
    """Which column holds what (Chinese and English names); a FormatError naming the missing ones."""
    found: dict[str, int] = {}
    lowered = [h.strip().lower() for h in header]
    for key, names in COLUMNS.items():
        for i, h in enumerate(lowered):
            if h in names:
                found[key] = i
                break
    missing = [k for k in REQUIRED if k not in found]
    if missing:
        raise FormatError(f"表头缺少列：{', '.join(missing)}（需要 call_id, speaker, text，可选 start, end；"
                          f"实际表头：{', '.join(header)}）", source=source, location=where)
    return found


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _num(value: Any, column: str, source: str, where: str) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = repr(value)  # typed columns (Parquet) take the same checks as text
    value = _cell(value).strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise FormatError(f"{column} 应为秒数，实际为「{value[:40]}」", source=source, location=where) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise FormatError(f"{column} 应为秒数，实际为「{value[:40]}」", source=source, location=where)
    if number < 0:
        raise FormatError(f"{column} 不能为负数：{value}", source=source, location=where)
    return number


def delimiter(first_line: str) -> str:
    """Tab for Excel's “Unicode 文本” export, else comma."""
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


_CSV_PROBLEMS = (
    ("unexpected end of data", "这一行的引号没有闭合，从这里到文件末尾都无法读取（请检查这一行的引号）"),
    ("expected after", "引号用法不对（单元格里的引号要写成两个 \"\"）"),
    ("field larger", "单元格太长"),
)


def _rows(text: str, source: str) -> Iterator[tuple[int, list[str] | FormatError]]:
    """Numbered rows; a broken row is a FormatError at the line where it starts (strict quoting, so an
    unclosed quote is reported instead of silently swallowing the rows after it)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter(text.split("\n", 1)[0]), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = next((zh for en, zh in _CSV_PROBLEMS if en in str(exc)), "CSV 格式不对")
            yield start, FormatError(reason, source=source, location=f"第 {start} 行")
            continue
        yield start, row


def read_csv_text(text: str, source: str) -> Iterator[Call | FormatError]:
    rows = _rows(text, source)
    first = next(rows, None)
    if first is None:
        raise FormatError("文件为空", source=source)
    if isinstance(first[1], FormatError):
        raise first[1]
    header = first[1]
    column = header_map(header, source)["call_id"]
    lines: list[str] = []

    def owner(lineno: int) -> str:
        lines[:] = lines or text.splitlines()
        return _call_id_of_line(lines, lineno, column, delimiter(text.split("\n", 1)[0]))

    yield from calls_from_rows(header, rows, source, owner)


def calls_from_rows(header: list[str], rows: Iterable[tuple[int, list[Any] | FormatError]], source: str,
                    owner: Callable[[int], str] | None = None, *, header_line: str | None = "第 1 行",
                    meta_columns: Sequence[int] = (), empty: str = "只有表头，没有任何通话") -> Iterator[Call | FormatError]:
    """Calls from numbered rows of one turn each (a CSV file, a Parquet table). ``owner`` guesses the call
    a broken row belongs to, so that call is reported whole; ``meta_columns`` are copied into the
    call's meta from its first row."""
    cols = header_map(header, source, header_line)
    calls: dict[str, list[RawTurn]] = {}
    first_line: dict[str, int] = {}
    metas: dict[str, dict[str, Any]] = {}
    bad: dict[str, FormatError] = {}
    for lineno, row in rows:
        if isinstance(row, FormatError):
            guess = owner(lineno) if owner else ""
            if guess and guess not in bad:
                bad[guess] = row  # the call is reported whole, never imported without this row
            else:
                yield row
            continue
        if not any(_cell(cell).strip() for cell in row):
            continue
        where = f"第 {lineno} 行"
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        call_id = _cell(row[cols["call_id"]]).strip()
        if not call_id:
            yield FormatError("call_id 为空", source=source, location=where)
            continue
        if call_id not in first_line:
            first_line[call_id] = lineno
            metas[call_id] = {header[i]: row[i] for i in meta_columns if row[i] is not None}
        try:
            turn = _row_turn(row, cols, source, where)
        except FormatError as exc:
            bad.setdefault(call_id, exc)
            continue
        calls.setdefault(call_id, []).append(turn)
    if not calls and not bad:
        raise FormatError(empty, source=source)
    for call_id, turns in calls.items():
        if call_id in bad:
            continue
        try:
            yield finish_call(call_id, turns, metas[call_id], source, f"第 {first_line[call_id]} 行起（通话 {call_id}）")
        except FormatError as exc:
            yield exc
    for call_id, problem in bad.items():
        yield FormatError(f"通话 {call_id} 未导入：{problem.message}", source=source, location=problem.location)


def _call_id_of_line(lines: list[str], lineno: int, column: int, sep: str) -> str:
    """The call id a broken row most likely belongs to (its cell in the call_id column, unquoted)."""
    if not 0 < lineno <= len(lines):
        return ""
    cells = lines[lineno - 1].split(sep)
    return cells[column].strip().strip('"').strip() if column < len(cells) else ""


def _row_turn(row: list[Any], cols: dict[str, int], source: str, where: str) -> RawTurn:
    label = _cell(row[cols["speaker"]]).strip()
    if not label:
        raise FormatError("speaker（说话人）为空", source=source, location=where)
    start = _num(row[cols["start"]], "start", source, where) if "start" in cols else None
    end = _num(row[cols["end"]], "end", source, where) if "end" in cols else None
    if start is not None and end is not None and end < start:
        raise FormatError(f"结束时间 {end:g} 早于开始时间 {start:g}", source=source, location=where)
    return RawTurn(label, clean_text(_cell(row[cols["text"]])), start, end, where)
