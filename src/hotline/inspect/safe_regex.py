"""Regular expressions written in the browser (a city override tried or saved on the web) run with a
time and a length limit: the ``regex`` module stops a match that backtracks too long, where Python's
``re`` would tie up a worker for minutes (``(\\w|\\w)*\\d$``). Patterns of the bundled rulebook are
trusted and keep ``re``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from hotline.errors import RulebookError

MAX_PATTERN = 300  # characters
MATCH_SECONDS = 0.2  # per search over one turn
PROBES = ("啊" * 60 + "x", "a" * 60 + "!", "1" * 40 + "号", "您好" * 30 + "？", "市民说" + "，" * 40)


class RegexTimeout(RulebookError):
    """A browser-entered pattern took too long on a text."""


def _timeout(pattern: str) -> RegexTimeout:
    return RegexTimeout(f"正则表达式“{pattern[:60]}”运行超时（超过 {MATCH_SECONDS} 秒）：可能有灾难性回溯，"
                        "请去掉嵌套的重复（如 (a+)+、(.|.)*），或改用词表", source="网页编辑的规则库")


class TimedPattern:
    """The parts of ``re.Pattern`` the operators use, each search limited in time."""

    def __init__(self, pattern: str):
        import regex

        self.pattern = pattern
        try:
            self._compiled = regex.compile(pattern)
        except regex.error as exc:
            raise RulebookError(f"正则表达式无效：{pattern[:60]}（{exc}）", source="网页编辑的规则库") from None
        self.groups = self._compiled.groups
        self.groupindex = self._compiled.groupindex

    def finditer(self, text: str, *args: Any) -> Iterator[Any]:
        try:
            yield from self._compiled.finditer(text, *args, timeout=MATCH_SECONDS)
        except TimeoutError:
            raise _timeout(self.pattern) from None

    def search(self, text: str, *args: Any) -> Any:
        try:
            return self._compiled.search(text, *args, timeout=MATCH_SECONDS)
        except TimeoutError:
            raise _timeout(self.pattern) from None

    def probe(self) -> None:
        """Refuse the pattern at once if it is already slow on short adversarial texts."""
        for text in PROBES:
            for _ in self.finditer(text):
                pass


def limited_compiler(trusted: set[str]) -> Callable[[str], Any]:
    """A regex compiler for an engine built from browser text: ``re`` for the trusted (bundled)
    patterns, a length check, a probe and a time limit for every other one."""

    def compile_pattern(pattern: str) -> Any:
        if pattern in trusted:
            return re.compile(pattern)
        if len(pattern) > MAX_PATTERN:
            raise RulebookError(f"正则表达式太长（{len(pattern)} 个字符，上限 {MAX_PATTERN}）：{pattern[:40]}……",
                                source="网页编辑的规则库")
        timed = TimedPattern(pattern)
        timed.probe()
        return timed

    return compile_pattern
