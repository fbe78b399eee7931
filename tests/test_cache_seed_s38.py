"""The build's start-up cache (``hotline.cache.SEED``): a slot the user's cache folder does not hold is read from
the files ``hotline native build`` wrote (``native.seed``), under the same key, and only from files nobody else
may write; ``HOTLINE_CACHE_SEED=0`` passes it over (conftest sets it for the rest of the suite)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from hotline import cache, native


@pytest.fixture()
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache folder and a seed folder of the test's own, looked at."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user"))
    monkeypatch.setenv(cache.CACHE_ENV, "1")
    monkeypatch.delenv(cache.SEED_ENV, raising=False)
    seed = tmp_path / "seed"
    seed.mkdir()
    monkeypatch.setattr(cache, "seed_dir", lambda: seed)
    return seed


def _plant(seed: Path, slot: str, value: object, key: str | None = None) -> Path:
    path = cache._slot_path(seed, slot)
    cache._write(seed, path, key or cache._key(()), value)
    return path


def _builds(slot: str) -> tuple[object, int]:
    made: list[int] = []

    def build() -> dict[str, str]:
        made.append(1)
        return {"from": "build"}

    return cache.cached(slot, (), build, dict), len(made)


def test_a_slot_the_user_folder_lacks_is_read_from_the_seed(seeded: Path) -> None:
    _plant(seeded, "s38:a", {"from": "seed"})
    assert _builds("s38:a") == ({"from": "seed"}, 0)
    assert cache.read_back("s38:b", dict) is None
    _plant(seeded, "s38:b", {"kept": 1})
    assert cache.read_back("s38:b", dict) == {"kept": 1}


def test_the_user_folder_comes_first(seeded: Path) -> None:
    _plant(seeded, "s38:c", {"from": "seed"})
    folder = cache.cache_dir()
    assert folder is not None
    folder.mkdir(parents=True)
    cache._write(folder, cache._slot_path(folder, "s38:c"), cache._key(()), {"from": "user"})
    assert _builds("s38:c") == ({"from": "user"}, 0)


def test_a_seed_of_another_key_is_passed_over(seeded: Path) -> None:
    _plant(seeded, "s38:d", {"from": "seed"}, key="0" * 64)
    assert _builds("s38:d") == ({"from": "build"}, 1)


def test_a_seed_others_may_write_is_passed_over(seeded: Path) -> None:
    path = _plant(seeded, "s38:e", {"from": "seed"})
    os.chmod(path, 0o664)
    assert _builds("s38:e") == ({"from": "build"}, 1)


def test_the_switch_turns_the_seed_off(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _plant(seeded, "s38:f", {"from": "seed"})
    monkeypatch.setenv(cache.SEED_ENV, "0")
    assert _builds("s38:f") == ({"from": "build"}, 1)


def test_the_seed_is_never_written_nor_touched(seeded: Path) -> None:
    path = _plant(seeded, "s38:g", {"from": "seed"})
    os.utime(path, (1_000_000_000, 1_000_000_000))
    assert _builds("s38:g") == ({"from": "seed"}, 0)
    assert path.stat().st_mtime == 1_000_000_000  # (a user's file is touched: kept when pruned)
    assert sorted(p.name for p in seeded.iterdir()) == [path.name]
    _builds("s38:h")  # built and written to the user's folder, not the seed's
    assert sorted(p.name for p in seeded.iterdir()) == [path.name]


def test_the_build_seeds_a_first_start(tmp_path: Path) -> None:
    """``native.seed`` writes what a first ``hotline inspect`` writes; a first start with an empty cache folder then
    reads it back instead of building it (the default rulebook, validated once, is among them)."""
    out = tmp_path / "native"
    out.mkdir()
    assert native.seed(out)
    files = sorted((out / cache.SEED[-1]).iterdir())
    assert files and all(f.suffix == ".pickle" and not f.stat().st_mode & 0o022 for f in files)
    assert not (out / f"{cache.SEED[-1]}.part").exists()
    for f in files:  # each a cache file as the user's are: format, key, the payload's digest, a pickle
        with f.open("rb") as fh:
            assert fh.readline() == cache.FORMAT
            assert len(fh.readline().strip()) == 64
            assert len(fh.readline().strip()) == 64
            pickle.loads(fh.read())  # noqa: S301 - written by this test's own build
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from hotline import cache\n"
        f"cache.seed_dir = lambda: Path({str(out / cache.SEED[-1])!r})\n"
        "from hotline.norms import loader\n"
        "loader._validated_default = lambda: sys.exit('built, not read from the seed')\n"
        "rb = loader.load_default()\n"
        "print(len(rb.rules))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "empty"), cache.CACHE_ENV: "1"}
    env.pop(cache.SEED_ENV, None)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) > 10
    env[cache.SEED_ENV] = "0"
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False)
    assert "built, not read from the seed" in done.stderr

