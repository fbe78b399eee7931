"""Regexes written in the browser run with a time and a length limit (the `regex` module's timeout);
the bundled rulebook's own patterns keep Python's `re`."""

from __future__ import annotations

import re
import time

import pytest
from web_helpers import login

from hotline.errors import RulebookError
from hotline.inspect.safe_regex import MAX_PATTERN, RegexTimeout, TimedPattern, limited_compiler

SLOW = r"(\w|\w)*\d$"


def _override(pattern: str, version: str = "正则测试-1") -> str:
    return (f"extends: default\nversion: {version}\nrules:\n  - id: service.custom_regex.v1\n    title: 自定义正则\n"
            f"    dimension: 服务规范\n    severity: info\n    points: 1\n    kind: forbid\n"
            f"    match: {{regex: {{pattern: '{pattern}'}}}}\n    message: 命中自定义正则\n")


def test_a_catastrophic_pattern_is_stopped_in_time():
    timed = TimedPattern(SLOW)
    start = time.monotonic()
    with pytest.raises(RegexTimeout, match="超时"):
        list(timed.finditer("啊" * 40 + "x"))
    assert time.monotonic() - start < 5  # Python's re takes minutes on this text


@pytest.mark.parametrize(
    ("pattern", "message"),
    [(SLOW, "超时"), ("a" * (MAX_PATTERN + 1), "太长"), ("(unclosed", "无效")],
)
def test_bad_browser_patterns_are_refused(pattern, message):
    with pytest.raises(RulebookError, match=message):
        limited_compiler(set())(pattern)


def test_trusted_patterns_keep_re_and_others_are_timed():
    compile_pattern = limited_compiler({"你"})
    assert isinstance(compile_pattern("你"), re.Pattern)
    timed = compile_pattern("[0-9]{3}号")
    assert isinstance(timed, TimedPattern) and [m.group() for m in timed.finditer("住在301号")] == ["301号"]


def test_trying_a_slow_pattern_in_the_browser_is_refused_with_a_reason(client):
    csrf = login(client, "trainer")
    start = time.monotonic()
    resp = client.post("/rulebook/try", data={"csrf_token": csrf, "yaml_text": _override(SLOW)})
    assert resp.status_code == 400 and "运行超时" in resp.text and "[E" not in resp.text
    assert time.monotonic() - start < 20
    ok = client.post("/rulebook/try", data={"csrf_token": csrf, "yaml_text": _override("这事不归我们管", "正则测试-2")})
    assert ok.status_code == 200 and 'id="try-disappeared"' in ok.text
