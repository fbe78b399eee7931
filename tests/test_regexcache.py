"""``regexcache.compile_pattern``: a pattern compiled once per machine is the pattern ``re.compile`` (or
``regexscan.scannable``) makes, read back without a parse by the next process, compiled again from its text when
what was kept is damaged, and plain ``re.compile`` with the cache off."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline import cache, regexcache
from hotline.content import data_path
from hotline.regexscan import scannable

PATTERNS = [
    (r"(?P<num>[0-9]+|[一二三四五六七八九十]+)(?=号楼|栋|单元)", 0),
    (r"(?<![0-9])1[3-9]\d{9}(?![0-9])", 0),
    (r"您好|你好|早上好", 0),
    (r"(不知道|不清楚)[啊呀吧]?(?=[,.!?;]|$)", 0),
    (r"[a-z]+(?:\d+)?", re.IGNORECASE),
    (r"^\s*(?P<who>坐席|市民)\s*[:：]", re.MULTILINE),
]
TEXTS = ["3号楼2单元，电话13812345678，您好", "我不知道啊, ABC12 abc", "坐席：你好\n市民: 早上好", "", "九号楼"]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of its own and a process view of it not read yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setattr(regexcache, "_KEPT", regexcache._Kept())
    monkeypatch.setattr(regexcache.atexit, "register", lambda *a: None)  # written by the test, not at its exit
    cache.package_fingerprint.cache_clear()
    yield tmp_path / "xdg"
    cache.package_fingerprint.cache_clear()


def _matches(pattern: re.Pattern[str]) -> list[list[tuple[tuple[int, int], dict[str, str | None]]]]:
    return [[(m.span(), m.groupdict()) for m in pattern.finditer(t)] for t in TEXTS]


def _next_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Write what this process kept, as its exit does, and start a view of the cache as the next process would."""
    regexcache._write(regexcache._KEPT)
    monkeypatch.setattr(regexcache, "_KEPT", regexcache._Kept())


@pytest.mark.parametrize("scan", [False, True])
def test_a_pattern_is_what_re_makes_compiled_or_read_back(fresh: Path, monkeypatch: pytest.MonkeyPatch,
                                                          scan: bool) -> None:
    def expected(p: str, flags: int) -> re.Pattern[str]:
        return scannable(re.compile(p, flags)) if scan else re.compile(p, flags)

    first = [regexcache.compile_pattern(p, f, scan=scan) for p, f in PATTERNS]
    _next_process(monkeypatch)

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a kept pattern is compiled from its code, not parsed again")

    monkeypatch.setattr(regexcache, "parts", no_parse)
    again = [regexcache.compile_pattern(p, f, scan=scan) for p, f in PATTERNS]
    for (p, f), a, b in zip(PATTERNS, first, again, strict=True):
        want = expected(p, f)
        assert a == want and b == want  # same string, flags and code
        assert (b.pattern, b.flags, b.groups, b.groupindex) == (want.pattern, want.flags, want.groups, want.groupindex)
        assert _matches(b) == _matches(want)


def test_damaged_code_is_compiled_again_from_the_pattern(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p, f = PATTERNS[0]
    regexcache.compile_pattern(p, f)
    kept = regexcache._KEPT
    assert kept.known is not None
    flags, code, groups, groupindex, indexgroup = kept.known[(p, f, False)]
    kept.known[(p, f, False)] = (flags, b"\xff\xff\xff\x7f" * 3, groups, groupindex, indexgroup)
    _next_process(monkeypatch)
    assert regexcache.compile_pattern(p, f) == re.compile(p, f)
    assert regexcache._KEPT.known is not None and regexcache._KEPT.known[(p, f, False)][1] == code  # mended


def test_with_the_cache_off_it_is_re_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "0")
    monkeypatch.setattr(regexcache, "_KEPT", regexcache._Kept())
    p, f = PATTERNS[2]
    assert regexcache.compile_pattern(p, f) is re.compile(p, f)
    assert regexcache._KEPT.known == {} and not regexcache._KEPT.grew  # nothing kept, nothing to write


def test_a_pattern_re_refuses_is_refused_alike(fresh: Path) -> None:
    with pytest.raises(re.error, match="missing \\)"):
        regexcache.compile_pattern("(未闭合")
    with pytest.raises(re.error, match="missing \\)"):
        regexcache.compile_pattern("(未闭合", scan=True)


WATCH = """
import sys
from hotline import regexcache
parsed = []
parts = regexcache.parts
regexcache.parts = lambda *a, **k: parsed.append(a[0]) or parts(*a, **k)
from hotline.cli import main
code = main(["inspect", sys.argv[1], "--format", "jsonl", "-o", sys.argv[2]])
print(code, len(parsed), file=sys.stderr)
"""


def test_a_warm_inspect_parses_none_of_its_patterns_and_writes_what_a_cold_one_writes(tmp_path: Path) -> None:
    sample = data_path("samples", "calls", "01_qianxin_exemplary.txt")
    env = {k: v for k, v in os.environ.items() if k != cache.CACHE_ENV}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")

    def run(out: Path) -> tuple[str, int]:
        done = subprocess.run([sys.executable, "-c", WATCH, str(sample), str(out)], env=env, capture_output=True,
                              text=True, check=True)
        code, parsed = done.stderr.strip().splitlines()[-1].split()
        return code, int(parsed)

    cold = run(tmp_path / "cold.jsonl")
    assert cold[0] == "0" and cold[1] > 20  # the rulebook's, the tables', the masking's…
    assert run(tmp_path / "warm.jsonl") == ("0", 0)
    assert (tmp_path / "warm.jsonl").read_bytes() == (tmp_path / "cold.jsonl").read_bytes()
