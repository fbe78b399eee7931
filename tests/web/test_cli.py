"""``hotline web`` commands and the demo data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.cli import main
from hotline.content import data_path
from hotline.store.db import make_engine, migrate, session_factory
from hotline.store.demo import load_demo, load_spec
from hotline.store.models import Appeal, Call, Review, Role, User


def test_init_db_is_repeatable_and_create_user_works(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["web", "init-db", "--database-url", url]) == 0
    assert main(["web", "init-db", "--database-url", url]) == 0
    assert "数据库已就绪" in capsys.readouterr().out
    args = ["web", "create-user", "boss", "--role", "admin", "--name", "主任", "--password", "long-pass-1", "--database-url", url]
    assert main(args) == 0
    assert main(args) == 2
    assert "已被使用" in capsys.readouterr().err
    assert main(["web", "set-password", "boss", "--password", "other-pass-2", "--database-url", url]) == 0
    assert main(["web", "set-password", "ghost", "--password", "other-pass-2", "--database-url", url]) == 2


def test_commands_on_an_unmigrated_database_say_what_to_run(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert main(["web", "demo", "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert "hotline web init-db" in err and "Traceback" not in err


def test_demo_has_every_role_reviews_and_an_appeal_and_loads_once(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate(engine)
    factory = session_factory(engine)
    files = sorted(data_path("samples", "calls").glob("0[7-9]_*")) + sorted(data_path("samples", "calls").glob("1[0-2]_*"))
    first = load_demo(factory, files=files)
    assert first.created and first.calls == len(files) and first.errors == 0
    spec = load_spec()
    assert set(first.passwords) == {u.username for u in spec.users}
    assert {role for role, _ in first.passwords.values()} == {r.label for r in Role}
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Review)) == spec.reviews.count
        assert db.scalar(select(func.count()).select_from(Review).where(Review.verdict == "overturned")) == spec.reviews.count // spec.reviews.overturn_every
        assert db.scalar(select(func.count()).select_from(Appeal)) == 1
        trainee = db.scalar(select(User).where(User.username == spec.appeal.by))
        assert db.scalar(select(func.count()).select_from(Call).where(Call.agent_code == trainee.agent_code)) == 1
    again = load_demo(factory, files=files)
    assert not again.created and again.passwords == {}


@pytest.mark.parametrize("bad", ["teams: [一组]\nusers: []\nreviews: {reviewer: x, colour: red}\n"])
def test_demo_spec_errors_name_the_file(tmp_path, bad):
    from hotline.errors import ContentError

    path = tmp_path / "demo.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ContentError, match="demo.yaml.*colour"):
        load_spec(path)
