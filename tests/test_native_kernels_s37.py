"""The C kernels (``hotline.native.KERNELS``) are built with the compiled modules: the build makes them importable
from the native folder, ``hotline native status`` counts them, and their C sources are in the manifest, so an
edited ``.c`` makes the build stale as an edited ``.py`` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hotline import native


@pytest.fixture(autouse=True)
def _fresh_state() -> object:
    native.state.cache_clear()
    yield
    native.state.cache_clear()


def test_the_kernels_sources_are_described_beside_the_modules() -> None:
    sources = native._kernel_sources()
    assert set(sources) == set(native.KERNELS.values())
    for rel, path in sources.items():
        assert os.path.isfile(path) and path.endswith(rel) and rel not in native._sources()


def _fake_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, list[Any]]) -> Path:
    out = tmp_path / "_native"
    out.mkdir(exist_ok=True)
    (out / native.MANIFEST).write_text(json.dumps({"abi": native._abi(), "modules": [], "files": files}))
    monkeypatch.setattr(native, "NATIVE_DIR", out)
    monkeypatch.delenv("HOTLINE_NATIVE", raising=False)
    native.state.cache_clear()
    return out


def test_an_edited_c_source_turns_the_compiled_modules_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    every = {**native._sources(), **native._kernel_sources()}
    files: dict[str, list[Any]] = {rel: native._describe(path) for rel, path in every.items()}
    out = _fake_build(tmp_path, monkeypatch, files)
    assert native.state()[0] == out
    rel = native.KERNELS["hotline._kernels.scan"]
    size, mtime, _ = files[rel]
    files[rel] = [size, mtime - 1, "0" * 64]  # touched since, and not the same text
    _fake_build(tmp_path, monkeypatch, files)
    root, why = native.state()
    assert root is None and rel in why
    files[rel] = [size, mtime - 1, native._digest(every[rel])]  # touched, the same text: still current
    assert _fake_build(tmp_path, monkeypatch, files) == out and native.state()[0] == out
    monkeypatch.setattr(native, "KERNELS", {**native.KERNELS, "hotline._kernels.gone": "hotline/_kernels/gone.c"})
    files["hotline/_kernels/gone.c"] = [1, 1, "0" * 64]  # built then, deleted since
    _fake_build(tmp_path, monkeypatch, files)
    assert native.state()[0] is None


def test_a_build_from_before_the_kernels_stays_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its manifest lists no C source (nothing to go stale); the kernel is not in it, so the Python path runs."""
    files = {rel: native._describe(path) for rel, path in native._sources().items()}
    out = _fake_build(tmp_path, monkeypatch, files)
    assert native.state()[0] == out


@pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are switched off")
def test_the_build_makes_the_kernels_importable_and_counted() -> None:
    root, why = native.state()
    assert root is not None, f"make install compiles the engine: {why}"
    saved = json.loads((root / native.MANIFEST).read_text(encoding="utf-8"))
    assert set(native.KERNELS.values()) <= set(saved["modules"]) and set(native.KERNELS.values()) <= set(saved["files"])
    from hotline._kernels import scan

    assert Path(scan.__file__).is_relative_to(root) and native.active("hotline._kernels.scan")
    done = subprocess.run([sys.executable, "-c", "from hotline.cli import main; main()", "native", "status"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "HOTLINE_NATIVE": "1"})
    count = len(native.MODULES) + len(native.KERNELS)
    assert f"（{count} 个）" in done.stdout + done.stderr


def test_switched_off_the_kernel_is_not_there(tmp_path: Path) -> None:
    """``HOTLINE_NATIVE=0``: the scan takes the daachorse path (no kernel on the compiled rulebook)."""
    code = ("from hotline.inspect import default_engine; "
            "print(default_engine(semantic=False).compiled.kernel is None)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HOTLINE_NATIVE": "0", "HOTLINE_CACHE": "0"})
    assert done.stdout.strip() == "True", done.stderr
