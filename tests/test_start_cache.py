"""The start-up cache behind every YAML data file (``content.load_yaml_model``) and what it buys: a warm
``hotline inspect`` neither parses YAML nor imports PyYAML, and says exactly what a cold one says."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import Field

from hotline import cache, content
from hotline.content import Strict, load_yaml_model
from hotline.errors import ContentError

SAMPLE = content.data_path("samples", "calls", "01_qianxin_exemplary.txt")


class Thing(Strict):
    name: str
    size: int = Field(ge=0)


class Other(Strict):
    name: str
    size: int


@pytest.fixture
def parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The files parsed (a read-back parses none), with the cache in a folder of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    seen: list[str] = []
    read = content.read_yaml
    monkeypatch.setattr(content, "read_yaml", lambda path, error=ContentError: seen.append(Path(path).name)
                        or read(path, error))
    cache.package_fingerprint.cache_clear()
    yield seen
    cache.package_fingerprint.cache_clear()


def test_a_file_validated_once_is_read_back_until_it_changes(tmp_path: Path, parsed: list[str]) -> None:
    path = tmp_path / "thing.yaml"
    path.write_text("name: 甲\nsize: 1\n", encoding="utf-8")
    first = load_yaml_model(path, Thing)
    assert load_yaml_model(path, Thing) == first and parsed == ["thing.yaml"]
    path.write_text("name: 乙\nsize: 2\n", encoding="utf-8")
    assert load_yaml_model(path, Thing) == Thing(name="乙", size=2) and parsed == ["thing.yaml"] * 2


def test_each_model_of_a_file_is_its_own(tmp_path: Path, parsed: list[str]) -> None:
    path = tmp_path / "thing.yaml"
    path.write_text("name: 甲\nsize: 1\n", encoding="utf-8")
    assert isinstance(load_yaml_model(path, Thing), Thing)
    assert isinstance(load_yaml_model(path, Other), Other)
    assert parsed == ["thing.yaml"] * 2


def test_a_bad_file_is_an_error_every_time(tmp_path: Path, parsed: list[str]) -> None:
    path = tmp_path / "thing.yaml"
    path.write_text("name: 甲\nsize: -1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ContentError, match="thing.yaml.*size"):
            load_yaml_model(path, Thing)
    with pytest.raises(ContentError, match="文件不存在"):
        load_yaml_model(tmp_path / "missing.yaml", Thing)
    assert parsed == ["thing.yaml", "thing.yaml", "missing.yaml"]


WATCH = """
import sys
from pydantic import BaseModel
from hotline.cli import main
code = main(["inspect", sys.argv[1], "--format", "jsonl", "-o", sys.argv[2]])
def models(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from models(sub)
built = sorted({m.__qualname__ for m in models(BaseModel) if m.__module__.startswith("hotline") and m.__pydantic_complete__})
print(code, "yaml" in sys.modules, ",".join(built) or "-", file=sys.stderr)
"""


def _inspect(tmp_path: Path, out: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != cache.CACHE_ENV}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    done = subprocess.run([sys.executable, "-c", WATCH, str(SAMPLE), str(out)], env=env, capture_output=True,
                          text=True, check=True)
    return done.stderr.strip().splitlines()[-1]


def test_a_warm_inspect_reads_no_yaml_and_says_what_a_cold_one_says(tmp_path: Path) -> None:
    """…and builds no pydantic validator either (building one is milliseconds: a data model's default that is an
    instance of another, or a dump of a rule's matcher, would build them at every start)."""
    code, parsed_yaml, built = _inspect(tmp_path, tmp_path / "cold.jsonl").split()
    assert (code, parsed_yaml) == ("0", "True") and "Rulebook" in built.split(",")
    assert _inspect(tmp_path, tmp_path / "warm.jsonl") == "0 False -"
    assert (tmp_path / "warm.jsonl").read_bytes() == (tmp_path / "cold.jsonl").read_bytes()


FIRST_USE_IN_THREADS = """
import threading
from hotline.content import Strict
from hotline.norms.schema import Rulebook, RuleSpec
from hotline.norms.loader import _default_raw

raw = _default_raw()
assert not Rulebook.__pydantic_complete__  # built at its first use, not when it is imported
barrier, errors = threading.Barrier(8), []

def first_use():
    barrier.wait()
    try:
        Rulebook.model_validate(raw)
        RuleSpec.model_validate(raw["rules"][0])
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=first_use) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(errors)
"""


def test_data_models_built_at_first_use_are_built_once_for_threads_arriving_together() -> None:
    """Data models build their validators when first used (``defer_build``: a warm start reads them back
    without ever validating); the web's first requests may use one together, which pydantic>=2.14 locks."""
    done = subprocess.run([sys.executable, "-c", FIRST_USE_IN_THREADS], capture_output=True, text=True, check=True,
                          env={**os.environ, cache.CACHE_ENV: "0"})
    assert done.stdout.strip() == "[]"


def test_the_test_session_keeps_its_cache_out_of_the_users_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole session (conftest) caches in a temporary folder that its subprocesses inherit."""
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    session = Path(os.environ["HOTLINE_TEST_SESSION_CACHE"])
    assert os.environ["XDG_CACHE_HOME"] == str(session) and session.is_dir()
    assert cache.cache_dir() == session / "hotline"
    child = subprocess.run([sys.executable, "-c", "from hotline import cache; print(cache.cache_dir())"],
                           capture_output=True, text=True, check=True, env={**os.environ, cache.CACHE_ENV: "1"})
    assert child.stdout.strip() == str(session / "hotline")
    assert Path.home() not in session.parents
