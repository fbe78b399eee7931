"""The start-up cache of validated rulebooks: read back only while everything it was built from is unchanged,
and never a problem for the user when it is missing, damaged, someone else's or cannot be written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pydantic
import pytest

from hotline import cache, native
from hotline.content import data_path
from hotline.errors import RulebookError
from hotline.norms import loader
from hotline.norms.schema import Rulebook

CITY = """extends: default
version: city-1
lexicon_additions:
  forbidden: [不归我管城市版]
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    return tmp_path / "xdg" / "hotline"


@pytest.fixture(autouse=True)
def _fresh_fingerprint() -> Iterator[None]:
    """The package's fingerprint is computed once per process: these tests change what it covers."""
    cache.package_fingerprint.cache_clear()
    yield
    cache.package_fingerprint.cache_clear()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The validations that ran (a cache hit runs none)."""
    ran: list[str] = []
    default, city = loader._validated_default, loader._validated_city
    monkeypatch.setattr(loader, "_validated_default", lambda: ran.append("default") or default())
    monkeypatch.setattr(loader, "_validated_city", lambda path: ran.append(path.name) or city(path))
    return ran


def _default() -> Rulebook:
    return loader.load_default.__wrapped__()  # past the per-process memo, to the cache


def test_a_second_start_reads_the_rulebook_back(folder: Path, builds: list[str]) -> None:
    cold = _default()
    warm = _default()
    assert builds == ["default"]
    assert warm == cold and warm is not cold


def test_the_engine_judges_the_samples_as_recorded_from_a_rulebook_read_back(folder: Path, builds: list[str]) -> None:
    import importlib.util

    from hotline.inspect import Engine

    script = Path(__file__).resolve().parents[2] / "scripts" / "engine_record.py"
    spec = importlib.util.spec_from_file_location("engine_record_cache", script)
    assert spec is not None and spec.loader is not None
    record = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(record)
    recorded = json.loads(record.RECORDING.read_text(encoding="utf-8"))
    _default()
    engine = Engine(_default().model_copy(update={"settings": _default().settings.model_copy(update={"semantic": False})}))
    assert builds == ["default"]
    got = dict(record.cases(engine, "sample"))
    assert got and all(recorded[k] == v for k, v in got.items())


def test_a_changed_city_file_is_validated_again(folder: Path, builds: list[str], tmp_path: Path) -> None:
    city = tmp_path / "city.yaml"
    city.write_text(CITY, encoding="utf-8")
    assert loader.load_rulebook(city).version == "city-1"
    assert loader.load_rulebook(city).version == "city-1"
    city.write_text(CITY.replace("city-1", "city-2"), encoding="utf-8")
    assert loader.load_rulebook(city).version == "city-2"
    city.write_text(CITY.replace("forbidden:", "no_such_lexicon:"), encoding="utf-8")
    with pytest.raises(RulebookError, match="no_such_lexicon"):
        loader.load_rulebook(city)
    assert builds == ["city.yaml"] * 3


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The package's YAML data, copied, and read from there by the loader and the fingerprint."""
    copy = tmp_path / "data"
    shutil.copytree(data_path(), copy, ignore=lambda d, names: [n for n in names if Path(d, n).is_file()
                                                                and not n.endswith((".yaml", ".yml"))])
    monkeypatch.setattr(cache, "data_dir", lambda: copy)
    monkeypatch.setattr(loader, "data_path", lambda *parts: copy.joinpath(*parts))
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    cache.package_fingerprint.cache_clear()  # the next start


def test_a_running_process_keeps_the_package_it_started_with(folder: Path, builds: list[str],
                                                            data_copy: Path) -> None:
    _default()
    (data_copy / "rulebook" / "lexicons" / "zz_city.yaml").write_text("城市词表:\n  phrases: [一句新话]\n",
                                                                      encoding="utf-8")
    assert "城市词表" not in _default().lexicons and builds == ["default"]


def test_a_changed_lexicon_is_validated_again(folder: Path, builds: list[str], data_copy: Path) -> None:
    assert "城市新说法" not in _default().lexicons["forbidden"]
    _edit(data_copy / "rulebook" / "lexicons" / "forbidden.yaml", "phrases: [", "phrases: [城市新说法, ")
    assert "城市新说法" in _default().lexicons["forbidden"]
    assert builds == ["default", "default"]


def test_a_new_lexicon_file_is_validated_again(folder: Path, builds: list[str], data_copy: Path) -> None:
    _default()
    (data_copy / "rulebook" / "lexicons" / "zz_city.yaml").write_text(
        "城市词表:\n  phrases: [一句新话]\n", encoding="utf-8")
    cache.package_fingerprint.cache_clear()  # the next start
    assert _default().lexicons["城市词表"] == ["一句新话"]
    assert builds == ["default", "default"]


@pytest.mark.parametrize("name", ["rulebook/default.yaml", "acts/taxonomy.yaml", "citizen/settings.yaml",
                                  "text/asr.yaml"])
def test_every_yaml_file_of_the_package_data_is_in_the_fingerprint(data_copy: Path, name: str) -> None:
    before = cache.fingerprint()
    with (data_copy / name).open("a", encoding="utf-8") as fh:
        fh.write("\n# 改过\n")
    assert cache.fingerprint() != before


def test_the_code_and_the_libraries_are_in_the_fingerprint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A copy of the package's code: touching the installed files would race the other test workers, whose
    # rulebook loads would then see the package change under them and not write their cache.
    code = tmp_path / "hotline"
    shutil.copytree(Path(loader.__file__).resolve().parents[1], code, copy_function=shutil.copy2,
                    ignore=lambda d, names: [n for n in names if n in {"data", "__pycache__"}
                                             or (Path(d, n).is_file() and not n.endswith(".py"))])
    monkeypatch.setattr(cache, "_package_dir", lambda: code)
    before = cache.fingerprint()
    module = code / "norms" / "loader.py"
    stat = module.stat()
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert cache.fingerprint() != before
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cache.fingerprint() == before
    monkeypatch.setattr(pydantic, "VERSION", "0.0.0")
    assert cache.fingerprint() != before
    monkeypatch.undo()
    monkeypatch.setattr(cache, "_package_dir", lambda: code)
    assert cache.fingerprint() == before
    monkeypatch.setattr(cache, "_LIBRARIES", (*cache._LIBRARIES[:-1], "json"))  # another file for PyYAML
    assert cache.fingerprint() != before


def _spoil_payload(path: Path) -> None:
    """Another rulebook that still unpickles: only the payload's digest tells."""
    data = path.read_bytes()
    version = loader.load_default().version.encode()
    assert data.count(version) == 1
    path.write_bytes(data.replace(version, version[:-1] + b"X"))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:200])


def _another_key(path: Path) -> None:
    lines = path.read_bytes().split(b"\n", 2)
    path.write_bytes(b"\n".join([lines[0], b"0" * 64, lines[2]]))


def _another_format(path: Path) -> None:
    path.write_bytes(b"hotline-cache 0\n" + path.read_bytes().split(b"\n", 1)[1])


def _group_writable(path: Path) -> None:
    path.chmod(0o664)


def _another_kind(path: Path) -> None:
    import hashlib
    import pickle

    head = path.read_bytes().split(b"\n", 2)
    payload = pickle.dumps({"not": "a rulebook"})
    path.write_bytes(b"\n".join([head[0], head[1], hashlib.sha256(payload).hexdigest().encode(), payload]))


@pytest.mark.parametrize("spoil", [_spoil_payload, _truncate, _another_key, _another_format, _group_writable,
                                   _another_kind])
def test_a_damaged_or_foreign_cache_file_is_a_normal_load(folder: Path, builds: list[str],
                                                          spoil: Callable[[Path], None]) -> None:
    cold = _default()
    (entry,) = folder.glob("*.pickle")
    spoil(entry)
    assert _default() == cold
    assert builds == ["default", "default"]
    assert _default() == cold and builds == ["default", "default"]  # and written again whole


def test_an_unwritable_cache_folder_is_a_normal_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     builds: list[str]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # mkdir fails, as in a read-only home
    assert _default() == _default()
    assert builds == ["default", "default"]


def test_a_file_changed_while_it_was_validated_is_not_cached(folder: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    city = tmp_path / "city.yaml"
    city.write_text(CITY, encoding="utf-8")
    validate = loader._validated_city

    def edited_meanwhile(path: Path) -> Rulebook:
        rb = validate(path)
        path.write_text(CITY.replace("city-1", "city-2"), encoding="utf-8")
        return rb

    monkeypatch.setattr(loader, "_validated_city", edited_meanwhile)
    assert loader.load_rulebook(city).version == "city-1"
    assert not list(folder.glob("*.pickle"))  # written under the new file's key it would be read back as city-2's


def test_browser_rulebooks_and_rulebook_validate_are_never_read_back(folder: Path, builds: list[str],
                                                                     tmp_path: Path) -> None:
    from hotline.cli import main
    from hotline.inspect import load_engine

    city = tmp_path / "city.yaml"
    city.write_text(CITY, encoding="utf-8")
    load_engine(city, untrusted=True)
    load_engine(city, untrusted=True)
    assert main(["rulebook", "validate", str(city)]) == 0
    assert main(["rulebook", "validate", str(city)]) == 0
    assert builds == ["city.yaml"] * 4 and not folder.exists()


def test_the_cache_can_be_turned_off(folder: Path, builds: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "0")
    _default()
    _default()
    assert builds == ["default", "default"] and not folder.exists()


def test_only_the_newest_files_are_kept(folder: Path, tmp_path: Path) -> None:
    for i in range(cache.KEPT + 3):
        city = tmp_path / f"city{i}.yaml"
        city.write_text(CITY, encoding="utf-8")
        loader.load_rulebook(city)
    assert len(list(folder.glob("*.pickle"))) == cache.KEPT


COLD_LOAD_READS = """
import os, sys
opened = set()
sys.addaudithook(lambda event, args: opened.add(os.path.realpath(args[0])) if event == "open"
                 and isinstance(args[0], str) else None)
from hotline.norms.loader import load_rulebook
load_rulebook(sys.argv[1], cache=False)
print("\\n".join(sorted(opened)))
"""
CODE = (".py", ".pyc", ".so", ".pth")


def test_a_cold_load_reads_no_file_outside_the_fingerprint(tmp_path: Path) -> None:
    """Every file a cold load reads is code (the package's files, and the libraries', are in the fingerprint),
    installed libraries' metadata (pydantic looks for plugins), a YAML file of the package data or the city's
    own file: a load that starts to depend on another file fails here until the fingerprint covers it."""
    city = tmp_path / "city.yaml"
    city.write_text(CITY, encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", COLD_LOAD_READS, str(city)], capture_output=True, text=True,
                         env={**os.environ, cache.CACHE_ENV: "0"}, check=True).stdout.splitlines()
    data = str(data_path().resolve()) + os.sep
    manifest = str((native.NATIVE_DIR / native.MANIFEST).resolve())  # which compiled modules are current: not the load's
    read = [p for p in out if not p.endswith(CODE) and ".dist-info" not in p and os.path.isfile(p) and p != manifest]
    assert str(city.resolve()) in read and any(p.startswith(data + "acts") for p in read)
    assert [p for p in read if p != str(city.resolve()) and not (p.startswith(data) and p.endswith(".yaml"))] == []


def test_no_home_is_a_normal_load(monkeypatch: pytest.MonkeyPatch, builds: list[str]) -> None:
    def homeless() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setattr(Path, "home", homeless)
    assert _default() == _default()
    assert builds == ["default", "default"]
