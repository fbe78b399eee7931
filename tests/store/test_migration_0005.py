"""Migration 0005 up and down on SQLite and PostgreSQL: calls stored before get a triage level from
what their scorecards hold; going down keeps every call, scorecard and finding."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import inspect, text

from hotline.store.db import _alembic_config, migrate

OUTCOMES = [{"rule_id": "v", "dimension": "禁语", "status": "failed", "points": -20.0}]


def _old_rows(conn) -> None:  # noqa: ANN001
    conn.execute(text("INSERT INTO rulebook_versions (id, version, note, created_at) VALUES (1, 't', '', '2026-01-01')"))
    for cid, ext, total, vetoed in [(1, "old-vetoed", 0.0, True), (2, "old-fine", 98.0, False), (3, "old-low", 60.0, False)]:
        conn.execute(text("INSERT INTO calls (id, external_id, source, agent_code, turns, meta, created_at, caller_phone) VALUES "
                          "(:id, :ext, 'import', '1', '[]', '{}', '2026-01-01', '')"), {"id": cid, "ext": ext})
        conn.execute(text("INSERT INTO scorecards (id, call_id, rulebook_version_id, total, vetoed, dimensions, max_dimensions, "
                          "outcomes, created_at, engine_total, engine_vetoed) VALUES (:id, :id, 1, :t, :v, '{}', '{}', :o, "
                          "'2026-01-01', :t, :v)"), {"id": cid, "t": total, "v": vetoed, "o": json.dumps(OUTCOMES)})
    conn.execute(text("INSERT INTO findings (id, scorecard_id, rule_id, dimension, severity, evidence, message, suggestion, points, "
                      "veto) VALUES (1, 1, 'v', '禁语', 'critical', '', '', '', 20.0, :veto)"), {"veto": True})


def test_upgrade_triages_old_calls_and_downgrade_keeps_the_data(engine):
    # the fixture's database is at head: back to 0004 first
    command.downgrade(_alembic_config(engine), "0004")
    assert "review_level" not in {c["name"] for c in inspect(engine).get_columns("scorecards")}
    assert "calibration_sessions" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        _old_rows(conn)
    migrate(engine)
    with engine.connect() as conn:
        levels = dict(conn.execute(text("SELECT c.external_id, s.review_level FROM scorecards s JOIN calls c ON c.id = s.call_id")).all())
        reasons = conn.execute(text("SELECT review_reasons FROM scorecards WHERE id = 1")).scalar()
    assert levels["old-vetoed"] == "mandatory" and "一票否决" in (reasons if isinstance(reasons, list) else json.loads(reasons))
    assert levels["old-low"] == "sample"  # below the pass mark
    assert levels["old-fine"] in ("auto_pass", "sample")  # the fixed random sample may draw it
    command.downgrade(_alembic_config(engine), "0004")
    with engine.connect() as conn:
        counts = [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("calls", "scorecards", "findings")]
    assert counts == [3, 3, 1]
    migrate(engine)
    assert {"review_level", "citizen", "dissatisfaction"} <= {c["name"] for c in inspect(engine).get_columns("scorecards")}
