"""jionlp, imported lazily and quietly (it prints a banner on import, which would corrupt JSON
written to stdout)."""

from __future__ import annotations

import contextlib
import io
from functools import cache
from typing import Any


@cache
def jionlp() -> Any:
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp as module
    return module
