"""The C kernel of the act model's n-gram lookup and sums (``hotline._kernels.acts``, ``KeyTable.kernel``) gives
``SpeakerModel._score`` the very bits its numpy path gives (the plain definition: the kernel switched off on the
table): the same keys, the first row of equal keys, n-grams running from one text into the next, numpy's pairwise
sums per length (segments of under 8, up to 128 and past 128 rows), the division by the root of the count; on both
shipped speakers and on small models with collisions, a key 0, non-BMP grams and weights of wide range; texts empty,
with digits, newlines, emoji, class symbols (U+E000…), lone surrogates, repeated; an empty batch. Weights it cannot
read (float64, a model being trained) and lengths it refuses leave the numpy path. It survives a pickle and leaks
nothing. Skipped only when the compiled modules are switched off (``HOTLINE_NATIVE=0``): a build always makes it."""

from __future__ import annotations

import gc
import os
import pickle
import random
import sys
import tracemalloc

import numpy as np
import pytest

from hotline import native
from hotline.acts.hashing import KeyTable, acts_kernel, key_of
from hotline.acts.model import SpeakerModel, default_model

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")

ODD = ["", "0", "12345", "\n", " ", "^", "$", "^$", "😀", "\U0001f600\U0001f64f", "\ue000", "\ue001\ue005", "\ud83d",
       "𠀀", "１２３", "a", "Z9"]


def _plain(model: SpeakerModel, texts: list[str]) -> np.ndarray:
    """``_score`` by its numpy path: the kernel taken off the table for the call."""
    table = model.table
    kernel = table.kernel()
    table._kernel, table._kernel_tried = None, True
    try:
        return model._score(texts)
    finally:
        table._kernel, table._kernel_tried = kernel, True


def _same(model: SpeakerModel, texts: list[str]) -> None:
    fast = model._score(list(texts))
    plain = _plain(model, list(texts))
    assert fast.dtype == plain.dtype and fast.shape == plain.shape
    assert fast.tobytes() == plain.tobytes(), texts


def _texts(rng: random.Random, grams: list[str], chars: list[str]) -> list[str]:
    out: list[str] = []
    for _ in range(rng.randint(0, 24)):
        r = rng.random()
        if r < 0.3:  # a clause of vocabulary grams
            out.append("^" + "".join(rng.choice(grams) for _ in range(rng.randint(1, 12))) + "$")
        elif r < 0.4 and out:
            out.append(rng.choice(out))  # repeated
        elif r < 0.47:  # long: segments of more than 8, 128 and 256 rows of one length
            out.append("^" + "".join(rng.choice(grams) for _ in range(rng.randint(40, 400))) + "$")
        elif r < 0.55:
            out.append(rng.choice(ODD))
        else:
            body = "".join(rng.choice(chars) if rng.random() < 0.7 else rng.choice(ODD) for _ in range(rng.randint(0, 30)))
            out.append("^" + body + "$" if rng.random() < 0.8 else body)
    return out


@pytest.fixture(scope="module")
def shipped() -> dict[str, SpeakerModel]:
    model = default_model()
    for m in model.speakers.values():
        assert m.table.kernel() is not None, f"make install builds the kernel: {native.state()[1]}"
    return model.speakers


@pytest.mark.parametrize("speaker", ["agent", "citizen"])
def test_the_kernel_scores_the_shipped_models_as_numpy_does(shipped: dict[str, SpeakerModel], speaker: str) -> None:
    model = shipped[speaker]
    grams = [g for g in list(model.vocab)[::7] if g]
    chars = sorted({c for g in grams for c in g})
    rng = random.Random(f"s38-{speaker}")
    _same(model, [])
    _same(model, [""])
    _same(model, ODD)
    _same(model, ["^您好$"] * 5)
    for _ in range(150):
        _same(model, _texts(rng, grams, chars))


def test_probabilities_are_the_same_arrays(shipped: dict[str, SpeakerModel]) -> None:
    model = shipped["agent"]
    rng = random.Random("s38-probabilities")
    grams = [g for g in list(model.vocab)[::11] if g]
    texts = [t for _ in range(5) for t in _texts(rng, grams, ["你", "好", "1", "😀"])] or ["^好$"]
    fresh = SpeakerModel(model.speaker, model.acts, model.vocab, model.weights, model.bias, model.scale, model.shift)
    fresh._table = model.table
    got = fresh.probabilities(texts)
    table = model.table
    kernel = table.kernel()
    plain = SpeakerModel(model.speaker, model.acts, model.vocab, model.weights, model.bias, model.scale, model.shift)
    plain._table = KeyTable((), (table.keys, table.rows, table.lengths))
    plain._table._kernel_tried = True  # no kernel: the numpy path
    assert kernel is not None and plain.table.kernel() is None
    want = plain.probabilities(texts)
    assert got.dtype == want.dtype == np.float32 and got.tobytes() == want.tobytes()


def _small(vocab: list[str], acts: int, seed: int, table: KeyTable | None = None, dtype: type = np.float32) -> SpeakerModel:
    rng = np.random.default_rng(seed)
    # weights of every magnitude from 1e-4 to 1e4: the order of the adds shows in the bits
    weights = (rng.standard_normal((len(vocab), acts)) * 10.0 ** rng.integers(-4, 5, (len(vocab), 1))).astype(dtype)
    model = SpeakerModel("agent", [f"a{i}" for i in range(acts)], vocab, weights,
                         rng.standard_normal(acts).astype(np.float32), np.full(acts, 0.01, dtype=np.float32),
                         rng.standard_normal(acts).astype(np.float32))
    if table is not None:
        model._table = table
    return model


SMALL = ["你", "好", "你好", "^你", "好$", "😀", "😀好", "你😀好", "\ue000", "\ue000\ue000", "1", "12", "123", "1234",
         "\n", "$^", "^", "$", "a", "a", "好你好你", "\ud83d"]


@pytest.mark.parametrize("acts", [1, 3, 26])
def test_small_models_of_every_shape(acts: int) -> None:
    model = _small(SMALL, acts, acts)
    assert model.table.kernel() is not None and model.table.lengths == [1, 2, 3, 4]
    rng = random.Random(f"s38-small-{acts}")
    chars = ["你", "好", "😀", "\ue000", "1", "2", "3", "4", "\n", "^", "$", "a", "b", "\ud83d"]
    _same(model, ["$^"])  # only as an n-gram running from one text into the next
    _same(model, ["^你好$", "^好你$"])
    for _ in range(200):
        _same(model, _texts(rng, SMALL, chars))


def test_lengths_with_gaps() -> None:
    vocab = ["好", "你好你", "好你好", "1😀1", "😀"]
    model = _small(vocab, 4, 7)
    assert model.table.lengths == [1, 3] and model.table.kernel() is not None
    rng = random.Random("s38-gaps")
    for _ in range(100):
        _same(model, _texts(rng, vocab, ["你", "好", "1", "😀"]))
    _same(model, ["好"])  # shorter than the longest length: the lengths past the batch's size are not read
    _same(model, ["", "你"])


def test_equal_keys_read_the_first_row_and_key_zero_is_a_key() -> None:
    """Collisions (two rows under one key, the first in the sorted table read: a BMP 1-gram, a non-BMP one and a
    2-gram, read through the three ways the kernel finds a row) and key 0 (the hash table's empty mark) in the table,
    made by hand, each pair of equal keys once in each order of rows."""
    keys = [key_of("你"), key_of("你"), key_of("好"), key_of("好"), key_of("你好"), key_of("你好"), key_of("😀"),
            key_of("😀"), key_of("好😀"), key_of("好😀"), 0]
    for rows in ([9, 1, 0, 5, 2, 7, 3, 8, 6, 4, 10], [1, 9, 5, 0, 7, 2, 8, 3, 4, 6, 10]):
        order = sorted(range(len(keys)), key=lambda i: keys[i])  # stable: each pair of equal keys keeps its order
        table = KeyTable((), (np.array([keys[i] for i in order], dtype=np.uint64),
                              np.array([rows[i] for i in order], dtype=np.int64), [1, 2]))
        model = _small(["x"] * len(keys), 5, rows[0], table)
        assert table.kernel() is not None
        for texts in (["你好你好"], ["^你$", "好"], ["你", "", "好好好好好好好好好好好"], ["你好" * 150], ["好😀😀"],
                      ["😀", "你好😀"]):
            _same(model, texts)
        assert model._score(["你"]).tobytes() != model._score(["好"]).tobytes()


def test_weights_it_cannot_read_leave_the_numpy_path() -> None:
    model = _small(SMALL, 3, 5, dtype=np.float64)  # a model being trained: float64 weights, float32 sums differ
    kernel = model.table.kernel()
    assert kernel is not None
    texts = ["^你好你好😀$", "123", ""]
    out = np.empty((3, 3), dtype=np.float32)
    assert kernel.score(texts, model.weights, out) is False
    _same(model, texts)
    strided = np.asfortranarray(model.weights.astype(np.float32))
    assert kernel.score(texts, strided, out) is False
    assert kernel.score(texts, model.weights.astype(np.float32)[:2], out) is False  # rows the table names are missing
    assert kernel.score(texts, model.weights.astype(np.float32), np.empty((2, 3), dtype=np.float32)) is False
    with pytest.raises(TypeError):
        kernel.score(["a", 1], model.weights.astype(np.float32), out)


@pytest.mark.parametrize("lengths", [[0, 1], [2, 1], [1, 1], [65]])
def test_lengths_it_refuses_leave_the_numpy_path(lengths: list[int]) -> None:
    assert acts_kernel(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), lengths) is None


def test_it_survives_a_pickle(shipped: dict[str, SpeakerModel]) -> None:
    model = shipped["citizen"]
    kernel = model.table.kernel()
    again = pickle.loads(pickle.dumps(kernel))
    texts = ["^您好$", "^我家楼下的路灯坏了😀，123$", "", "\ue000"]
    a, b = (np.empty((len(texts), len(model.acts)), dtype=np.float32) for _ in range(2))
    assert kernel.score(texts, model.weights, a) and again.score(texts, model.weights, b)
    assert a.tobytes() == b.tobytes()


def test_it_leaks_nothing(shipped: dict[str, SpeakerModel]) -> None:
    model = shipped["agent"]
    kernel = model.table.kernel()
    texts = ["^您好，请问有什么可以帮您$", "^好的😀$", "", "^" + "物业" * 200 + "$"]
    out = np.empty((len(texts), len(model.acts)), dtype=np.float32)
    held = [texts, *texts[:2], texts[3], model.weights, out]  # (not "": a shared object others hold too)
    refs = [sys.getrefcount(x) for x in held]
    kernel.score(texts, model.weights, out)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(2000):
            kernel.score(texts, model.weights, out)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after - before < 4096
    assert [sys.getrefcount(x) for x in held] == refs


def _explain_plain(model: SpeakerModel, text: str, act: str, top: int) -> list[tuple[str, float]]:
    """``_explain`` by its numpy path (``hashing.Spans``): the kernel taken off the table for the call."""
    table = model.table
    kernel = table.kernel()
    table._kernel, table._kernel_tried = None, True
    try:
        return model._explain(text, act, top)
    finally:
        table._kernel, table._kernel_tried = kernel, True


def _explained_alike(model: SpeakerModel, text: str, act: str, top: int = 5) -> None:
    fast, plain = model._explain(text, act, top), _explain_plain(model, text, act, top)
    assert fast == plain and [type(w) for _, w in fast] == [float] * len(fast), (text, act)


@pytest.mark.parametrize("speaker", ["agent", "citizen"])
def test_explain_finds_the_same_grams_and_weights(shipped: dict[str, SpeakerModel], speaker: str) -> None:
    model = shipped[speaker]
    grams = [g for g in list(model.vocab)[::5] if g]
    chars = sorted({c for g in grams for c in g})
    rng = random.Random(f"s38-explain-{speaker}")
    texts = [*ODD, "^您好$", "^好^的$", "^$^$", "^你好$^谢谢$", "^" + "物业" * 150 + "$"]
    for _ in range(40):
        texts.extend(_texts(rng, grams, chars)[:3])
    for text in texts:
        _explained_alike(model, text, rng.choice(model.acts), rng.choice([0, 1, 5, 50]))


@pytest.mark.parametrize("acts", [1, 3])
def test_explain_on_small_models(acts: int) -> None:
    model = _small(SMALL, acts, 11 + acts)
    rng = random.Random(f"s38-explain-small-{acts}")
    chars = ["你", "好", "😀", "\ue000", "1", "2", "\n", "^", "$", "a", "\ud83d"]
    for _ in range(300):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 20)))
        if rng.random() < 0.6:
            text = "^" + text + "$"
        _explained_alike(model, text, rng.choice(model.acts), rng.choice([0, 3, 5, 100]))
    gaps = _small(["好", "你好你", "好你好", "1😀1", "😀"], 2, 5)  # lengths 1 and 3
    for text in ("^好你好你好$", "好", "1😀1😀1", "^😀$", ""):
        _explained_alike(gaps, text, "a1")


def test_explain_with_weights_it_cannot_read_takes_numpy() -> None:
    model = _small(SMALL, 3, 5, dtype=np.float64)
    kernel = model.table.kernel()
    assert kernel is not None and kernel.grams("^你好$", 4, True, True, model.weights, 0) is None
    assert kernel.grams("^你好$", 4, True, True, model.weights.astype(np.float32), 3) is None  # no such column
    for text in ("^你好😀$", "你好你好", "^1234$"):
        _explained_alike(model, text, "a2")
