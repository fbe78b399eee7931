"""Rules whose logic needs Python (e.g. checking a 工单 against its call). The rulebook names them
by ``impl: module:function``; they are imported only when first evaluated."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotline.errors import RulebookError


@dataclass(slots=True)
class Evidence:
    """What a Python rule found: where in the call (turn/span may be None), what, and why."""

    turn_index: int | None
    span: tuple[int, int] | None
    evidence: str
    message: str


PythonRule = Callable[..., list[Evidence] | None]  # None: not applicable (a goal rule without its goal)


@functools.cache
def resolve(impl: str) -> PythonRule | None:
    """The function behind ``module:function``; None when its module is not installed."""
    module_name, _, attr = impl.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    func: Any = getattr(module, attr, None)
    if not callable(func):
        raise RulebookError(f"impl {impl}：模块里没有函数 {attr}")
    return func  # type: ignore[no-any-return]
