"""Database connection: SQLite file under the data directory by default (WAL on), PostgreSQL
through ``HOTLINE_DATABASE_URL``; schema changes only through the Alembic migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hotline.errors import HotlineError


class StoreError(HotlineError):
    """The database cannot be reached, is not migrated, or refused a change."""

    code = "E800"


def data_dir() -> Path:
    """Folder for the SQLite file and uploads: ``HOTLINE_DATA_DIR`` or ``./var``."""
    return Path(os.environ.get("HOTLINE_DATA_DIR") or "var").resolve()


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, ``HOTLINE_DATABASE_URL``, or SQLite under the data directory."""
    url = url or os.environ.get("HOTLINE_DATABASE_URL")
    if url:
        return url
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'hotline.db'}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url``; PostgreSQL URLs without a driver use psycopg 3."""
    raw = database_url(url)
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise StoreError(f"数据库地址格式不正确：{raw}", source="HOTLINE_DATABASE_URL") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


# Rows a batch must have added before its tables are analysed at its end. PostgreSQL's autovacuum
# analyses a table only when it next wakes up (every minute by default, later when it is busy); until
# then the planner plans for the row counts it last saw, and after a load of 20,000 calls the first
# result-list query took 59–90 s instead of 0.2 s. Smaller batches are left to autovacuum.
ANALYZE_AFTER_ROWS = 1000
# the tables an import of calls adds rows to
IMPORTED_TABLES = ("calls", "scorecards", "findings")


def analyze_after_bulk(db: Session, rows: int, tables: tuple[str, ...] = IMPORTED_TABLES) -> bool:
    """Refresh the query planner's statistics of ``tables`` when ``rows`` reach ``ANALYZE_AFTER_ROWS``
    (PostgreSQL and SQLite: ``ANALYZE``); commits. Whether it ran."""
    if rows < ANALYZE_AFTER_ROWS:
        return False
    for table in tables:
        db.execute(text(f'ANALYZE "{table}"'))
    db.commit()
    return True


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session committed on success and rolled back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("hotline.store").joinpath("migrations")))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (creates every table on an empty database)."""
    from alembic import command

    try:
        command.upgrade(_alembic_config(engine), revision)
    except OperationalError as exc:
        raise StoreError(f"无法连接或升级数据库：{exc.orig}", source=str(engine.url)) from None


def ensure_migrated(engine: Engine) -> None:
    """Refuse to serve a database that was never migrated, with the command that fixes it."""
    try:
        tables = set(inspect(engine).get_table_names())
    except OperationalError as exc:
        raise StoreError(f"无法连接数据库：{exc.orig}", source=str(engine.url)) from None
    if "alembic_version" not in tables:
        raise StoreError("数据库尚未初始化，请先运行 hotline web init-db", source=str(engine.url))
