"""Excel export of the result list (Chinese headers; opens in Excel and WPS). Every sheet goes
through ``hotline.formats.sheets``: bold frozen header, filter, widths, formula-safe cells."""

from __future__ import annotations

from collections.abc import Sequence

from hotline.formats.sheets import DECIMAL, fit_columns, safe_cell
from hotline.formats.sheets import workbook_bytes as sheets_bytes
from hotline.masking import agent_suggestion, mask_text
from hotline.store.imports import caller_of
from hotline.store.models import User
from hotline.store.queries import ResultRow
from hotline.web.render import SEVERITY_LABELS, VERDICT_LABELS
from hotline.web.rules import rule_title

__all__ = ["XLSX", "safe_cell", "tables_workbook", "workbook_bytes"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULT_HEADERS = ["通话编号", "坐席工号", "坐席姓名", "通话日期", "来电号码", "总分", "一票否决", "引擎原始得分", "引擎一票否决",
                  "命中规则", "发现数", "已复核", "已推翻", "规则库版本"]
FINDING_HEADERS = ["通话编号", "规则编号", "规则名称", "维度", "严重程度", "轮次", "证据", "说明", "改进建议", "实际扣分",
                   "复核结论", "复核备注"]
NUMBER_FORMATS = {"总分": DECIMAL, "引擎原始得分": DECIMAL, "实际扣分": DECIMAL}


def workbook_bytes(rows: list[ResultRow], agents: dict[str, User], *, unmasked: bool) -> bytes:
    """Two sheets: 质检结果 (one row per call) and 质检发现 (one row per finding, with what it really
    took off the engine's score)."""
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
        taken = r.card.deductions()
        for f in r.card.findings:
            review = f.review
            findings.append([
                r.call.external_id, f.rule_id, rule_title(f.rule_id), f.dimension,
                SEVERITY_LABELS.get(f.severity, f.severity), "" if f.turn_index is None else f.turn_index + 1,
                show(f.evidence), show(f.message), agent_suggestion(f.suggestion, r.call.agent_code),
                taken.get(f.id, f.points),
                VERDICT_LABELS.get(review.verdict, "") if review else "未复核", review.note if review else "",
            ])
    return tables_workbook([("质检结果", RESULT_HEADERS, results), ("质检发现", FINDING_HEADERS, findings)])


def tables_workbook(tables: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]]) -> bytes:
    """One sheet per (title, headers, rows) table: bold frozen header, filter, columns sized to their
    content, every cell formula-safe (``hotline.formats.sheets``)."""
    return sheets_bytes((title, fit_columns(headers, rows, NUMBER_FORMATS), rows) for title, headers, rows in tables)
