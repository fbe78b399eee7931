"""Throwaway PostgreSQL databases for the tests that run on PostgreSQL too (`make test` starts a
cluster and exports HOTLINE_TEST_POSTGRES_URL; under CI its absence is a failure, not a skip)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from ci_guard import missing


def postgres_base_url() -> str:
    base = os.environ.get("HOTLINE_TEST_POSTGRES_URL")
    if not base:
        missing("未设置 HOTLINE_TEST_POSTGRES_URL（由 make test 启动的临时 PostgreSQL 集群），跳过 PostgreSQL")
    return base


def admin_engine(base: str) -> Engine:
    return create_engine(base, isolation_level="AUTOCOMMIT")


@contextmanager
def throwaway_database(prefix: str, template: str | None = None) -> Iterator[str]:
    """Create a uniquely named database (optionally from ``template``), yield its URL, drop it after."""
    base = postgres_base_url()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = admin_engine(base)
    clause = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
