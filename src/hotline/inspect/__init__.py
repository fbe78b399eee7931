"""The one inspection engine: everything that judges an agent goes through here.

>>> from hotline.inspect import default_engine
>>> card = default_engine().inspect(call)
"""

from __future__ import annotations

import threading
from pathlib import Path

from hotline.inspect.context import Hit
from hotline.inspect.engine import Engine, InspectError
from hotline.inspect.python_rules import Evidence

__all__ = ["Engine", "Evidence", "Hit", "InspectError", "default_engine", "load_engine"]


_lock = threading.Lock()
_default: Engine | None = None


def default_engine() -> Engine:
    """The engine for the bundled default rulebook, compiled once per process (thread-safe: many
    first requests arriving together compile it once, not once each)."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                from hotline.norms import load_default

                _default = Engine(load_default())
    return _default


def load_engine(rulebook: str | Path | None = None, *, untrusted: bool = False) -> Engine:
    """An engine for a city's rulebook file (which extends the default), or the default.
    ``untrusted``: the file was written in the browser, so its own regexes run with a time limit."""
    if rulebook is None:
        return default_engine()
    from hotline.norms import load_rulebook

    rb = load_rulebook(rulebook)
    if not untrusted:
        return Engine(rb)
    from hotline.inspect.compiled import regex_patterns
    from hotline.inspect.safe_regex import limited_compiler

    return Engine(rb, limited_compiler(regex_patterns(default_engine().rulebook)))
