import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # shared helpers (pg_helpers)
sys.path.insert(0, str(Path(__file__).parent / "inspect"))
# tests run in parallel worker processes: one maths thread each, as the product's batch paths do
os.environ.setdefault("OMP_NUM_THREADS", "1")

# ── the start-up cache of the whole session in a folder of its own, never the user's ~/.cache/hotline ──
# Set here, when pytest loads this file and before any test module imports hotline; xdist workers and the
# subprocesses of tests inherit it (a worker finds SESSION_CACHE set by the run that started it). A test
# that needs a cache of its own still points XDG_CACHE_HOME elsewhere with monkeypatch.
SESSION_CACHE = "HOTLINE_TEST_SESSION_CACHE"
_OWN_CACHE = SESSION_CACHE not in os.environ
if _OWN_CACHE:
    os.environ[SESSION_CACHE] = tempfile.mkdtemp(prefix="hotline-test-cache-")
os.environ["XDG_CACHE_HOME"] = os.environ[SESSION_CACHE]
# the build's start-up cache (``hotline.cache.SEED``) passed over: a first start in a test builds its caches as a
# user's first start without a built package does (tests/test_cache_seed_s38.py turns it back on)
os.environ["HOTLINE_CACHE_SEED"] = "0"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _OWN_CACHE:
        shutil.rmtree(os.environ.pop(SESSION_CACHE), ignore_errors=True)


# ── rule coverage: every rule of the default rulebook seen both failing and passing ──────────────
# The rule tables (tests/inspect/test_rules_*.py, and tests/workorder/test_wo_checks.py for the 工单 rules) record the outcome of every rule of every call they
# judge; the outcomes travel on the test reports (so this works across xdist workers) and are checked
# at the end of a run that included tests/inspect/test_rule_coverage.py.
RULE_TABLES = ("test_rules_", "test_wo_checks")
_OUTCOMES: dict[str, set[str]] = {}
_COVERAGE_ASKED: list[bool] = []


@pytest.fixture(autouse=True)
def _record_rule_outcomes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    if not Path(str(request.node.fspath)).name.startswith(RULE_TABLES):
        yield
        return
    from hotline.inspect.engine import Engine

    seen: set[tuple[str, str]] = set()
    # the public entry points, called from the tests' Python: a compiled engine calls its own methods directly
    inspect, inspect_batch = Engine.inspect, Engine.inspect_batch

    def one(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        card = inspect(self, *args, **kwargs)
        seen.update((o.rule_id, o.status) for o in card.outcomes)
        return card

    def many(self, calls):  # noqa: ANN001, ANN202
        cards = inspect_batch(self, calls)
        seen.update((o.rule_id, o.status) for card in cards for o in card.outcomes)
        return cards

    monkeypatch.setattr(Engine, "inspect", one)
    monkeypatch.setattr(Engine, "inspect_batch", many)
    yield
    request.node.user_properties.append(("rule_outcomes", sorted(seen)))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name == "rule_outcomes":
            for rule, status in value:
                _OUTCOMES.setdefault(rule, set()).add(status)
        elif name == "rule_coverage_asked":
            _COVERAGE_ASKED.append(True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput") or not _COVERAGE_ASKED:
        return
    from hotline.inspect import default_engine

    engine = default_engine()
    kinds = {r.id: r.kind for r in engine.rulebook.rules}
    # a rule that awards points is seen awarding and not; every other rule failing and passing
    missing = [r for r in engine.rule_ids()
               if not ({"awarded", "passed"} if kinds.get(r) == "award" else {"failed", "passed"}) <= _OUTCOMES.get(r, set())]
    if missing:
        writer = session.config.get_terminal_writer()
        writer.line("规则表没有覆盖（每条规则都要在规则表测试里既判违规又判通过）：", red=True)
        for rule in missing:
            writer.line(f"  {rule}: 见到 {sorted(_OUTCOMES.get(rule, set())) or '无'}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
