"""Masking of citizens' phone numbers, ID numbers and detailed addresses (rules in
``data/web/masking.yaml``). Masking keeps the text's length, so finding spans stay valid."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, PrivateAttr, field_validator

from hotline.content import Strict, data_path, load_yaml_model


class MaskPattern(Strict):
    name: str
    regex: str
    keep_head: int = Field(0, ge=0)
    keep_tail: int = Field(0, ge=0)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"正则表达式无效：{exc}") from None
        return value


class MaskingRules(Strict):
    roles_may_unmask: list[str] = Field(default_factory=list)
    mask_char: str = Field("*", min_length=1, max_length=1)
    patterns: list[MaskPattern]
    agent_code_in_suggestion: str = ""
    _regexes: list[tuple[re.Pattern[str], MaskPattern]] = PrivateAttr(default_factory=list)

    def compiled(self) -> list[tuple[re.Pattern[str], MaskPattern]]:
        if not self._regexes:
            self._regexes = [(re.compile(p.regex), p) for p in self.patterns]
        return self._regexes


def load_rules(path: Path | None = None) -> MaskingRules:
    return load_yaml_model(path or data_path("web", "masking.yaml"), MaskingRules)


@lru_cache(maxsize=1)
def default_rules() -> MaskingRules:
    return load_rules()


def mask_text(text: str, rules: MaskingRules | None = None) -> str:
    """``text`` with every match of the masking patterns replaced by the mask character."""
    rules = rules or default_rules()
    chars = list(text)
    for regex, pat in rules.compiled():
        for m in regex.finditer("".join(chars)):
            start, end = m.span("mask") if "mask" in regex.groupindex else m.span()
            start, end = start + pat.keep_head, end - pat.keep_tail
            for i in range(start, max(start, end)):
                chars[i] = rules.mask_char
    return "".join(chars)


def may_unmask(role: str, rules: MaskingRules | None = None) -> bool:
    return role in (rules or default_rules()).roles_may_unmask


def agent_suggestion(text: str, agent_code: str | None, rules: MaskingRules | None = None) -> str:
    """A suggested wording with the agent's own 工号 in place of the example one."""
    pattern = (rules or default_rules()).agent_code_in_suggestion
    if not text or not agent_code or not pattern or not agent_code.isdigit():
        return text
    return re.sub(pattern, agent_code, text)
