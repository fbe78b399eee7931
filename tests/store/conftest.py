"""Store fixtures: every test that takes ``engine`` runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hotline.store.db import make_engine, migrate, session_factory


def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the test cluster, dropped afterwards."""
    base = os.environ.get("HOTLINE_TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("CI 中必须提供 HOTLINE_TEST_POSTGRES_URL（由 make test 启动的临时 PostgreSQL 集群）")
        pytest.skip("未设置 HOTLINE_TEST_POSTGRES_URL，跳过 PostgreSQL")
    name = f"hotline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
        migrate(eng)
        yield eng
        eng.dispose()
        return
    gen = postgres_database()
    url = next(gen)
    eng = make_engine(url)
    migrate(eng)
    yield eng
    eng.dispose()
    next(gen, None)


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)
