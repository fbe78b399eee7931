"""jionlp, imported lazily and called quietly: it prints a banner on import and messages while
parsing (which would corrupt JSON written to stdout), and it raises on some wordings. Every call
here returns an empty answer instead of failing on odd input."""

from __future__ import annotations

import contextlib
import io
import logging
from functools import cache
from typing import Any


@cache
def jionlp() -> Any:
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp as module
    return module


def _quiet(func: Any, *args: Any, **kwargs: Any) -> Any:
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)  # jionlp logs a traceback for every phrase it cannot read
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return func(*args, **kwargs)
    except Exception:  # jionlp raises many types on unusual wording; treat as "nothing found"
        return None
    finally:
        logging.disable(previous)


def extract_time(text: str, time_base: Any) -> list[dict[str, Any]]:
    """Time expressions in ``text`` with their parsed ranges."""
    found = _quiet(jionlp().ner.extract_time, text, time_base=time_base, with_parsing=True)
    return [h for h in found or [] if isinstance(h, dict)]


def parse_time(text: str, time_base: Any) -> dict[str, Any]:
    parsed = _quiet(jionlp().parse_time, text, time_base=time_base)
    return parsed if isinstance(parsed, dict) else {}


def parse_location(text: str) -> dict[str, Any]:
    parsed = _quiet(jionlp().parse_location, text, town_village=True)
    return parsed if isinstance(parsed, dict) else {}
