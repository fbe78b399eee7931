"""Start-up shortcuts: each is checked against the simple way it replaces."""

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


def test_module_patterns_from_the_regex_cache_are_those_re_compile_makes() -> None:
    import re

    from hotline import masking, text
    from hotline.formats import dialogue, layouts, speakers
    from hotline.norms import schema

    patterns = [dialogue._LINE, dialogue._META, dialogue._SEPARATOR, layouts._STEP, text.SURROGATE,
                speakers._TAIL, schema.RULE_ID, masking._MASK_GROUP]
    for pattern in patterns:
        assert pattern == re.compile(pattern.pattern)  # the same flags (none) and the same code
