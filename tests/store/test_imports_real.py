"""Imports through the real readers and the default rulebook."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from hotline.content import data_path
from hotline.store.imports import create_batch, run_import
from hotline.store.models import Call, FindingRow, ImportBatch


def test_jsonl_with_a_bad_line_keeps_the_good_calls(factory, tmp_path: Path):
    good = '{"id": "j1", "meta": {"agent_id": "1024"}, "turns": [{"speaker": "agent", "text": "您好，请问有什么可以帮您？"}, {"speaker": "citizen", "text": "路灯坏了"}]}'
    path = tmp_path / "mixed.jsonl"
    path.write_text(good + "\n{not json\n" + good.replace("j1", "j2") + "\n", encoding="utf-8")
    with factory() as db:
        batch = create_batch(db, ["mixed.jsonl"], None)
        db.commit()
    run_import(factory, batch.id, [("mixed.jsonl", path)])
    with factory() as db:
        batch = db.get(ImportBatch, batch.id)
        assert batch.calls_ok == 2 and len(batch.errors) == 1
        assert batch.errors[0]["file"] == "mixed.jsonl" and batch.errors[0]["message"]
        calls = db.scalars(select(Call).order_by(Call.external_id)).all()
        assert [c.external_id for c in calls] == ["j1", "j2"]
        assert calls[0].scorecard.rulebook_version.version


def test_sample_calls_import_with_findings_at_their_spans(factory):
    folder = data_path("samples", "calls")
    files = [folder / "01_qianxin_exemplary.txt", folder / "09_zhandao_curt_agent.txt", folder / "10_yibao_informal_you.txt"]
    with factory() as db:
        batch = create_batch(db, [f.name for f in files], None)
        db.commit()
    run_import(factory, batch.id, [(f.name, f) for f in files])
    with factory() as db:
        batch = db.get(ImportBatch, batch.id)
        assert batch.errors == [] and batch.calls_ok == len(files), batch.errors
        for f in db.scalars(select(FindingRow).where(FindingRow.span_start.is_not(None))):
            turn = f.scorecard.call.turns[f.turn_index]
            assert 0 <= f.span_start < f.span_end <= len(turn["text"])
        assert db.scalar(select(func.count()).select_from(FindingRow)) > 0
