"""The Alembic migrations create exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from hotline.store.db import ensure_migrated, make_engine, migrate
from hotline.store.models import Base


def test_migrations_match_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_every_model_table_exists(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrate_twice_is_harmless(engine):
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("INSERT INTO teams (name, created_at) VALUES ('二次迁移组', CURRENT_TIMESTAMP)"))
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    migrate(engine)
    ensure_migrated(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == version
        assert conn.execute(text("SELECT count(*) FROM teams WHERE name = '二次迁移组'")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


def test_sqlite_uses_wal(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    eng.dispose()


def test_unmigrated_database_is_refused_with_a_hint(tmp_path):
    import pytest

    from hotline.store.db import StoreError

    eng = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(StoreError, match="init-db"):
        ensure_migrated(eng)
    eng.dispose()


def test_bad_database_url_is_a_store_error():
    import pytest

    from hotline.store.db import StoreError

    with pytest.raises(StoreError, match="数据库地址"):
        make_engine("not a url at all")
