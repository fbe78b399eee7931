"""Fixtures for the drill trainer tests: the bundled library and the engines."""

from __future__ import annotations

import pytest

from hotline.simulate.engines import reading_engine, scoring_engine
from hotline.simulate.library import default_library


@pytest.fixture(scope="session")
def library():
    return default_library()


@pytest.fixture(scope="session")
def reader():
    return reading_engine()


@pytest.fixture(scope="session")
def engine():
    return scoring_engine()
