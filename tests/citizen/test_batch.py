"""Bulk inspection computes the dissatisfaction model's n-grams for a whole chunk of calls in one pass.
Each call must get exactly the arrays the single-call path computes (same buckets, weights and order),
so a call's prediction does not depend on which other calls share its chunk."""

import sys
from pathlib import Path

import numpy as np
import pytest

from hotline.citizen import default_model, prepare
from hotline.citizen.satisfaction import _grams, text_buckets
from hotline.formats import read_calls
from hotline.inspect import default_engine
from hotline.inspect.context import CallContext, prepare_acts
from hotline.model import Call, Speaker, Turn

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from fresh import make_calls  # noqa: E402

from hotline.content import data_path  # noqa: E402
from hotline.formats.jsonfmt import call_from_obj  # noqa: E402


def chunk() -> list[Call]:
    calls = list(read_calls(data_path("samples", "calls")))
    calls += [call_from_obj(o, "g", str(i), str(i)) for i, o in enumerate(make_calls(40, 9, seed=3)[0])]
    calls += [Call("agent-only", [Turn(Speaker.AGENT, "您好，12345。")]),
              Call("one-char", [Turn(Speaker.CITIZEN, "喂"), Turn(Speaker.AGENT, "您")]),
              Call("punctuation", [Turn(Speaker.CITIZEN, "？？"), Turn(Speaker.AGENT, "。")])]
    return calls


@pytest.fixture(scope="module")
def contexts() -> list[CallContext]:
    engine = default_engine(semantic=False)
    out = [CallContext(c, engine.compiled) for c in chunk()]
    prepare_acts(out)
    return [ctx for ctx in out if not ctx.no_text and ctx.call.turns]


def test_each_call_gets_the_arrays_of_the_single_call_path(contexts: list[CallContext]) -> None:
    model = default_model()
    assert model is not None
    prepare(contexts)
    for ctx in contexts:
        got = ctx.prepared[("text_buckets", id(model.settings))]
        want_cols, want_vals, _ = _grams(ctx, model.settings, positions=False)
        assert got[0].dtype == want_cols.dtype and np.array_equal(got[0], want_cols), ctx.call.id
        assert np.array_equal(got[1], want_vals), ctx.call.id
        read = text_buckets(ctx, model.settings)  # what predict reads: the same arrays (a compiled
        assert read[0] is got[0] and read[1] is got[1]  # module returns them in a new tuple)
        batch = model.predict(ctx)
        ctx.prepared.clear()
        assert model.predict(ctx) == batch, ctx.call.id  # bit for bit


def test_a_call_is_predicted_alike_alone_and_in_a_chunk() -> None:
    engine = default_engine(semantic=False)
    calls = chunk()
    together = engine.inspect_batch(calls)
    for call, card in zip(calls, together, strict=True):
        alone = engine.inspect(call)
        assert (alone.citizen and alone.citizen.dissatisfaction) == (card.citizen and card.citizen.dissatisfaction), call.id


def test_the_batch_path_reads_the_prepared_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    from hotline.citizen import satisfaction

    def refuse(ctx: object, s: object, positions: bool = True) -> object:
        if not positions:
            raise AssertionError("n-grams counted again for one call")
        return original(ctx, s, positions)

    original = satisfaction._grams
    monkeypatch.setattr(satisfaction, "_grams", refuse)
    cards = default_engine(semantic=False).inspect_batch(chunk())
    assert any(c.citizen and c.citizen.dissatisfaction is not None for c in cards)
