"""The citizen block and the review triage reach every output: JSONL, CSV, XLSX and the HTML report."""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotline.cli import cli

CALL = """坐席：您好，12345政务服务便民热线，工号1002为您服务，请问有什么可以帮您？
市民：你好，我想问一下小区门口的路灯坏了找哪里修。
坐席：这个不归我们管，你自己找物业去。
市民：什么态度啊你！我找了物业没人理才打的！
坐席：那我也没办法。
市民：我要投诉你！你工号多少！我还要找记者曝光你们！
"""


@pytest.fixture(scope="module")
def call_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("out") / "rude.txt"
    path.write_text(CALL, encoding="utf-8")
    return path


def inspect(call_file: Path, fmt: str, out: Path) -> None:
    result = CliRunner().invoke(cli, ["inspect", str(call_file), "--format", fmt, "-o", str(out)])
    assert result.exit_code in (0, 1), result.output


def test_jsonl(call_file: Path, tmp_path: Path) -> None:
    inspect(call_file, "jsonl", tmp_path / "a.jsonl")
    rec = json.loads((tmp_path / "a.jsonl").read_text(encoding="utf-8"))
    assert rec["review"]["level"] == "mandatory"
    c = rec["citizen"]
    assert c["escalated"] is True and c["end"] >= 0.6 > 0.3 > c["start"]
    assert {"投诉坐席", "媒体"} <= {e["kind"] for e in c["escalation"]}
    assert [t for t, _ in c["anger"]] == [1, 3, 5]


def test_csv_and_xlsx_columns(call_file: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    inspect(call_file, "csv", tmp_path / "a.csv")
    with (tmp_path / "a.csv").open(encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert row["复核分流"] == "必须复核" and "升级风险" in row["分流原因"]
    assert row["情绪走势"] == "情绪升级"
    assert "投诉坐席" in row["升级风险"] and "媒体" in row["升级风险"]
    start, peak, end = (float(x) for x in row["市民情绪（开始/峰值/结束）"].split("/"))
    assert start < 0.3 and end >= 0.6
    inspect(call_file, "xlsx", tmp_path / "a.xlsx")
    sheet = load_workbook(tmp_path / "a.xlsx", read_only=True)["汇总"]
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    cells = dict(zip(header, first, strict=True))
    assert cells["复核分流"] == "必须复核" and 0 <= cells["预测不满意"] <= 1


def test_html_report(call_file: Path, tmp_path: Path) -> None:
    inspect(call_file, "html", tmp_path / "a.html")
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "复核分流：<b>必须复核</b>" in page
    assert "通话中情绪升级" in page and "升级风险" in page
    assert page.count('class="mood"') == 3  # one per citizen turn


def test_terminal_table(call_file: Path) -> None:
    result = CliRunner().invoke(cli, ["inspect", str(call_file)])
    assert "复核：必须复核（" in result.output and "升级风险（投诉坐席、媒体）" in result.output
    assert "，情绪升级" in result.output
    assert "复核分流：必须复核 1 通、抽检 0 通、自动通过 0 通" in result.output


def test_a_model_that_cannot_be_read_is_said_once_in_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """Without its dissatisfaction model the block still works, and the log says why (logging is loaded then)."""
    from hotline.citizen import block

    monkeypatch.setenv("HOTLINE_CITIZEN_MODEL", str(tmp_path))  # a folder holding no model
    with caplog.at_level("WARNING", logger="hotline.citizen"):
        assert block._load() is None
    assert "不满意预测不可用" in caplog.text and "没有找到不满意预测模型" in caplog.text
