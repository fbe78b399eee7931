"""Messages shown in the browser: the product's own Chinese message, without internal error codes,
command-line hints or file paths of the package, and parser English put into Chinese
(``data/web/messages.yaml``)."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import Field

from hotline.content import Strict, data_path, load_yaml_model
from hotline.errors import HotlineError


class MessageRules(Strict):
    strip: list[str] = Field(default_factory=list)
    translate: list[tuple[str, str]] = Field(default_factory=list)


@lru_cache(maxsize=1)
def _rules() -> tuple[list[re.Pattern[str]], list[tuple[re.Pattern[str], str]]]:
    rules = load_yaml_model(data_path("web", "messages.yaml"), MessageRules)
    strip = [re.compile(p) for p in rules.strip]
    translate = [(re.compile(rf"\b{re.escape(k)}\b" if k.isalpha() else re.escape(k), re.I), v) for k, v in rules.translate]
    return strip, translate


def for_browser(text: str) -> str:
    """``text`` as a web user should read it."""
    strip, translate = _rules()
    for pattern in strip:
        text = pattern.sub("", text)
    for pattern, chinese in translate:
        text = pattern.sub(chinese, text)
    return text.strip()


def error_text(exc: HotlineError) -> str:
    """A product error for the browser: where (the record or line, never a package path) and what."""
    where = exc.location or ""
    source = exc.source or ""
    if source and "/" not in source and "\\" not in source and not source.endswith((".yaml", ".yml")):
        where = f"{source} {where}".strip()
    return for_browser(f"{where}：{exc.message}" if where else exc.message)
