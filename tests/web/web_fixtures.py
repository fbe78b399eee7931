"""Web fixtures shared by tests/web and tests/web2 (each conftest imports them): a seeded database
built once per worker and copied for each test, a TestClient per test, and users for every role
(password ``web_helpers.PASSWORD``); argon2 runs at its lowest cost."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("HOTLINE_ARGON2_TIME_COST", "1")
os.environ.setdefault("HOTLINE_ARGON2_MEMORY_KIB", "1024")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from web_helpers import PASSWORD, Seed, seed_database, settings_for  # noqa: E402

from ci_guard import missing  # noqa: E402
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


# ── browser tests (tests/web/test_browser.py, tests/web2/test_browser2.py) ──
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@contextmanager
def running(app) -> Iterator[str]:  # noqa: ANN001
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yields the base URL. What the product's
    start-up warms in the background (``_warm_engine``; the tests' settings turn that thread off) is loaded first,
    here and at once: a page's first 工单 suggestion or inspection would otherwise load it inside a page's wait,
    which a loaded machine can outlast."""
    import socket
    import threading
    import time

    import uvicorn

    from hotline.web.app import _warm_engine

    _warm_engine()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    """Debian's chromium through Playwright (never Playwright's own browser download)."""
    if not Path(CHROMIUM).exists():
        missing("未安装 /usr/bin/chromium（apt install chromium chromium-driver，make test 会安装）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def browser_log_in(page, username: str, password: str = PASSWORD) -> None:  # noqa: ANN001
    """Log in through the login form in a Playwright page and wait for the top navigation."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("header.top nav")
