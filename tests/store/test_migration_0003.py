"""Upgrading a database from before review-driven scores: the engine's score is kept and calls with
overturned findings get their score in force; callers' numbers become searchable."""

from __future__ import annotations

import json

from sqlalchemy import text

from hotline.store.db import make_engine, migrate

OUTCOMES = [{"rule_id": "v", "dimension": "禁语", "status": "failed", "points": -20.0},
            {"rule_id": "a", "dimension": "礼貌", "status": "failed", "points": -5.0}]


def test_upgrade_recomputes_reviewed_scores(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, username, display_name, password_hash, role, active, created_at) "
                          "VALUES (1, 'q', 'q', 'x', 'inspector', 1, '2026-01-01')"))
        conn.execute(text("INSERT INTO rulebook_versions (id, version, note, created_at) VALUES (1, 't', '', '2026-01-01')"))
        conn.execute(text("INSERT INTO calls (id, external_id, source, agent_code, turns, meta, created_at) VALUES "
                          "(1, 'c1', 'import', '1', '[]', :meta, '2026-01-01')"), {"meta": json.dumps({"caller_phone": "138-1234-5678"})})
        conn.execute(text("INSERT INTO scorecards (id, call_id, rulebook_version_id, total, vetoed, dimensions, max_dimensions, "
                          "outcomes, created_at) VALUES (1, 1, 1, 0.0, 1, :dims, :maxes, :outcomes, '2026-01-01')"),
                     {"dims": json.dumps({"禁语": 20.0, "礼貌": 15.0}), "maxes": json.dumps({"禁语": 40.0, "礼貌": 20.0}),
                      "outcomes": json.dumps(OUTCOMES)})
        for fid, rule, points, veto in [(1, "v", 20.0, 1), (2, "a", 5.0, 0)]:
            conn.execute(text("INSERT INTO findings (id, scorecard_id, rule_id, dimension, severity, evidence, message, suggestion, "
                              "points, veto) VALUES (:id, 1, :rule, '禁语', 'major', '', '', '', :points, :veto)"),
                         {"id": fid, "rule": rule, "points": points, "veto": veto})
        conn.execute(text("INSERT INTO reviews (id, finding_id, reviewer_id, verdict, note, created_at, updated_at) "
                          "VALUES (1, 1, 1, 'overturned', '', '2026-01-01', '2026-01-01')"))
    migrate(engine)
    with engine.connect() as conn:
        total, vetoed, engine_total, engine_vetoed = conn.execute(
            text("SELECT total, vetoed, engine_total, engine_vetoed FROM scorecards WHERE id = 1")).one()
        caller = conn.execute(text("SELECT caller_phone FROM calls WHERE id = 1")).scalar()
    assert (engine_total, bool(engine_vetoed)) == (0.0, True)
    assert not vetoed and total == 91.7
    assert caller == "13812345678"
    engine.dispose()
