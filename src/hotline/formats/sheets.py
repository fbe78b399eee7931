"""Spreadsheets an inspector opens in Excel or WPS: every XLSX and CSV the product writes (CLI and web)
goes through here, so every one has a bold frozen header, a filter, sensible widths and number
formats — and no cell that the spreadsheet would run as a formula.

A cell that starts with ``= + - @`` (or a tab or carriage return) is a formula to Excel, WPS and
LibreOffice: a transcript line such as ``=HYPERLINK("http://…","点此")`` would become a live link in
the inspector's sheet. Such text is written with a leading apostrophe, as text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERCENT = "0.0%"
DECIMAL = "0.0"
MAX_WIDTH = 60
WRAP_OVER = 30  # columns whose text is longer than this wrap instead of stretching


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet cell that can never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float = 12
    number_format: str | None = None
    wrap: bool = False


def fit_columns(headers: Sequence[str], rows: Sequence[Sequence[Any]], formats: dict[str, str] | None = None,
                sample: int = 500) -> list[Column]:
    """Columns sized to their content (header and the first ``sample`` rows); long text wraps."""
    formats = formats or {}
    out = []
    for i, header in enumerate(headers):
        longest = max([_display_width(header) + 2, *(_display_width(r[i]) for r in rows[:sample] if i < len(r))])
        out.append(Column(header, max(8, min(MAX_WIDTH, longest + 2)), formats.get(header), longest > WRAP_OVER * 2))
    return out


def _display_width(value: Any) -> int:
    """Characters as a spreadsheet shows them: a Chinese character is about two Latin ones wide."""
    text = "" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def add_sheet(wb: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
    """Stream ``rows`` into a new sheet of a write-only workbook; the number of rows written."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    head = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=safe_cell(col.header))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        head.append(cell)
    ws.append(head)
    wrap = Alignment(wrap_text=True, vertical="top")
    styled = any(c.number_format or c.wrap for c in columns)
    n = 0
    for row in rows:
        if styled:
            ws.append([_cell(ws, v, columns[i] if i < len(columns) else None, wrap, WriteOnlyCell)
                       for i, v in enumerate(row)])
        else:
            ws.append(safe_row(row))
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(columns)))}{n + 1}"
    return n


def _cell(ws: Any, value: Any, col: Column | None, wrap: Any, cell_type: Any) -> Any:
    value = safe_cell(value)
    if col is None or (not col.wrap and not (col.number_format and isinstance(value, int | float))):
        return value
    cell = cell_type(ws, value=value)
    if col.number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = col.number_format
    if col.wrap:
        cell.alignment = wrap
    return cell


def workbook_bytes(tables: Iterable[tuple[str, Sequence[Column], Iterable[Sequence[Any]]]]) -> bytes:
    """A whole workbook in memory (the web's downloads), one sheet per table."""
    from io import BytesIO

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, columns, rows in tables:
        add_sheet(wb, title, columns, rows)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def write_csv(fh: IO[str], headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """CSV with a BOM (so Excel and WPS read the Chinese) and every cell neutralised; rows written."""
    fh.write("\ufeff")
    csv.writer(fh).writerow(safe_row(headers))
    return write_csv_rows(fh, rows)


def write_csv_rows(fh: IO[str], rows: Iterable[Sequence[Any]]) -> int:
    """Rows without the header (a part of a CSV that several processes write), every cell neutralised."""
    writer = csv.writer(fh)
    n = 0
    for row in rows:
        writer.writerow(safe_row(row))
        n += 1
    return n
