"""The drill score table: every scenario played by a trainee who does nothing, one who hangs up after the
first answer, a rude one and the model answer (with its 工单). Doing nothing or hanging up never passes —
the goals the call did not reach fail (not N/A) — and model answers score 90 or more.
``scripts/drill_scores.py`` prints the distribution for the report."""

from __future__ import annotations

import pytest

from hotline.simulate.library import default_library
from hotline.simulate.model_answer import play_script

LIB = default_library()
PASS_MARK = 80
CASES = [(sid, name) for sid in LIB.ids() for name in ("do_nothing", "hang_up_early", "rude", "model_answer")]


@pytest.mark.parametrize(("scenario_id", "script"), CASES, ids=[f"{s}-{n}" for s, n in CASES])
def test_scores_reflect_what_the_call_achieved(scenario_id, script, engine, reader):
    d = play_script(scenario_id, script, library=LIB, engine=engine, reader=reader)
    total = d.scorecard.total
    if script == "model_answer":
        assert total >= 90 and not d.scorecard.vetoed, [f.message for f in d.scorecard.findings]
        assert all(g.ok for g in d.goals), [g for g in d.goals if not g.ok]
        return
    assert total < PASS_MARK, (scenario_id, script, total)
    missed = [g for g in d.goals if not g.ok]
    assert missed and all(g.reasons for g in missed)  # each unmet goal says why
    if script in ("do_nothing", "hang_up_early"):
        status = {o.rule_id: o.status for o in d.scorecard.outcomes}
        for goal in missed:  # the goal's rules failed: nothing that was not reached is left N/A
            judged = [r for r in status if r.startswith(f"goal.{goal.name}.")]
            assert all(status[r] == "failed" for r in judged), (goal.name, {r: status[r] for r in judged})
