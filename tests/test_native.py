"""The compiled engine (``hotline.native``): used only while its manifest describes the sources on disk,
and judging exactly as the same modules run as plain Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hotline import native


def _fake_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A native folder whose manifest describes today's sources (no compiled module in it)."""
    out = tmp_path / "_native"
    out.mkdir()
    files = {rel: native._describe(path) for rel, path in native._sources().items()}
    (out / native.MANIFEST).write_text(json.dumps({"abi": native._abi(), "modules": [], "files": files}))
    monkeypatch.setattr(native, "NATIVE_DIR", out)
    monkeypatch.delenv("HOTLINE_NATIVE", raising=False)
    native.state.cache_clear()
    return out


@pytest.fixture(autouse=True)
def _fresh_state() -> object:
    native.state.cache_clear()
    yield
    native.state.cache_clear()


def test_a_current_manifest_puts_the_compiled_folder_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _fake_build(tmp_path, monkeypatch)
    (out / "hotline" / "inspect").mkdir(parents=True)
    assert native.state()[0] == out
    assert native.package_path("hotline.inspect", ["src"]) == [str(out / "hotline" / "inspect"), "src"]
    assert native.package_path("hotline.acts", ["src"]) == ["src"]  # nothing compiled there


def test_an_edited_source_turns_the_compiled_modules_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _fake_build(tmp_path, monkeypatch)
    saved = json.loads((out / native.MANIFEST).read_text())
    rel = "hotline/inspect/operators.py"
    size, mtime, digest = saved["files"][rel]
    saved["files"][rel] = [size, mtime - 1, "0" * 64]  # touched since, and not the same text
    (out / native.MANIFEST).write_text(json.dumps(saved))
    root, why = native.state()
    assert root is None and rel in why
    assert native.package_path("hotline.inspect", ["src"]) == ["src"]


def test_a_touched_but_unchanged_source_keeps_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _fake_build(tmp_path, monkeypatch)
    saved = json.loads((out / native.MANIFEST).read_text())
    rel = "hotline/inspect/operators.py"
    saved["files"][rel][1] -= 1  # another modification time (a checkout), the same bytes
    (out / native.MANIFEST).write_text(json.dumps(saved))
    assert native.state()[0] == out


@pytest.mark.parametrize("change", ["new file", "other python", "switched off", "no manifest"])
def test_what_else_turns_them_off(change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _fake_build(tmp_path, monkeypatch)
    saved = json.loads((out / native.MANIFEST).read_text())
    if change == "new file":
        del saved["files"]["hotline/inspect/operators.py"]
    elif change == "other python":
        saved["abi"] = "cpython-310-linux-x86_64"
    elif change == "switched off":
        monkeypatch.setenv("HOTLINE_NATIVE", "0")
    (out / native.MANIFEST).write_text(json.dumps(saved))
    if change == "no manifest":
        (out / native.MANIFEST).unlink()
    assert native.state()[0] is None


def _inspect_samples(tmp_path: Path, switch: str) -> bytes:
    out = tmp_path / f"native-{switch}.jsonl"
    env = {**os.environ, "HOTLINE_NATIVE": switch, "HOTLINE_CACHE": "0"}
    code = ("import sys; from hotline.cli import main; from hotline import native; "
            "sys.stderr.write(native.state()[1]); main()")
    done = subprocess.run([sys.executable, "-c", code, "inspect", "--samples", "--format", "jsonl", "-o", str(out)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return out.read_bytes()


@pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are switched off")
def test_the_suite_runs_the_compiled_engine_and_it_judges_as_python(tmp_path: Path) -> None:
    root, why = native.state()
    assert root is not None, f"make install compiles the engine: {why}"
    import hotline.inspect

    assert hotline.inspect is not None and native.active("hotline.inspect.operators")
    assert _inspect_samples(tmp_path, "1") == _inspect_samples(tmp_path, "0")


def test_a_failed_build_says_so_and_leaves_the_modules_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from hotline.errors import HotlineError

    out = tmp_path / "_native"
    out.mkdir()
    (out / "kept").write_text("the last good build")
    monkeypatch.setattr(native, "MODULES", ["hotline/no_such_module.py"])
    with pytest.raises(HotlineError, match="编译模块失败"):
        native.build(out)
    assert (out / "kept").read_text() == "the last good build"  # replaced only once a build succeeded
    assert "no_such_module" in capsys.readouterr().err  # what the compiler said is shown
