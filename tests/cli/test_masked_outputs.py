"""Citizens' details masked in every output of ``hotline inspect`` (each format, one process and
``--jobs 2``), ``--unmask`` only with a named operator and then audited, 工单 tables masked while the
JSON 工单 record stays whole, spreadsheet cells still neutralised against formulas."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hotline.cli import cli
from hotline.masking import mask_text

PHONE, ID_NUMBER, ROOM = "13912345678", "110101199003074518", "幸福小区3栋2单元501室"
MASKED = ("139****5678", "110101********4518", "幸福小区*栋*单元***室")
GREETING = "您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"
CITIZEN = f"我的电话{PHONE}，身份证{ID_NUMBER}，住{ROOM}，楼下烧烤店太吵了。"
# the last agent turn is the evidence of the closing finding: every format shows it
RESTATE = f"电话{PHONE}，身份证{ID_NUMBER}，{ROOM}，对吗？"
FORMULA = f"=1+1 电话{PHONE}"
SUFFIX = {"table": ".txt", "json": ".json", "jsonl": ".jsonl", "csv": ".csv", "xlsx": ".xlsx", "html": ".html",
          "parquet": ""}


def _call(call_id: str, last: str) -> dict[str, Any]:
    return {"id": call_id, "meta": {"date": "2026-05-11", "agent_id": "1024", "caller": PHONE},
            "turns": [{"speaker": "agent", "text": GREETING}, {"speaker": "citizen", "text": CITIZEN},
                      {"speaker": "agent", "text": last}]}


@pytest.fixture
def calls(tmp_path: Path) -> Path:
    path = tmp_path / "calls.jsonl"
    lines = [json.dumps(_call("m1", RESTATE), ensure_ascii=False), json.dumps(_call("m2", FORMULA), ensure_ascii=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def written(out: Path, fmt: str) -> str:
    """Everything an output holds, as text: every file of it, spreadsheet cells and Parquet rows included."""
    if fmt == "parquet":
        from hotline.formats.parquet import read_dataset

        return json.dumps([read_dataset(out / name) for name in ("scorecards", "findings")], ensure_ascii=False)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        return json.dumps([list(ws.values) for ws in load_workbook(out).worksheets], ensure_ascii=False, default=str)
    files = [out, out.with_name(f"{out.stem}_问题明细.csv")] if fmt == "csv" else [out]
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    if fmt == "json" or fmt == "jsonl":
        text = json.dumps([json.loads(x) for x in text.splitlines() if x.strip()] if fmt == "jsonl" else json.loads(text),
                          ensure_ascii=False)
    if fmt == "table":  # a long cell folds onto the next lines of its column: read it without the layout
        text = re.sub(r"\s+", "", text)
    return text


def _inspect(args: list[str], env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["inspect", *args], env=env)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_every_format_masks_phone_id_and_address(calls: Path, tmp_path: Path, fmt: str, jobs: str) -> None:
    out = tmp_path / f"out{SUFFIX[fmt]}"
    result = _inspect([str(calls), "--format", fmt, "-o", str(out), "--jobs", jobs])
    assert result.exit_code == 0, result.output
    text = written(out, fmt)
    for raw in (PHONE, ID_NUMBER, ROOM):
        assert raw not in text, (fmt, raw)
    for masked in MASKED:
        assert masked in text, (fmt, masked)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_masked_jsonl_keeps_ids_rules_turns_and_spans(calls: Path, tmp_path: Path, jobs: str) -> None:
    """What score-calls and the data platform read is unchanged; spans still point at their evidence."""
    masked, whole = tmp_path / "masked.jsonl", tmp_path / "whole.jsonl"
    assert _inspect([str(calls), "-o", str(masked), "--jobs", jobs]).exit_code == 0
    result = _inspect([str(calls), "-o", str(whole), "--unmask", "--operator", "张质检"],
                      env={"HOTLINE_AUDIT_LOG": str(tmp_path / "audit.jsonl")})
    assert result.exit_code == 0, result.output
    a, b = ([json.loads(x) for x in p.read_text(encoding="utf-8").splitlines()] for p in (masked, whole))
    key = lambda r: [(f["rule_id"], f["turn_index"], f["span"], f["deduction"]) for f in r["findings"]]  # noqa: E731
    assert [(r["call_id"], r["total"], key(r)) for r in a] == [(r["call_id"], r["total"], key(r)) for r in b]
    assert a[0]["meta"]["caller"] == "139****5678" and b[0]["meta"]["caller"] == PHONE
    texts = [mask_text(t) for t in (GREETING, CITIZEN, RESTATE)]
    spans = [(f, g) for f, g in zip(a[0]["findings"], b[0]["findings"], strict=True) if f["span"]]
    assert spans
    for f, g in spans:  # the masked evidence is the masked turn at the same span, as long as the original
        (start, end), turn = f["span"], f["turn_index"]
        assert f["evidence"] == texts[turn][start:end] and len(f["evidence"]) == len(g["evidence"])
    restated = [f["evidence"] for f in a[0]["findings"] if f["rule_id"].startswith("closing.")]
    assert restated == [mask_text(RESTATE)]


@pytest.mark.parametrize(("fmt", "cell"), [("csv", "'=1+1 电话139****5678"), ("xlsx", "'=1+1 电话139****5678")])
def test_masked_cells_are_still_neutralised_against_formulas(calls: Path, tmp_path: Path, fmt: str, cell: str) -> None:
    out = tmp_path / f"out.{fmt}"
    assert _inspect([str(calls), "-o", str(out)]).exit_code == 0
    assert cell in written(out, fmt) and f'"{FORMULA[:4]}' not in written(out, fmt)


@pytest.mark.parametrize("env", [{}, {"HOTLINE_OPERATOR": " "}])
def test_unmask_without_an_operator_is_refused(calls: Path, tmp_path: Path, env: dict[str, str]) -> None:
    out, log = tmp_path / "out.jsonl", tmp_path / "audit.jsonl"
    result = _inspect([str(calls), "-o", str(out), "--unmask"], env={**env, "HOTLINE_AUDIT_LOG": str(log)})
    assert result.exit_code == 2
    assert "--operator" in result.output and "HOTLINE_OPERATOR" in result.output and "操作人" in result.output
    assert not out.exists() and not log.exists()


@pytest.mark.parametrize("how", ["option", "env"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_unmask_with_an_operator_writes_the_originals_and_an_audit_line(calls: Path, tmp_path: Path, how: str,
                                                                        jobs: str) -> None:
    out, log = tmp_path / "out.jsonl", tmp_path / "logs" / "audit.jsonl"
    env = {"HOTLINE_AUDIT_LOG": str(log), "HOTLINE_DATABASE_URL": ""}
    args = [str(calls), "-o", str(out), "--unmask", "--jobs", jobs]
    if how == "option":
        args += ["--operator", "张质检"]
    else:
        env["HOTLINE_OPERATOR"] = "张质检"
    result = _inspect(args, env=env)
    assert result.exit_code == 0, result.output
    assert PHONE in written(out, "jsonl") and ID_NUMBER in written(out, "jsonl")
    (entry,) = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert entry["operator"] == "张质检" and entry["command"] == "hotline inspect" and entry["calls"] == 2
    assert entry["input"] == [str(calls)] and entry["output"] == str(out) and entry["format"] == "jsonl"
    assert entry["time"].endswith("+08:00")  # Beijing time
    assert "审计日志" in result.stderr


def test_unmask_is_written_to_the_store_when_a_database_is_configured(calls: Path, tmp_path: Path) -> None:
    """With HOTLINE_DATABASE_URL, the operator must be a user whose role may unmask; the run is in audit_log."""
    from sqlalchemy import select

    from hotline.store.db import make_engine, migrate, session_factory
    from hotline.store.models import AuditEntry, User

    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as db:
        db.add_all([User(username="qa1", display_name="质检一", password_hash="x", role="inspector"),
                    User(username="t1", display_name="学员一", password_hash="x", role="trainee")])
        db.commit()
    env = {"HOTLINE_AUDIT_LOG": str(tmp_path / "audit.jsonl"), "HOTLINE_DATABASE_URL": url}
    out = tmp_path / "out.jsonl"
    for refused in ("t1", "nobody"):
        result = _inspect([str(calls), "-o", str(out), "--unmask", "--operator", refused], env=env)
        assert result.exit_code == 2 and refused in result.output and not out.exists()
    result = _inspect([str(calls), "-o", str(out), "--unmask", "--operator", "qa1"], env=env)
    assert result.exit_code == 0, result.output
    with session_factory(engine)() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "cli.unmask"))
        qa1 = db.scalar(select(User).where(User.username == "qa1"))
        assert entry is not None and qa1 is not None and entry.user_id == qa1.id
        assert entry.detail["calls"] == 2 and entry.detail["operator"] == "qa1" and entry.detail["output"] == str(out)
    engine.dispose()


def test_unmask_in_the_spark_command_needs_an_operator_too(calls: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["spark", "inspect", str(calls), "-o", str(tmp_path / "out"), "--unmask"],
                                env={"HOTLINE_AUDIT_LOG": str(tmp_path / "audit.jsonl")})
    assert result.exit_code == 2 and "--operator" in result.output


# ── 工单 ─────────────────────────────────────────────────────────────────────────────────────────
def test_workorder_table_and_excel_masked_json_record_whole(calls: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "orders.xlsx"
    table = CliRunner().invoke(cli, ["workorder", "extract", str(calls), "-o", str(out)])
    assert table.exit_code == 0, table.output
    cells = json.dumps([list(ws.values) for ws in load_workbook(out).worksheets], ensure_ascii=False)
    for shown in (re.sub(r"\s+", "", table.stdout), cells):
        assert PHONE not in shown and ID_NUMBER not in shown and "501室" not in shown
        assert "139****5678" in shown and "110101********4518" in shown
    record = CliRunner().invoke(cli, ["workorder", "extract", str(calls), "--format", "json"])
    orders = [r["order"] for r in json.loads(record.stdout)]
    assert orders[0]["phone"] == PHONE and orders[0]["id_number"] == ID_NUMBER and "501" in orders[0]["address"]["detail"]


@pytest.mark.parametrize(("phone", "masked"), [("13912345678", "139****5678"), ("62345678", "****5678"),
                                               ("转 8021", "转 8021"), ("", "")])
def test_order_phone_masked_even_when_it_does_not_look_like_a_mobile(phone: str, masked: str) -> None:
    from hotline.masking import mask_order
    from hotline.model import WorkOrder

    assert mask_order(WorkOrder(phone=phone)).phone == masked
