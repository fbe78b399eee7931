"""The one inspection engine: everything that judges an agent goes through here.

>>> from hotline.inspect import default_engine
>>> card = default_engine().inspect(call)
"""

from __future__ import annotations

from hotline.native import package_path

__path__ = package_path(__name__, __path__)  # compiled modules first, when current

import threading
from pathlib import Path

from hotline.inspect.context import Hit
from hotline.inspect.engine import Engine, InspectError
from hotline.inspect.python_rules import Evidence
from hotline.norms.schema import Rulebook

__all__ = ["Engine", "Evidence", "Hit", "InspectError", "default_engine", "load_engine"]


_lock = threading.Lock()
_defaults: dict[bool | None, Engine] = {}


def default_engine(*, semantic: bool | None = None) -> Engine:
    """The engine for the bundled default rulebook, compiled once per process (thread-safe: many
    first requests arriving together compile it once, not once each). ``semantic=False`` leaves out
    the sentence-embedding operator (bulk inspection: phrases, patterns and speech acts only);
    ``None`` follows the rulebook's ``settings.semantic``."""
    engine = _defaults.get(semantic)
    if engine is None:
        with _lock:
            engine = _defaults.get(semantic)
            if engine is None:
                from hotline.norms import load_default

                engine = _defaults[semantic] = Engine(_with_semantic(load_default(), semantic))
    return engine


def load_engine(rulebook: str | Path | None = None, *, semantic: bool | None = None, untrusted: bool = False) -> Engine:
    """An engine for a city's rulebook file (which extends the default), or the default.
    ``untrusted``: the file was written in the browser, so its own regexes run with a time limit."""
    if rulebook is None:
        return default_engine(semantic=semantic)
    from hotline.norms import load_rulebook

    rb = _with_semantic(load_rulebook(rulebook, cache=not untrusted), semantic)
    if not untrusted:
        return Engine(rb)
    from hotline.inspect.compiled import regex_patterns
    from hotline.inspect.safe_regex import limited_compiler
    from hotline.norms import load_default

    return Engine(rb, limited_compiler(regex_patterns(load_default())))  # the bundled patterns are trusted


def _with_semantic(rb: Rulebook, semantic: bool | None) -> Rulebook:
    if semantic is None or semantic == rb.settings.semantic:
        return rb
    return rb.model_copy(update={"settings": rb.settings.model_copy(update={"semantic": semantic})})
