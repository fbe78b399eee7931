"""Reports an inspector can use: CSV and XLSX read back through csv and openpyxl, real deductions,
Chinese severities, one HTML marker per finding, recordings without words, and no spreadsheet cell
— in any writer of the CLI or the web — that would run as a formula."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hotline.content import data_path
from hotline.errors import FormatError
from hotline.formats import read_calls, sheets, writers
from hotline.formats.report import render_html
from hotline.inspect import default_engine
from hotline.inspect.scoring import TIMING_NOTICE
from hotline.labels import SEVERITY_LABELS
from hotline.model import Call, Speaker, Turn

ENGINE = default_engine()
RB = ENGINE.rulebook
INFO = writers.ReportInfo({r.id: r.title for r in RB.rules}, [d.name for d in RB.scoring.dimensions], RB.scoring.pass_mark)
SAMPLES = list(read_calls(data_path("samples", "calls")))
PAIRS = [(c, ENGINE.inspect(c)) for c in SAMPLES]
DANGEROUS = ['=HYPERLINK("http://x","点此")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_deductions_add_up_to_what_each_dimension_lost() -> None:
    capped = 0
    for _, card in PAIRS:
        taken = card.deductions()
        assert all(0 <= t <= f.points for t, f in zip(taken, card.findings, strict=True))
        for dim, got in card.dimensions.items():
            lost = sum(t for t, f in zip(taken, card.findings, strict=True) if f.dimension == dim)
            assert lost == pytest.approx(card.max_dimensions[dim] - got)
        capped += sum(f.points for f in card.findings) > sum(taken)
    assert capped, "some sample call must hit a rule's max_deduction"


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_one_row_per_call_and_a_findings_csv() -> None:
    calls_fh, findings_fh = io.StringIO(), io.StringIO()
    assert writers.write_csv(iter(PAIRS), calls_fh, INFO, findings_fh) == len(PAIRS)
    assert calls_fh.getvalue().startswith("\ufeff") and findings_fh.getvalue().startswith("\ufeff")
    rows = _csv_rows(calls_fh.getvalue())
    header, body = rows[0], rows[1:]
    assert [r[0] for r in body] == [c.id for c in SAMPLES]  # clean calls too
    col = {h: i for i, h in enumerate(header)}
    for row, (_, card) in zip(body, PAIRS, strict=True):
        assert float(row[col["总分"]]) == card.total
        assert float(row[col["实际扣分"]]) == pytest.approx(sum(card.deductions()))
        assert int(row[col["问题数"]]) == len(card.findings)
        assert row[col["结论"]] in ("合格", "不合格", "一票否决")
    found = _csv_rows(findings_fh.getvalue())
    assert len(found) - 1 == sum(len(card.findings) for _, card in PAIRS)
    assert {r[found[0].index("严重程度")] for r in found[1:]} <= set(SEVERITY_LABELS.values())
    by_call: dict[str, float] = {}
    for r in found[1:]:
        by_call[r[0]] = by_call.get(r[0], 0.0) + float(r[found[0].index("实际扣分")])
    for row in body:
        assert by_call.get(row[0], 0.0) == pytest.approx(float(row[col["实际扣分"]]))


def test_xlsx_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    rejected = [FormatError("JSON 语法错误：缺少逗号（,）", source="bad.jsonl", location="第 2 行")]
    assert writers.write_xlsx(iter(PAIRS), path, INFO, rejected) == len(PAIRS)
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "问题明细", "规则统计", "未导入记录"]
    for ws in wb:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
        assert all(c.font.b for c in ws[1])
    summary = wb["汇总"]
    head = [c.value for c in summary[1]]
    assert [r[0].value for r in summary.iter_rows(min_row=2)] == [c.id for c in SAMPLES]
    total = summary.cell(2, head.index("总分") + 1)
    assert isinstance(total.value, int | float) and total.number_format == "0.0"
    assert summary.column_dimensions["A"].width >= 20
    assert summary.cell(2, head.index("说明") + 1).alignment.wrap_text
    stats = wb["规则统计"]
    share = stats.cell(2, [c.value for c in stats[1]].index("涉及通话占比") + 1)
    assert 0 < share.value <= 1 and share.number_format == "0.0%"
    details = wb["问题明细"]
    severities = {r[4].value for r in details.iter_rows(min_row=2)}
    assert severities <= set(SEVERITY_LABELS.values()) and "major" not in severities
    assert [c.value for c in wb["未导入记录"][2]] == ["bad.jsonl", "第 2 行", "JSON 语法错误：缺少逗号（,）"]


def test_html_marks_each_finding_once() -> None:
    html = render_html(PAIRS, INFO.titles, INFO.pass_mark)
    sections = html.split('<section id="call-')[1:]
    for section, (_, card) in zip(sections, PAIRS, strict=True):
        transcript = section.split("<h3>质检发现")[0]
        marked = [f for f in card.findings if f.turn_index is not None and f.span and f.span[0] < f.span[1]]
        for i, f in enumerate(card.findings):
            expected = 1 if f in marked else 0
            assert transcript.count(f"<sup>[{i + 1}]</sup>") == expected, (card.call_id, f.rule_id)
    assert "一般" not in re.sub(r"<[^>]+>", "", html.split("<h3>质检发现")[1]).split("建议话术")[0]


def timing_only_call() -> Call:
    """A recording analysed without words: speech stretches with times, metrics from the audio."""
    turns = [Turn(Speaker.AGENT, "", 0.5, 4.0), Turn(Speaker.CITIZEN, "", 5.0, 9.0), Turn(Speaker.AGENT, "", 17.0, 20.0)]
    metrics = {"agent_loudness_dbfs": -20.0, "agent_clipping_ratio": 0.0, "citizen_speech_seconds": 4.0}
    return Call("rec-1", turns, {"metrics": metrics})


def test_a_recording_without_words_has_no_total_and_says_what_was_judged(tmp_path: Path) -> None:
    call = timing_only_call()
    card = ENGINE.inspect(call)
    assert card.total is None and card.scope == "timing" and card.notice == TIMING_NOTICE
    judged = {o.rule_id for o in card.outcomes if o.status != "na"}
    assert judged and all(r.startswith(("timing.", "audio.", "listen.interrupt")) for r in judged)
    assert list(card.dimensions) == ["时间与音量"] and card.findings  # 8 s of dead air
    row = writers.call_row(call, card, INFO)
    head = writers.call_headers(INFO)
    assert row[head.index("总分")] == "" and row[head.index("结论")] == "仅时间指标"
    assert TIMING_NOTICE in row[head.index("说明")]
    assert sum(card.deductions()) == pytest.approx(card.max_dimensions["时间与音量"] - card.dimensions["时间与音量"])
    html = render_html([(call, card)], INFO.titles, INFO.pass_mark)
    assert TIMING_NOTICE in html and "不评总分" in html
    record = writers.record(call, card)
    assert record["total"] is None and record["scope"] == "timing"


# ── spreadsheet safety: every writer ──────────────────────────────────────────
def _xlsx_cells(data: bytes | Path) -> list[Any]:
    wb = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    return [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]


def _formula_call() -> Call:
    return Call('=HYPERLINK("http://x","点此")', [Turn(Speaker.AGENT, "+您好，12345热线"), Turn(Speaker.CITIZEN, "-你快点说")],
                {"agent_id": "@1024", "date": "=TODAY()"})


def _cli_xlsx(tmp_path: Path) -> list[Any]:
    call = _formula_call()
    path = tmp_path / "x.xlsx"
    writers.write_xlsx(iter([(call, ENGINE.inspect(call))]), path, INFO)
    return _xlsx_cells(path)


def _cli_csv(tmp_path: Path) -> list[str]:
    call = _formula_call()
    a, b = io.StringIO(), io.StringIO()
    writers.write_csv(iter([(call, ENGINE.inspect(call))]), a, INFO, b)
    return [cell for fh in (a, b) for row in _csv_rows(fh.getvalue()) for cell in row]


def _web_tables(tmp_path: Path) -> list[Any]:
    from hotline.web.export import tables_workbook

    return _xlsx_cells(tables_workbook([("表", ["说明", "数"], [[d, i] for i, d in enumerate(DANGEROUS)])]))


def _workorder_xlsx(tmp_path: Path) -> list[Any]:
    from hotline.workorder.orders_io import write_xlsx

    path = tmp_path / "orders.xlsx"
    write_xlsx(path, {"工单": (["通话编号", "工单摘要"], [[d, d] for d in DANGEROUS])})
    return _xlsx_cells(path)


def _sheets_csv(tmp_path: Path) -> list[str]:
    fh = io.StringIO()
    sheets.write_csv(fh, ["说明"], [[d] for d in DANGEROUS])
    return [cell for row in _csv_rows(fh.getvalue()) for cell in row]


XLSX_WRITERS: dict[str, Callable[[Path], list[Any]]] = {
    "cli-xlsx": _cli_xlsx, "web-tables": _web_tables, "workorder-xlsx": _workorder_xlsx}
CSV_WRITERS: dict[str, Callable[[Path], list[str]]] = {"cli-csv": _cli_csv, "sheets-csv": _sheets_csv}


@pytest.mark.parametrize("writer", list(XLSX_WRITERS))
def test_xlsx_writers_neutralise_formulas(tmp_path: Path, writer: str) -> None:
    cells = XLSX_WRITERS[writer](tmp_path)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(sheets.FORMULA_STARTS)]
    assert any(t.startswith("'=") for t in texts) and any(t.startswith(("'+", "'-", "'@")) for t in texts)


@pytest.mark.parametrize("writer", list(CSV_WRITERS))
def test_csv_writers_neutralise_formulas(tmp_path: Path, writer: str) -> None:
    cells = CSV_WRITERS[writer](tmp_path)
    assert not [c for c in cells if c.startswith(sheets.FORMULA_STARTS)]
    assert any(c.startswith("'=") for c in cells)


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-", "'-"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("您好=1", "您好=1"), ("", ""), (-3.0, -3.0), (5, 5), (None, None),
])
def test_safe_cell(value: object, safe: object) -> None:
    assert sheets.safe_cell(value) == safe


def _odd_pairs() -> list[tuple[Call, Any]]:
    """Sample pairs beside variants the fast JSONL path must write as the standard one does: outcomes
    whose points are -0.0, 0.0, an int or NaN (one rule, one after the other), meta the standard encoder
    alone can write (an integer past 64 bits, non-string keys), meta nested deep."""
    call, card = PAIRS[0]
    rule = card.outcomes[0]
    out = []
    for points in (0.0, -0.0, 0.0, 3, float("nan"), 2.5, -0.0):
        outcomes = [dataclasses.replace(rule, points=points), *card.outcomes[1:]]
        out.append((call, dataclasses.replace(card, outcomes=outcomes)))
    deep: Any = "底"
    for _ in range(254):  # one level short of orjson's limit alone, at it inside a record
        deep = {"k": deep}
    for meta in ({"big": 2**70, "电话": "13800001111"}, {1: "一"}, {"deep": deep}, {"x": [1.5, None, True]}):
        out.append((Call(call.id, call.turns, meta), card))
    return out


def test_jsonl_lines_are_the_standard_encoding_of_each_record(tmp_path: Path) -> None:
    pairs = PAIRS + _odd_pairs()
    expected = "".join(writers.encode(writers.record(c, s)) + "\n" for c, s in pairs)
    assert '"points":-0.0' in expected and '"big": 1180591620717411303424' in expected  # the variants are in it
    text = io.StringIO()
    assert writers.write_jsonl(iter(pairs), text) == len(pairs)
    assert text.getvalue() == expected
    path = tmp_path / "out.jsonl"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("开头\n")  # text written before, still in the text layer, comes first
        writers.write_jsonl(iter(pairs), fh)
        fh.write("结尾\n")
    assert path.read_text(encoding="utf-8") == "开头\n" + expected + "结尾\n"


def test_each_outcome_is_written_as_itself_though_many_are_remembered() -> None:
    from hotline.model import RuleOutcome, Scorecard

    call = Call("o-1", [Turn(Speaker.AGENT, "您好")])
    for i in range(200):  # each outcome freed before the next is made: the allocator hands out the same places
        outcome = RuleOutcome(f"rule.{i}", "维度", "passed" if i % 3 else "na", float(i % 5))
        line = writers.record_json(call, Scorecard("o-1", 90.0, {}, [], "v", outcomes=[outcome]))
        assert line is not None
        assert line.decode() == writers.encode(writers.record(call, Scorecard("o-1", 90.0, {}, [], "v",
                                                                              outcomes=[outcome]))) + "\n"
        del outcome, line


def _deductions_as_min_max(findings: list[tuple[str, str, float]], outcomes: list[tuple[str, str, float]],
                           dimensions: dict[str, float], max_dimensions: dict[str, float],
                           single_dimension: bool) -> list[float]:
    """``real_deductions`` as first written, with ``min`` and ``max``: the reference its quicker form must equal."""
    remaining = {rule: -points for rule, status, points in outcomes if status == "failed"}
    lost = {d: max_dimensions.get(d, 0.0) - got for d, got in dimensions.items()}
    single = next(iter(dimensions)) if single_dimension and dimensions else None
    out = []
    for rule, dimension, points in findings:
        left = remaining.get(rule, points)
        take = min(points, max(0.0, left))
        remaining[rule] = left - take
        dim = single or dimension
        take = min(take, max(0.0, lost.get(dim, 0.0)))
        lost[dim] = lost.get(dim, 0.0) - take
        out.append(round(take, 2))
    return out


def test_real_deductions_are_what_min_and_max_give_odd_values_included() -> None:
    import random

    from hotline.model import Scorecard, real_deductions

    # floats, as declared (compiled by ``hotline.native``, the function reads an int as a float)
    values: list[float] = [0.0, -0.0, 1.0, 2.0, 1.5, 2.25, 3.0, -1.0, -2.0, float("nan"), 10.0, 0.3333, float("inf")]
    rng = random.Random(18)
    for _ in range(20000):
        rules, dims = [f"r{k}" for k in range(rng.randint(1, 4))], [f"d{k}" for k in range(rng.randint(1, 3))]
        findings = [(rng.choice(rules), rng.choice(dims), rng.choice(values)) for _ in range(rng.randint(0, 6))]
        outcomes = [(r, rng.choice(["failed", "passed", "na"]), rng.choice(values)) for r in rules if rng.random() < 0.8]
        dimensions = {d: rng.choice(values) for d in dims if rng.random() < 0.9}
        max_dimensions = {d: rng.choice(values) for d in dims if rng.random() < 0.9}
        single = rng.random() < 0.2
        want = _deductions_as_min_max(findings, outcomes, dimensions, max_dimensions, single)
        got = real_deductions(findings, outcomes, dimensions, max_dimensions, single)
        # the same values and signs (repr tells -0.0 from 0.0; NaN is 'nan')
        assert list(map(repr, got)) == list(map(repr, want)), (findings, outcomes, dimensions, max_dimensions, single)
    card = next(card for _, card in PAIRS if len(card.findings) > 2)
    assert card.deductions() == _deductions_as_min_max(
        [(f.rule_id, f.dimension, f.points) for f in card.findings], [(o.rule_id, o.status, o.points) for o in card.outcomes],
        card.dimensions, card.max_dimensions, card.scope != "full")
    assert Scorecard("x", 100.0, {}, [], "v").deductions() == []


def test_a_call_without_findings_takes_off_the_int_zero_in_the_csv() -> None:
    """「实际扣分」 of a call without findings is written 0, as sum([]) is, compiled too (a compiled sum of floats
    would start from 0.0 and write 0.0); with findings, their rounded sum."""
    head = writers.call_headers(INFO)
    clean = next((c, s) for c, s in PAIRS if not s.findings)
    cell = writers.call_row(*clean, INFO)[head.index("实际扣分")]
    assert cell == 0 and type(cell) is int
    found = next((c, s) for c, s in PAIRS if s.findings)
    cell = writers.call_row(*found, INFO)[head.index("实际扣分")]
    assert type(cell) is float and cell == round(sum(found[1].deductions()), 2)
