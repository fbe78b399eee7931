"""Training data for the dissatisfaction model: calls with a satisfaction score — either inside each
JSONL record (``--target labels.S``) or in a separate 回访 results sheet (CSV/XLSX: call id and score)
joined by call id. Scores are numbers, or labels from ``satisfaction.labels`` (满意、不满意…).
Bad records are reported with file and line; the good ones are kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hotline.citizen.settings import CitizenError, SatisfactionSettings
from hotline.errors import HotlineError
from hotline.model import Call

ID_COLUMNS = ("call_id", "id", "通话编号", "通话ID", "工单号", "编号")
SCORE_COLUMNS = ("satisfaction", "满意度", "回访结果", "评价", "score", "S")


def score_of(value: Any, s: SatisfactionSettings) -> float:
    if isinstance(value, bool) or value is None:
        raise ValueError("缺少满意度")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text in s.labels:
        return s.labels[text]
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"满意度「{text}」不是数字，也不是认识的评价（{'、'.join(s.labels)}）") from None


def _dotted(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            raise ValueError(f"找不到字段 {path}")
        obj = obj[part]
    return obj


def from_jsonl(path: Path, target: str, s: SatisfactionSettings,
               on_error: Callable[[HotlineError], None]) -> list[tuple[Call, float]]:
    from hotline.formats.jsonfmt import call_from_obj

    out = []
    with path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"第 {n} 行"
            try:
                obj = json.loads(line)
                out.append((call_from_obj(obj, str(path), where, f"{path.stem}-{n}"), score_of(_dotted(obj, target), s)))
            except HotlineError as exc:
                on_error(exc)
            except (ValueError, RecursionError) as exc:
                on_error(CitizenError(str(exc) if isinstance(exc, ValueError) and not isinstance(exc, json.JSONDecodeError)
                                      else "不是合法的 JSON", source=str(path), location=where))
    return out


def from_scores(calls_path: Path, scores_path: Path, s: SatisfactionSettings,
                on_error: Callable[[HotlineError], None]) -> list[tuple[Call, float]]:
    """Calls read the usual way, joined with a results sheet by call id."""
    from hotline.formats import read_calls

    scores = _read_sheet(scores_path, s, on_error)
    out = []
    for call in read_calls(calls_path, on_error):
        if call.id in scores:
            out.append((call, scores.pop(call.id)))
    for missing in list(scores)[:20]:
        on_error(CitizenError(f"通话 {missing} 有回访结果，但通话文件里没有这通电话", source=str(scores_path)))
    return out


def _read_sheet(path: Path, s: SatisfactionSettings, on_error: Callable[[HotlineError], None]) -> dict[str, float]:
    rows = _rows(path)
    if not rows:
        raise CitizenError("回访结果表是空的", source=str(path))
    header = [str(h).strip() for h in rows[0]]
    id_col = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    score_col = next((header.index(c) for c in SCORE_COLUMNS if c in header), None)
    if id_col is None or score_col is None:
        raise CitizenError(f"回访结果表需要通话编号列（{'/'.join(ID_COLUMNS)}）和满意度列（{'/'.join(SCORE_COLUMNS)}）",
                           source=str(path), location="第 1 行")
    out: dict[str, float] = {}
    for n, row in enumerate(rows[1:], 2):
        try:
            out[str(row[id_col]).strip()] = score_of(row[score_col] if score_col < len(row) else None, s)
        except (ValueError, IndexError) as exc:
            on_error(CitizenError(str(exc), source=str(path), location=f"第 {n} 行"))
    return out


def _rows(path: Path) -> list[list[Any]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        return [list(r) for r in sheet.iter_rows(values_only=True)] if sheet is not None else []
    import csv

    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(encoding=encoding, newline="") as fh:
                return [r for r in csv.reader(fh) if r]
        except UnicodeDecodeError:
            continue
    raise CitizenError("无法识别回访结果表的编码（应为 UTF-8 或 GBK）", source=str(path))
