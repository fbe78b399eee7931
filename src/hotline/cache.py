"""A start-up cache of validated data, so a command that starts often (``hotline inspect`` of one call) does
not parse YAML and validate it again at every start. The first load validates with pydantic as always and
pickles the result into the user's cache folder (``$XDG_CACHE_HOME/hotline``, else ``~/.cache/hotline``);
later starts read it back while nothing it was built from has changed:

- every YAML file of the package data (the default rulebook, its lexicons, the act taxonomy, the reader and
  masking settings, and every other file a validator may read), by sha256 of its bytes, and the files the
  load itself names (a city's rulebook, a settings file given by path);
- the code: every ``.py`` file of the ``hotline`` package (size and modification time), the Python version,
  and pydantic, pydantic-core and PyYAML (their versions, and the size and time of their files).

The package's part of that fingerprint is computed once per process (a long-running process sees the package
as it was when it first used the cache, as it does its own code); before a fresh load is written it is
computed again, so a file changed during the load is never cached under the old key.

A first start need not build what the package's build already did: ``hotline native build`` runs ``hotline
inspect --samples`` once with a cache folder of its own and keeps the files it wrote beside the compiled modules
(``SEED``, see ``native.build``). A slot the user's folder does not hold is looked up there, under the very same
key (the package's code, data and libraries as they are now): a seed file of another build, another Python or an
edited package is another key's, and is passed over as a stale cache file is. It is read, never written, and
only when it is the package owner's or the user's own and nobody else may write it (as the package's code).
``HOTLINE_CACHE_SEED=0`` passes it over (the test suite does, to build its caches as a first start does).

A cache that is missing, stale, damaged, unreadable, unwritable or not the user's own is a normal load,
never an error: a read-only home works as before. ``HOTLINE_CACHE=0`` turns the cache off."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import hotline

T = TypeVar("T")

CACHE_ENV = "HOTLINE_CACHE"
SEED_ENV = "HOTLINE_CACHE_SEED"
KEPT = 256  # cache files kept, the most recently used (each loaded file has its own)
FORMAT = b"hotline-cache 1\n"  # bump when what is written changes shape
_DATA_SUFFIXES = (".yaml", ".yml")
_LIBRARIES = ("pydantic", "pydantic_core", "pydantic_core._pydantic_core", "yaml")  # they read and validate the data
SEED = ("_native", "startup")  # under the package: the cache files its build wrote (read only)


def cache_dir() -> Path | None:
    """Where cached loads live, or None when the cache is off (or there is no home to keep it in)."""
    if os.environ.get(CACHE_ENV, "1") == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no HOME and no entry in the password database
            return None
    return Path(base) / "hotline"


def cached(slot: str, inputs: Sequence[Path], build: Callable[[], T], kind: type[T]) -> T:
    """``build()``, or the ``kind`` it returned last time while its fingerprint (the package's data and code,
    and the files ``inputs``) is unchanged. ``slot`` names what is built (one cache file each)."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = _slot_path(folder, slot)
    key = _key(inputs)
    if key is not None:
        hit = _read(path, key)
        if not isinstance(hit, kind):
            hit = _seeded(slot, key)
        if isinstance(hit, kind):
            return hit
    value = build()
    if key is not None and _key(inputs, fresh=True) == key:
        _write(folder, path, key, value)
    return value


def read_back(slot: str, kind: type[T]) -> T | None:
    """The ``kind`` that ``keep(slot, …)`` stored while the package's data and code were as they are now, or None
    (the cache off, nothing stored, stale or damaged)."""
    folder = cache_dir()
    key = None if folder is None else _key(())
    if folder is None or key is None:
        return None
    hit = _read(_slot_path(folder, slot), key)
    if not isinstance(hit, kind):
        hit = _seeded(slot, key)
    return hit if isinstance(hit, kind) else None


def keep(slot: str, value: object) -> None:
    """Store ``value`` under ``slot`` for ``read_back``, keyed by the package as it is now (fingerprinted again,
    as ``cached`` does before it writes); nothing when the cache is off."""
    folder = cache_dir()
    key = None if folder is None else _key((), fresh=True)
    if folder is not None and key is not None:
        _write(folder, _slot_path(folder, slot), key, value)


def _slot_path(folder: Path, slot: str) -> Path:
    return folder / f"{hashlib.sha256(f'{_package_dir()}|{slot}'.encode()).hexdigest()[:32]}.pickle"


def seed_dir() -> Path:
    """The folder of cache files the package's build wrote (``SEED``)."""
    return _package_dir().joinpath(*SEED)


def _seeded(slot: str, key: str) -> object | None:
    """What the build's cache holds for ``slot`` under ``key``, or None. Its files may be another owner's (the
    package's, who can change its code as well): the owner of this very module, or the user."""
    if os.environ.get(SEED_ENV) == "0":
        return None
    try:
        owner = os.stat(__file__).st_uid
    except OSError:
        return None
    return _read(_slot_path(seed_dir(), slot), key, owners=(owner,), used=False)


def fingerprint(inputs: Sequence[Path] = ()) -> str:
    """sha256 of everything a cached load depends on (see the module's docstring), computed now."""
    return _combine(package_fingerprint.__wrapped__(), inputs)


@functools.cache
def package_fingerprint() -> bytes:
    """The package's part of every key: its code and data, Python and the libraries that read the data."""
    import pydantic
    import pydantic_core

    h = hashlib.sha256(FORMAT)
    h.update(f"{sys.version}|{hotline.__version__}|{pydantic.VERSION}|{pydantic_core.__version__}\n".encode())
    for library in _LIBRARIES:  # their files are rewritten when they are upgraded
        origin = _module_file(library)
        h.update(_stat_line(origin, origin))
    for name, path in _files(str(_package_dir()), (".py",), skip={"data", "__pycache__"}):
        h.update(_stat_line(name, path))
    for name, path in _files(str(data_dir()), _DATA_SUFFIXES, skip={"__pycache__"}):
        h.update(f"{name}\0".encode() + _data_digest(path))
    return h.digest()


# A data file's sha256 as this process read it, by path, with what ``os.stat`` said of it then: its size, its
# modification and change times and its inode. The fingerprint is computed again before every write (a first
# start writes a dozen files): a file whose stat says the same is the file read then (any write moves its change
# time, which no program sets back), and is not read and hashed again. Kept only for a file last changed
# ``_SETTLED_NS`` before it was read: the clock files are stamped with ticks coarsely (milliseconds), so two writes
# in one tick, the second of the same size, would look alike; a file that recent is read again every time. At most
# one entry a data file of the package.
_DIGESTS: dict[str, tuple[tuple[int, int, int, int], bytes]] = {}
_SETTLED_NS = 2_000_000_000


def _data_digest(path: str) -> bytes:
    st = os.stat(path)
    known = _DIGESTS.get(path)
    if known is not None and known[0] == (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino):
        return known[1]
    import time

    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())  # what is read is this (a write meanwhile moves the change time)
        digest = hashlib.sha256(fh.read()).digest()
    if st.st_ctime_ns < time.time_ns() - _SETTLED_NS:
        _DIGESTS[path] = ((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino), digest)
    return digest


def data_dir() -> Path:
    from hotline.content import data_path

    return data_path()


def _key(inputs: Sequence[Path], fresh: bool = False) -> str | None:
    try:
        return fingerprint(inputs) if fresh else _combine(package_fingerprint(), inputs)
    except OSError:  # a file vanished or cannot be read: the load itself says what is wrong
        return None


def _combine(package: bytes, inputs: Sequence[Path]) -> str:
    h = hashlib.sha256(package)
    for path in inputs:
        h.update(f"{path.resolve()}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@functools.cache
def _package_dir() -> Path:
    """Resolved once per process: every cache file's name starts from it (``resolve`` costs a ``stat`` per part)."""
    return Path(hotline.__file__).resolve().parent


def _module_file(name: str) -> str:
    """The file of a module, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        raise OSError(f"{name} not found")
    return spec.origin


def _stat_line(name: str, path: str) -> bytes:
    st = os.stat(path)
    return f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode()


def _files(root: str, suffixes: tuple[str, ...], skip: set[str], prefix: str = "") -> list[tuple[str, str]]:
    """(name relative to ``root``, path) of every file under ``root`` ending in ``suffixes``, sorted; plain
    strings and ``os.scandir``, as this runs at every start."""
    out: list[tuple[str, str]] = []
    with os.scandir(root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in skip:
                    out.extend(_files(entry.path, suffixes, skip, f"{prefix}{entry.name}/"))
            elif entry.name.endswith(suffixes):
                out.append((prefix + entry.name, entry.path))
    return out


def _read(path: Path, key: str, owners: tuple[int, ...] = (), used: bool = True) -> object | None:
    """The object cached under ``key``; None when there is none, it is another key's, damaged, or the file
    could have been written by someone else (a pickle runs code when it is read): it must be the user's (or one
    of ``owners``') and nobody else's to write. ``used``: its time is set to now (kept when the folder is pruned)."""
    try:
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            if (st.st_uid != getattr(os, "getuid", lambda: st.st_uid)() and st.st_uid not in owners
                    or st.st_mode & 0o022):
                return None  # (Windows has no owners or mode bits here: a user's profile is their own)
            if fh.readline(64) != FORMAT or fh.readline(80) != key.encode() + b"\n":
                return None
            digest = fh.readline(80).rstrip(b"\n")
            payload = fh.read()
        if hashlib.sha256(payload).hexdigest().encode() != digest:
            return None
        value = pickle.loads(payload)  # noqa: S301 - the user's own file, whole and of this very key
    except Exception:  # noqa: BLE001 - whatever is wrong with a cache, the load goes on without it
        return None
    if not used:
        return value
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when the folder is pruned
    return value


def _write(folder: Path, path: Path, key: str, value: object) -> None:
    import tempfile

    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(FORMAT + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n")
                fh.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder)
    except Exception:  # noqa: BLE001, S110 - a cache that cannot be written is simply not written
        pass


def _prune(folder: Path) -> None:
    """Keep the ``KEPT`` most recently used cache files, and no temporary file left by a writer that died."""
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEPT:]:
        old.unlink(missing_ok=True)
    for part in folder.glob(".tmp-*.part"):
        if part.stat().st_mtime < _now() - 3600:
            part.unlink(missing_ok=True)


def _now() -> float:
    import time

    return time.time()
