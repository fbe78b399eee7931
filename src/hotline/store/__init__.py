"""Storage: SQLAlchemy models, repositories and Alembic migrations (SQLite default, PostgreSQL)."""

from hotline.store.db import (
    StoreError,
    data_dir,
    database_url,
    ensure_migrated,
    make_engine,
    migrate,
    session_factory,
)

__all__ = ["StoreError", "data_dir", "database_url", "ensure_migrated", "make_engine", "migrate", "session_factory"]
