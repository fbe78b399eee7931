"""The demo shows learning: lessons read, a quiz and an exam per trainee, drills with debriefs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.content import ContentError, data_path
from hotline.store.db import make_engine, migrate, session_factory
from hotline.store.demo import load_demo, load_spec
from hotline.store.models import Attempt, Drill, LessonProgress


def test_demo_trainees_have_progress_attempts_and_drills(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate(engine)
    factory = session_factory(engine)
    files = sorted(p for p in data_path("samples", "calls").iterdir())[:3]
    assert load_demo(factory, files=files).created
    spec = load_spec()
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(LessonProgress)) == sum(len(x.lessons) for x in spec.learning)
        kinds = sorted(db.scalars(select(Attempt.kind)))
        assert kinds.count("exam") == kinds.count("quiz") == len(spec.learning)
        drills = db.scalars(select(Drill)).all()
        assert len(drills) == sum(len(x.drills) for x in spec.learning)
        assert all(d.status == "done" and d.debrief["scorecard"]["findings"] is not None for d in drills)
        by_script = {d.seed: d.total for d in drills if d.scenario_id == "noise-square-dance"}
        assert len(by_script) == 1  # same scenario and seed, two scripts
        totals = sorted(d.total for d in drills if d.scenario_id == "noise-square-dance")
        assert totals[0] < totals[-1]  # the curt script scores lower than the standard one
        assert db.scalar(select(func.count()).where(Attempt.passed.is_(True))) >= 1
    engine.dispose()


def test_a_drill_naming_a_missing_script_is_a_clear_error(tmp_path):
    text = data_path("web", "demo.yaml").read_text(encoding="utf-8").replace("script: 生硬}", "script: 没有这个}", 1)
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match="demo.yaml.*没有这个"):
        load_spec(path)
