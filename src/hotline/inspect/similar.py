"""The semantic-similarity operator: a turn hits when it is closer to the examples than the
calibrated threshold and clearer of the counter-examples by a margin."""

from __future__ import annotations

import os
from typing import Any

from hotline.inspect.context import CallContext, Hit
from hotline.norms.schema import SimilarOp

_example_vectors: dict[int, tuple[Any, Any]] = {}


def semantic_enabled(ctx: CallContext) -> bool:
    if not ctx.semantic or not ctx.compiled.rulebook.settings.semantic:
        return False
    return os.environ.get("HOTLINE_SEMANTIC", "1") != "0"


def similar_hits(op: SimilarOp, ctx: CallContext, turns: list[int]) -> list[Hit]:
    if not semantic_enabled(ctx):
        return []
    todo = [i for i in turns if len(ctx.norm[i].text) >= max(op.min_chars, 1)]
    if not todo:
        return []
    from hotline.inspect import semantic

    if id(op) not in _example_vectors:
        neg = semantic.embed(op.counter_examples) if op.counter_examples else None
        _example_vectors[id(op)] = (semantic.embed(op.examples), neg)
    collect = semantic.pending()
    if collect is not None:  # first pass of a batch: note what to embed, judge later
        collect.extend(ctx.norm[i].text for i in todo if not semantic.cached(ctx.norm[i].text))
        return []
    pos, neg = _example_vectors[id(op)]
    missing = [i for i in todo if i not in ctx.embeddings]
    if missing:
        for i, vec in zip(missing, semantic.embed([ctx.norm[i].text for i in missing]), strict=True):
            ctx.embeddings[i] = vec
    out = []
    for i in todo:
        v = ctx.embeddings[i]
        best = float((pos @ v).max())
        worst = float((neg @ v).max()) if neg is not None else 0.0
        if best >= op.threshold and best - worst >= op.margin:
            out.append(Hit(i, 0, len(ctx.norm[i].text), f"语义相似度 {best:.3f}"))
    return out
