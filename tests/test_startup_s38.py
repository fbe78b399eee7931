"""Session 38, start-up: the package's data files are read and hashed once per process while they stay as they were
(``cache._data_digest``; a first start computes the fingerprint again before each of its dozen writes). A digest
is what the plain definition gives: the sha256 of the file's bytes now, whatever was read before."""

from __future__ import annotations

import hashlib
import os
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hotline import cache

CONTENTS = [b"", b"a: 1\n", b"a: 2\n", "名字: 甲\n".encode(), b"n: 0123456789\n", b"x\n\n\ny\r\n",
            "e: \U0001f600\U00020000\n".encode(), b"a: 1\n", b"b: 1\n" * 500, b"c: 1\n" * 500]


@pytest.fixture
def own_digests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(cache, "_DIGESTS", {})
    yield


def _stat_as(monkeypatch: pytest.MonkeyPatch, change: Callable[[os.stat_result], dict[str, int]]) -> None:
    """``cache`` sees every file's stat with the fields ``change`` gives (a coarse clock, a file changed long ago)."""

    def changed(st: os.stat_result) -> os.stat_result:
        fields = {name: getattr(st, name) for name in ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid",
                                                        "st_size", "st_atime", "st_mtime", "st_ctime")}
        fields.update(change(st))
        seq = [fields[n] for n in ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size",
                                    "st_atime", "st_mtime", "st_ctime")]
        extra = {"st_atime_ns": st.st_atime_ns, "st_mtime_ns": fields.get("st_mtime_ns", st.st_mtime_ns),
                 "st_ctime_ns": fields.get("st_ctime_ns", st.st_ctime_ns)}
        return os.stat_result(seq, extra)  # type: ignore[arg-type]

    proxy = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})
    proxy.stat = lambda path, *a, **k: changed(os.stat(path, *a, **k))
    proxy.fstat = lambda fd: changed(os.fstat(fd))
    monkeypatch.setattr(cache, "os", proxy)


def _opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(path))
        return open(path, *args, **kwargs)  # noqa: SIM115

    monkeypatch.setattr(cache, "open", counted, raising=False)
    return seen


def test_a_data_files_digest_is_the_sha256_of_its_bytes_now(tmp_path: Path, own_digests: None) -> None:
    path = tmp_path / "x.yaml"
    for content in CONTENTS:
        path.write_bytes(content)
        assert cache._data_digest(str(path)) == hashlib.sha256(content).digest()
        assert cache._data_digest(str(path)) == hashlib.sha256(content).digest()


def test_a_file_changed_in_the_clocks_tick_is_read_again(tmp_path: Path, own_digests: None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A coarse clock: every write of the file carries the same times; the file was changed just now (not settled),
    so each look reads it again, and a same-size rewrite is seen (fails when recent files are remembered too)."""
    now = time.time_ns()
    _stat_as(monkeypatch, lambda st: {"st_mtime_ns": now, "st_ctime_ns": now, "st_ino": 7})
    path = tmp_path / "x.yaml"
    for content in [b"a: 1\n", b"a: 2\n", b"b: 2\n", b"a: 1\n"]:  # all one size
        path.write_bytes(content)
        assert cache._data_digest(str(path)) == hashlib.sha256(content).digest()
    assert not cache._DIGESTS


def test_a_settled_file_is_read_once_until_its_stat_moves(tmp_path: Path, own_digests: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A file changed long ago is hashed once; a change of any of its size, modification time, change time or
    inode is read again (fails when one of them is left out of the comparison)."""
    long_ago = time.time_ns() - 3600 * 10**9
    stamp = {"st_mtime_ns": long_ago, "st_ctime_ns": long_ago, "st_ino": 7}
    _stat_as(monkeypatch, lambda st: dict(stamp))
    opened = _opens(monkeypatch)
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\n")
    first = cache._data_digest(str(path))
    assert first == hashlib.sha256(b"a: 1\n").digest() and cache._data_digest(str(path)) == first
    assert len(opened) == 1
    for field, content in [("st_mtime_ns", b"a: 2\n"), ("st_ctime_ns", b"a: 3\n"), ("st_ino", b"a: 4\n"),
                           (None, b"a: 55\n")]:
        path.write_bytes(content)
        if field is not None:
            stamp[field] += 1
        assert cache._data_digest(str(path)) == hashlib.sha256(content).digest(), field
        assert cache._data_digest(str(path)) == hashlib.sha256(content).digest(), field
    assert len(opened) == 5


def test_the_fingerprint_sees_a_data_file_rewritten_to_the_same_size(tmp_path: Path, own_digests: None,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    for i, content in enumerate(CONTENTS[:6]):
        (data / "sub" / f"f{i}.yaml").write_bytes(content)
    monkeypatch.setattr(cache, "data_dir", lambda: data)
    before = cache.fingerprint()
    assert cache.fingerprint() == before
    (data / "sub" / "f1.yaml").write_bytes(b"a: 9\n")
    after = cache.fingerprint()
    assert after != before
    (data / "sub" / "f1.yaml").write_bytes(CONTENTS[1])
    assert cache.fingerprint() == before
