"""Start-up shortcuts (session 34): each is checked against the simple way it replaces."""

from __future__ import annotations

from hotline import cache, native


def test_native_sources_are_keyed_as_the_manifest_was_by_relative_paths() -> None:
    # the manifest's keys were ``str(Path.relative_to(SOURCE_ROOT))``; the string slicing must give the same
    simple = {str(p.relative_to(native.SOURCE_ROOT)): str(p) for p in native.PACKAGE.rglob("*.py")
              if not {"_native", "__pycache__", "data"} & set(p.relative_to(native.PACKAGE).parts[:-1])}
    assert native._sources() == simple
    assert "hotline/native.py" in native._sources()


def test_the_package_dir_is_resolved_once() -> None:
    assert cache._package_dir() == cache.Path(cache.hotline.__file__).resolve().parent
    assert cache._package_dir() is cache._package_dir()
