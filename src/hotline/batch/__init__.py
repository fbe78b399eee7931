"""Large-scale inspection: the single-call engine over many calls. A thin wrapper — every path runs
the same ``Engine``; order of results is preserved.

- ``inspect_chunked``: one process, a chunk of calls per act-model pass.
- ``hotline.batch.pool``: ``hotline inspect --jobs N`` — worker processes forked with the engine built,
  each reading its own byte ranges of a JSONL (or its own files) and writing its own output part.
- ``hotline.batch.spark``: the same engine on Apache Spark (optional extra ``hotline-coach[spark]``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hotline.model import Call, Scorecard, Speaker, Turn

if TYPE_CHECKING:
    from hotline.inspect import Engine

_engine: Engine | None = None


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


def warm(engine: Engine) -> None:
    """Load what the engine loads on first use (the act model, lexicon automata, taxonomies), so that
    processes forked afterwards share it instead of each loading its own."""
    call = Call("warm-up", [Turn(Speaker.AGENT, "您好，12345政务服务便民热线，很高兴为您服务。"),
                            Turn(Speaker.CITIZEN, "你好，我想反映小区噪音的问题。")])
    if not engine.rulebook.settings.semantic:
        engine.inspect_batch([call])
        return
    from hotline.inspect import semantic

    with semantic.collecting():  # the embedding model itself is loaded by each worker, after the fork
        engine.inspect(call)


def swap_named(calls: Iterable[Call], ids: set[str], seen: set[str]) -> Iterator[Call]:
    """Calls with 坐席/市民 exchanged for the ids a person named (``--swap-roles``); ``seen`` collects them."""
    from hotline.formats.roles import swap_roles

    for call in calls:
        if call.id in ids:
            seen.add(call.id)
            call = swap_roles(call)
        yield call


def _inspect_chunk(calls: list[Call]) -> list[tuple[Call, Scorecard]]:
    assert _engine is not None
    return list(zip(calls, _engine.inspect_batch(calls), strict=True))


def _one_thread() -> None:
    from hotline.inspect import semantic

    semantic.one_thread()


def inspect_many(calls: Iterable[Call], rulebook: str | Path | None = None, jobs: int = 1,
                 chunksize: int = 64, semantic: bool | None = None) -> Iterator[tuple[Call, Scorecard]]:
    """(call, scorecard) for every call, in input order. ``jobs > 1``: that many processes forked with the
    engine built, fed chunks of calls by this one (for calls that are not in files, e.g. recordings;
    files go through ``hotline.batch.pool``, where each worker reads its own part)."""
    global _engine
    from hotline.inspect import load_engine

    _engine = load_engine(str(rulebook) if rulebook else None, semantic=semantic)
    if jobs <= 1:
        yield from inspect_chunked(_engine, calls, chunksize)
        return
    warm(_engine)
    it = iter(calls)
    chunks = iter(lambda: list(itertools.islice(it, chunksize)), [])
    import multiprocessing as mp  # here: a run without --jobs (most) does not load it and its sockets

    with mp.get_context("fork").Pool(jobs, initializer=_one_thread) as pool:
        for pairs in pool.imap(_inspect_chunk, chunks):
            yield from pairs
