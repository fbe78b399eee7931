"""Fixtures of the engine's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline import cache


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A start-up cache folder of the test's own, the cache on, the package's fingerprint computed afresh."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    cache.package_fingerprint.cache_clear()
    yield
    cache.package_fingerprint.cache_clear()
