"""The drivers of a chunk's explained calls read each n-gram's count from the chunk's counts through a table
indexed by the n-gram's number (``satisfaction._counts_of``), not from a sort of the explained calls' n-grams.
Each count must be the one ``np.unique`` gives over the explained calls' n-grams alone, whichever calls are
explained (the first alone, the last alone, every third, all): a call's run not written, or another call's
read, gives other counts."""

import sys
from pathlib import Path

import numpy as np
import pytest

from hotline.citizen import default_model
from hotline.citizen.satisfaction import ChunkGrams, _counts_of, prepare_text_buckets
from hotline.formats.jsonfmt import call_from_obj
from hotline.inspect import default_engine
from hotline.inspect.context import CallContext, prepare_acts

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from fresh import make_calls  # noqa: E402


@pytest.fixture(scope="module")
def chunk() -> tuple[list[CallContext], ChunkGrams]:
    engine = default_engine(semantic=False)
    calls = [call_from_obj(o, "c", str(i), str(i)) for i, o in enumerate(make_calls(12, 8, seed=5)[0])]
    contexts = [CallContext(c, engine.compiled) for c in calls]
    prepare_acts(contexts)
    model = default_model()
    assert model is not None
    grams = prepare_text_buckets(contexts, model.settings)
    assert grams is not None and grams.bounds is not None
    return contexts, grams


def _explained_numbers(grams: ChunkGrams, explained: list[int], width: int) -> np.ndarray:
    """The inside n-grams of the explained calls, the simple way: every number of the chunk whose call is one."""
    numbers = np.concatenate(grams.numbers)
    numbers = numbers[numbers != grams.crossing]
    return numbers[np.isin(numbers // width, explained)]


@pytest.mark.parametrize("pick", ["first", "last", "every third", "all"])
def test_each_count_is_the_explained_calls_own(chunk: tuple[list[CallContext], ChunkGrams], pick: str) -> None:
    contexts, grams = chunk
    model = default_model()
    assert model is not None and grams.bounds is not None
    width = 2 * model.settings.buckets
    every = list(range(len(contexts)))
    explained = {"first": every[:1], "last": every[-1:], "every third": every[1::3], "all": every}[pick]
    number = _explained_numbers(grams, explained, width)
    assert len(number)
    _, inverse, counts = np.unique(number, return_inverse=True, return_counts=True)
    got = _counts_of(number, grams, explained, grams.bounds, width * len(contexts))
    assert got.dtype == counts.dtype and np.array_equal(got, counts[inverse.ravel()])
