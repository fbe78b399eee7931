"""Large-scale inspection: the single-call engine spread over local worker processes.
A thin wrapper — every worker runs the same ``Engine.inspect``; order of results is preserved."""

from __future__ import annotations

import itertools
import multiprocessing as mp
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hotline.model import Call, Scorecard

if TYPE_CHECKING:
    from hotline.inspect import Engine

_engine: Engine | None = None


def _init(rulebook: str | None, semantic: bool | None = None) -> None:
    global _engine
    from hotline.inspect import load_engine
    from hotline.inspect import semantic as embeddings

    embeddings.one_thread()
    _engine = load_engine(rulebook, semantic=semantic)


def _inspect(call: Call) -> tuple[Call, Scorecard]:
    assert _engine is not None
    return call, _engine.inspect(call)


def inspect_chunked(engine: Engine, calls: Iterable[Call], chunk: int = 64) -> Iterator[tuple[Call, Scorecard]]:
    """(call, scorecard) in input order. With the embedding layer on, each chunk of calls is read
    twice: a first pass notes the sentences the similarity operator needs, they are embedded in one
    batch, then the chunk is judged."""
    if not engine.rulebook.settings.semantic:
        it = iter(calls)
        while batch := list(itertools.islice(it, chunk)):
            yield from zip(batch, engine.inspect_batch(batch), strict=True)
        return
    from hotline.inspect import semantic

    semantic.one_thread()
    it = iter(calls)
    while batch := list(itertools.islice(it, chunk)):
        with semantic.collecting() as todo:
            for call in batch:
                engine.inspect(call)
        if todo:
            semantic.embed(list(dict.fromkeys(todo)))
        for call in batch:
            yield call, engine.inspect(call)


def inspect_many(calls: Iterable[Call], rulebook: str | Path | None = None, jobs: int = 1,
                 chunksize: int = 64, semantic: bool | None = None) -> Iterator[tuple[Call, Scorecard]]:
    """(call, scorecard) for every call, in input order; ``jobs > 1`` uses that many processes."""
    name = str(rulebook) if rulebook else None
    if jobs <= 1:
        _init(name, semantic)
        assert _engine is not None
        yield from inspect_chunked(_engine, calls, chunksize)
        return
    ctx = mp.get_context("spawn")
    with ctx.Pool(jobs, initializer=_init, initargs=(name, semantic)) as pool:
        yield from pool.imap(_inspect, calls, chunksize=chunksize)
