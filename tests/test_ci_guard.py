"""Under CI a missing real part (espeak-ng, a codec, PostgreSQL, chromium) fails the run; on a
developer's machine it skips with the reason."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ci_guard import in_ci, missing

PG_CLUSTER = Path(__file__).parent / "store" / "pg_cluster.sh"


@pytest.mark.parametrize(("value", "ci"), [("true", True), ("1", True), ("TRUE", True), ("", False), ("false", False),
                                           ("0", False), (None, False)])
def test_what_counts_as_ci(monkeypatch: pytest.MonkeyPatch, value: str | None, ci: bool) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert in_ci() is ci


def test_missing_part_fails_under_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI 中不允许跳过：需要 espeak-ng"):
        missing("需要 espeak-ng")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="需要 espeak-ng"):
        missing("需要 espeak-ng")


@pytest.mark.parametrize(("ci", "code", "ran"), [("true", 1, False), ("", 0, True)])
def test_pg_cluster_without_postgresql(tmp_path: Path, ci: str, code: int, ran: bool) -> None:
    marker = tmp_path / "ran"
    env = {"PATH": "/usr/bin:/bin", "CI": ci, "HOTLINE_PG_BINDIR": str(tmp_path / "no-postgres")}
    done = subprocess.run(["bash", str(PG_CLUSTER), "touch", str(marker)], env=env, capture_output=True, text=True)
    assert done.returncode == code and marker.exists() is ran
    assert ("CI 中未找到 PostgreSQL" in done.stderr) is (not ran)
