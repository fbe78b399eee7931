"""Store fixtures: every test that takes ``engine`` runs on SQLite and on PostgreSQL. Each test
gets a fresh database copied from one migrated template per worker (migrating is the slow part)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from pg_helpers import throwaway_database

# Cheap password hashing in tests; production keeps argon2's defaults.
os.environ.setdefault("HOTLINE_ARGON2_TIME_COST", "1")
os.environ.setdefault("HOTLINE_ARGON2_MEMORY_KIB", "1024")

from hotline.store.db import make_engine, migrate, session_factory  # noqa: E402


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    eng = make_engine(f"sqlite:///{path}")
    migrate(eng)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    with throwaway_database("hotline_tpl") as url:
        eng = make_engine(url)
        migrate(eng)
        eng.dispose()
        yield make_url(url).database or ""


def _postgres_copy(request: pytest.FixtureRequest) -> Iterator[str]:
    with throwaway_database("hotline_test", template=request.getfixturevalue("postgres_template")) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database."""
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    yield from _postgres_copy(request)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)
