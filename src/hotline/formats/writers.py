"""Writing scorecards: JSON, JSONL (streamed), CSV (UTF-8 with BOM so Excel/WPS shows Chinese) and XLSX."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from hotline.model import Call, Finding, Scorecard, Speaker

SEVERITY_LABELS = {"info": "提示", "minor": "轻微", "major": "一般", "critical": "严重"}
FINDING_HEADERS = ["通话ID", "规则ID", "规则", "维度", "严重程度", "扣分", "一票否决", "话轮", "说话人", "证据", "说明", "建议话术"]

Pair = tuple[Call, Scorecard]


def record(call: Call, card: Scorecard) -> dict[str, Any]:
    """One JSON record per call: the scorecard plus the call's id and metadata."""
    out = card.to_dict()
    out["meta"] = call.meta
    return out


def write_jsonl(pairs: Iterable[Pair], fh: IO[str]) -> int:
    n = 0
    for call, card in pairs:
        fh.write(json.dumps(record(call, card), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_json(pairs: Iterable[Pair], fh: IO[str]) -> int:
    items = [record(c, s) for c, s in pairs]
    json.dump(items, fh, ensure_ascii=False, indent=2)
    fh.write("\n")
    return len(items)


def finding_row(call: Call, f: Finding, titles: dict[str, str]) -> list[Any]:
    speaker = ""
    if f.turn_index is not None and f.turn_index < len(call.turns):
        speaker = "坐席" if call.turns[f.turn_index].speaker is Speaker.AGENT else "市民"
    return [
        call.id, f.rule_id, titles.get(f.rule_id, ""), f.dimension, SEVERITY_LABELS[f.severity.value],
        f.points, "是" if f.veto else "", "" if f.turn_index is None else f.turn_index + 1, speaker,
        f.evidence, f.message, f.suggestion,
    ]


def write_csv(pairs: Iterable[Pair], fh: IO[str], titles: dict[str, str]) -> int:
    fh.write("\ufeff")
    writer = csv.writer(fh)
    writer.writerow(FINDING_HEADERS)
    n = 0
    for call, card in pairs:
        for f in card.findings:
            writer.writerow(finding_row(call, f, titles))
        n += 1
    return n


def summary_headers(dimensions: list[str]) -> list[str]:
    return ["通话ID", "坐席工号", "日期", "总分", "一票否决", *dimensions, "问题数"]


def summary_row(call: Call, card: Scorecard, dimensions: list[str]) -> list[Any]:
    meta = call.meta
    dims = [card.dimensions.get(d, "不适用") for d in dimensions]
    return [call.id, str(meta.get("agent_id", "")), str(meta.get("date", "")), card.total,
            "是" if card.vetoed else "", *dims, len(card.findings)]


def write_xlsx(pairs: Iterable[Pair], path: Path, titles: dict[str, str], dimensions: list[str]) -> int:
    """汇总 / 问题明细 / 规则统计 sheets, streamed with openpyxl's write-only mode."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    summary, details = wb.create_sheet("汇总"), wb.create_sheet("问题明细")
    for sheet, headers in ((summary, summary_headers(dimensions)), (details, FINDING_HEADERS)):
        sheet.freeze_panes = "A2"
        for i, h in enumerate(headers):
            sheet.column_dimensions[_col(i)].width = max(10, min(40, len(h) * 3))
        sheet.append(headers)
    counts: Counter[str] = Counter()
    failed_calls: Counter[str] = Counter()
    n = 0
    for call, card in pairs:
        summary.append(summary_row(call, card, dimensions))
        for f in card.findings:
            details.append(finding_row(call, f, titles))
            counts[f.rule_id] += 1
        for rule_id in {f.rule_id for f in card.findings}:
            failed_calls[rule_id] += 1
        n += 1
    stats = wb.create_sheet("规则统计")
    stats.append(["规则ID", "规则", "命中次数", "涉及通话数", "涉及通话占比"])
    for rule_id, count in counts.most_common():
        stats.append([rule_id, titles.get(rule_id, ""), count, failed_calls[rule_id],
                      round(failed_calls[rule_id] / n, 4) if n else 0])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return n


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(i + 1))


def tee(pairs: Iterable[Pair], sink: list[Pair]) -> Iterator[Pair]:
    for p in pairs:
        sink.append(p)
        yield p
