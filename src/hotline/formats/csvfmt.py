"""CSV transcripts, one row per turn: ``call_id, speaker, text, start, end`` (Chinese headers accepted).
Rows of a call need not be contiguous. A call with one bad row is reported, not half-imported."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from hotline.errors import FormatError
from hotline.formats.speakers import clean_text, parse_speaker
from hotline.model import Call, Turn

COLUMNS: dict[str, tuple[str, ...]] = {
    "call_id": ("call_id", "id", "通话id", "通话编号", "录音编号", "流水号"),
    "speaker": ("speaker", "role", "说话人", "角色"),
    "text": ("text", "content", "内容", "文本", "转写文本"),
    "start": ("start", "开始", "开始时间", "开始秒"),
    "end": ("end", "结束", "结束时间", "结束秒"),
}
REQUIRED = ("call_id", "speaker", "text")


def _header_map(header: list[str], source: str) -> dict[str, int]:
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
                          f"实际表头：{', '.join(header)}）", source=source, location="第 1 行")
    return found


def _num(value: str, column: str, source: str, where: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise FormatError(f"{column} 应为秒数，实际为「{value}」", source=source, location=where) from None
    if number < 0:
        raise FormatError(f"{column} 不能为负数：{value}", source=source, location=where)
    return number


def read_csv_text(text: str, source: str) -> Iterator[Call | FormatError]:
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None:
        raise FormatError("文件为空", source=source)
    cols = _header_map(header, source)
    calls: dict[str, list[Turn]] = {}
    bad: dict[str, FormatError] = {}
    for lineno, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"第 {lineno} 行"
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        call_id = row[cols["call_id"]].strip()
        if not call_id:
            yield FormatError("call_id 为空", source=source, location=where)
            continue
        try:
            turn = _row_turn(row, cols, source, where)
        except FormatError as exc:
            bad.setdefault(call_id, exc)
            continue
        calls.setdefault(call_id, []).append(turn)
    for call_id, turns in calls.items():
        if call_id not in bad:
            yield Call(id=call_id, turns=turns)
    for call_id, exc in bad.items():
        yield FormatError(f"通话 {call_id} 未导入：{exc.message}", source=source, location=exc.location)


def _row_turn(row: list[str], cols: dict[str, int], source: str, where: str) -> Turn:
    speaker = parse_speaker(row[cols["speaker"]], source, where)
    start = _num(row[cols["start"]], "start", source, where) if "start" in cols else None
    end = _num(row[cols["end"]], "end", source, where) if "end" in cols else None
    if start is not None and end is not None and end < start:
        raise FormatError(f"结束时间 {end} 早于开始时间 {start}", source=source, location=where)
    return Turn(speaker, clean_text(row[cols["text"]]), start, end)
