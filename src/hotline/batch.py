"""Large-scale inspection: the single-call engine spread over local worker processes.
A thin wrapper — every worker runs the same ``Engine.inspect``; order of results is preserved."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterable, Iterator
from pathlib import Path

from hotline.model import Call, Scorecard

_engine = None


def _init(rulebook: str | None) -> None:
    global _engine
    from hotline.inspect import load_engine

    _engine = load_engine(rulebook)


def _inspect(call: Call) -> tuple[Call, Scorecard]:
    assert _engine is not None
    return call, _engine.inspect(call)


def inspect_many(calls: Iterable[Call], rulebook: str | Path | None = None, jobs: int = 1,
                 chunksize: int = 64) -> Iterator[tuple[Call, Scorecard]]:
    """(call, scorecard) for every call, in input order; ``jobs > 1`` uses that many processes."""
    if jobs <= 1:
        _init(str(rulebook) if rulebook else None)
        for call in calls:
            yield _inspect(call)
        return
    ctx = mp.get_context("spawn")
    with ctx.Pool(jobs, initializer=_init, initargs=(str(rulebook) if rulebook else None,)) as pool:
        yield from pool.imap(_inspect, calls, chunksize=chunksize)
