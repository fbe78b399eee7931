"""Fixtures shared by the tests of the record readers and writers."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def records() -> Any:
    """The records C kernel (``hotline._kernels.records``), which ``make install`` builds."""
    from hotline import native

    try:
        from hotline._kernels import records
    except ImportError:
        pytest.fail(f"make install builds the kernel: {native.state()[1]}")
    return records
