"""The functions of the citizen C kernel (``hotline._kernels.citizen``), each looked for once per process."""

from __future__ import annotations

from typing import Any

FOUND: dict[str, Any] = {}  # function name -> the kernel's function, or None (not built)


def kernel_function(name: str) -> Any:
    """``hotline._kernels.citizen``'s function ``name``, or None when the kernel is not built (plain Python, a failed
    build, a stale one, ``HOTLINE_NATIVE=0``): each caller's numpy or Python path then."""
    try:
        return FOUND[name]
    except KeyError:
        pass
    found: Any = None
    try:
        from hotline._kernels import citizen

        found = getattr(citizen, name, None)
    except ImportError:
        pass
    FOUND[name] = found
    return found
