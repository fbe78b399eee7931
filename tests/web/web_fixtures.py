"""Web fixtures shared by tests/web and tests/web2 (each conftest imports them): a seeded database
built once per worker and copied for each test, a TestClient per test, and users for every role
(password ``web_helpers.PASSWORD``); argon2 runs at its lowest cost."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HOTLINE_ARGON2_TIME_COST", "1")
os.environ.setdefault("HOTLINE_ARGON2_MEMORY_KIB", "1024")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from web_helpers import Seed, seed_database, settings_for  # noqa: E402

from hotline.store.db import make_engine, migrate  # noqa: E402
from hotline.web.app import create_app  # noqa: E402


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seed]:
    path = tmp_path_factory.mktemp("web-template") / "seeded.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    seed = seed_database(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, seed


@pytest.fixture
def seed(seeded_template: tuple[Path, Seed]) -> Seed:
    return seeded_template[1]


@pytest.fixture
def web_engine(seeded_template: tuple[Path, Seed], tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "web.db"
    shutil.copy(seeded_template[0], path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def app(web_engine: Engine, tmp_path: Path):  # noqa: ANN201
    return create_app(settings_for(tmp_path), engine=web_engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app) as c:
        yield c
