"""Excel export of the result list (Chinese headers; opens in Excel and WPS)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hotline.store.imports import caller_of
from hotline.store.models import User
from hotline.store.queries import ResultRow
from hotline.web.masking import agent_suggestion, mask_text
from hotline.web.render import SEVERITY_LABELS, VERDICT_LABELS
from hotline.web.rules import rule_title

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULT_HEADERS = ["通话编号", "坐席工号", "坐席姓名", "通话日期", "来电号码", "总分", "一票否决", "引擎原始得分", "引擎一票否决",
                  "命中规则", "发现数", "已复核", "已推翻", "规则库版本"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is kept as text (leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
FINDING_HEADERS = ["通话编号", "规则编号", "规则名称", "维度", "严重程度", "轮次", "证据", "说明", "改进建议", "扣分", "复核结论", "复核备注"]


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[object]]) -> None:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(header) * 2 + 4)
    head = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        head.append(cell)
    ws.append(head)
    for row in rows:
        ws.append([safe_cell(v) for v in row])


def workbook_bytes(rows: list[ResultRow], agents: dict[str, User], *, unmasked: bool) -> bytes:
    """Two sheets: 质检结果 (one row per call) and 质检发现 (one row per finding)."""
    show = (lambda s: s) if unmasked else mask_text
    results, findings = [], []
    for r in rows:
        agent = agents.get(r.call.agent_code)
        reviewed = sum(1 for f in r.card.findings if f.review is not None)
        overturned = sum(1 for f in r.card.findings if f.review is not None and f.review.verdict == "overturned")
        standing = {f.rule_id for f in r.card.findings if f.review is None or f.review.verdict != "overturned"}
        results.append([
            r.call.external_id, r.call.agent_code, agent.display_name if agent else "",
            r.call.call_date.isoformat() if r.call.call_date else "", show(caller_of(r.call.meta)), r.card.total,
            "是" if r.card.vetoed else "否", r.card.original_total, "是" if r.card.original_vetoed else "否",
            "、".join(sorted({rule_title(x) for x in standing})), len(r.card.findings), reviewed, overturned,
            r.card.rulebook_version.version,
        ])
        for f in r.card.findings:
            review = f.review
            findings.append([
                r.call.external_id, f.rule_id, rule_title(f.rule_id), f.dimension,
                SEVERITY_LABELS.get(f.severity, f.severity), "" if f.turn_index is None else f.turn_index + 1,
                show(f.evidence), show(f.message), agent_suggestion(f.suggestion, r.call.agent_code), f.points,
                VERDICT_LABELS.get(review.verdict, "") if review else "未复核", review.note if review else "",
            ])
    wb = Workbook(write_only=True)  # streams rows: about twice as fast, a fraction of the memory
    _sheet(wb, "质检结果", RESULT_HEADERS, results)
    _sheet(wb, "质检发现", FINDING_HEADERS, findings)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def tables_workbook(tables: list[tuple[str, list[str], list[list[object]]]]) -> bytes:
    """One sheet per (title, headers, rows) table, Chinese headers in bold, header row frozen."""
    wb = Workbook(write_only=True)
    for title, headers, rows in tables:
        _sheet(wb, title, headers, rows)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
