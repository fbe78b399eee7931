"""Reading labelled past orders (CSV in UTF-8/GBK/GB18030, or XLSX) for training and evaluation.
Bad rows are skipped and reported with their line number; good rows are used."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from hotline.workorder.schema import WorkOrderError

TEXT_COLUMNS = ("subject", "标题", "留言主题", "主题", "text", "内容", "诉求内容", "来电内容", "摘要", "summary",
                "detail", "留言详情", "详情", "问题描述")
LABEL_COLUMNS = ("label", "category", "事项分类", "分类", "类别", "一级分类")
TYPE_COLUMNS = ("request_type", "诉求类型", "类型")


@dataclass
class LabelledData:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    request_types: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    text_columns: list[str] = field(default_factory=list)
    label_column: str = ""


def _decode(raw: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise WorkOrderError("无法识别文件编码（应为 UTF-8 或 GBK/GB18030）", source=str(path))


def read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) rows of a CSV or XLSX file."""
    if not path.is_file():
        raise WorkOrderError("文件不存在", source=str(path))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    text = _decode(path.read_bytes(), path)
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise WorkOrderError(f"CSV 格式错误：{exc}", source=str(path)) from None
    if not rows:
        raise WorkOrderError("文件为空", source=str(path))
    return [h.strip() for h in rows[0]], [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]


def _read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        ws = load_workbook(path, read_only=True, data_only=True).active
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise WorkOrderError(f"无法读取 Excel 文件（{type(exc).__name__}）", source=str(path)) from None
    rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    if not rows:
        raise WorkOrderError("工作表为空", source=str(path))
    return [h.strip() for h in rows[0]], [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]


def _pick(header: list[str], wanted: str | None, names: tuple[str, ...], what: str, path: Path) -> list[str]:
    if wanted:
        cols = [c.strip() for c in wanted.split(",")]
        missing = [c for c in cols if c not in header]
        if missing:
            raise WorkOrderError(f"找不到{what}列：{'、'.join(missing)}（表头：{'、'.join(header)}）", source=str(path))
        return cols
    found = [n for n in names if n in header]
    if not found:
        raise WorkOrderError(f"找不到{what}列（可用 {'、'.join(names[:6])} 等列名，或用选项指定）", source=str(path))
    return found


def read_labelled(path: Path, text_col: str | None = None, label_col: str | None = None) -> LabelledData:
    """Texts and category labels from a file of past orders or messages."""
    header, rows = read_table(path)
    text_cols = _pick(header, text_col, TEXT_COLUMNS, "文本", path)
    label = _pick(header, label_col, LABEL_COLUMNS, "分类", path)[0]
    type_col = next((c for c in TYPE_COLUMNS if c in header), None)
    data = LabelledData(text_columns=text_cols, label_column=label)
    idx = {h: i for i, h in enumerate(header)}
    for line, cells in rows:
        text = "。".join(v for v in (_cell(cells, idx, c) for c in text_cols) if v)
        lab = _cell(cells, idx, label)
        if not text or not lab:
            data.problems.append(f"第 {line} 行：{'文本为空' if not text else '分类为空'}，已跳过")
            continue
        data.texts.append(text)
        data.labels.append(lab)
        data.request_types.append(_cell(cells, idx, type_col) if type_col else "")
        data.rows.append(line)
    if not data.texts:
        raise WorkOrderError("没有可用的数据行", source=str(path))
    return data


def _cell(cells: list[str], idx: dict[str, int], column: str) -> str:
    i = idx[column]
    return cells[i].strip() if i < len(cells) else ""
