"""Session 39: ``ActModel.clause_batch`` reads each clause's feature text and act probabilities from its speaker's
``ClauseMemo`` (``hotline._kernels.features``) by the clause itself, making and scoring only the clauses the memo
does not hold: the same spans, feature texts and probability bits as the plain definition (``Featurizer.flat_batch``
then ``SpeakerModel.probabilities``), batch after batch (clauses new, known, repeated within a batch, closed by
``?``/``!``/other marks and runs of them), on texts of class words, digits, separators, emoji and other non-BMP
characters, empty and repeated texts, and batches the memo does not read (quotes, ``^``/``$``, newlines). The memo
keeps at most its limit, reads a row it holds instead of scoring it again, leaves spans it cannot read to the Python
path, refuses a score of the wrong shape, survives a re-entrant score and a pickle, and leaks nothing. Skipped only
when the compiled modules are switched off (``HOTLINE_NATIVE=0``): a build always makes it."""

from __future__ import annotations

import gc
import os
import pickle
import random
import sys

import numpy as np
import pytest

from hotline import native
from hotline.acts.features import Featurizer
from hotline.acts.model import ActModel, clause_memo, default_model
from hotline.acts.segment import kernel
from hotline.text import normalize

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")

SEPARATORS = ".,?!;:~。，？！；：…—"
EXTRA = ["0", "1", "2", "3", "9", "12", "345", "12345", "*", ".", "..", "**", " ", "a", "Z", "好", "的", "😡", "𠀀",
         "①", "١", "٣", "一", "热线", "政务", "公", "部", "1.5", "3*4", ".5", "5.", "?!", "!?", "!!", "??", "请问",
         "你自己去找物业", "然后我就打电话给他们但是他们一直不接"]


@pytest.fixture(scope="module")
def model() -> ActModel:
    assert kernel() is not None, f"make install builds the kernel: {native.state()[1]}"
    return default_model()


def _alphabet(f: Featurizer) -> list[str]:
    words = list(f._words)
    prefixes = sorted({w[:k] for w in words for k in range(1, len(w))})
    return words + prefixes + list(SEPARATORS) + EXTRA


def _turns(f: Featurizer, rng: random.Random, count: int, odd: str = "") -> list[str]:
    """Normalised turns (some repeated, some empty); ``odd`` characters (a quote, ``^``, ``$``, a newline) mixed in
    when given."""
    alpha = _alphabet(f) + list(odd)
    made = [normalize("".join(rng.choice(alpha) for _ in range(rng.randint(0, 12)))).text for _ in range(count)]
    return made + made[: count // 3] + [""]


def _plain(model: ActModel, speaker: str, batch: list[str]) -> tuple[list[list[tuple[int, int, str]]], bytes, tuple]:
    spans, texts = model.featurizer.flat_batch(batch)
    probs = model.speakers[speaker].probabilities(texts) if texts else np.zeros((0, 0), dtype=np.float32)
    k = iter(texts)
    return [[(s, e, next(k)) for s, e, _ in row] for row in spans], probs.tobytes(), (probs.dtype, probs.shape)


def _fast(model: ActModel, speaker: str, batch: list[str]) -> tuple[list[list[tuple[int, int, str]]], bytes, tuple]:
    rows, probs = model.clause_batch(speaker, batch)
    for turn in rows:
        for c in turn:
            assert c.probs.tobytes() == probs[c.row].tobytes()
    return [[(c.start, c.end, c.feature_text) for c in turn] for turn in rows], probs.tobytes(), (probs.dtype,
                                                                                                  probs.shape)


def test_clause_batch_is_flat_batch_and_probabilities(model: ActModel) -> None:
    """Batch after batch (the memo filling up: clauses known, new, repeated in the batch), both speakers: the memo's
    feature texts and rows are the plain definition's, bit for bit (fails when a clause's tail, its hash or compare,
    a row copied from the memo or from the batch's new rows, or a new clause's feature text is wrong)."""
    f = model.featurizer
    rng = random.Random(39)
    for speaker in ("agent", "citizen"):
        model._memos.pop(speaker, None)
        for _ in range(30):
            batch = _turns(f, rng, 25)
            assert _fast(model, speaker, batch) == _plain(model, speaker, batch)
        memo = model._memos[speaker]
        assert memo is not False and len(memo) > 0  # (the memo read them)
        width = len(model.speakers[speaker].acts)
        assert memo.width == width
        # every batch again: now all from the memo
        rng2 = random.Random(39)
        for _ in range(5):
            batch = _turns(f, rng2, 25)
            assert _fast(model, speaker, batch) == _plain(model, speaker, batch)
    # the same clause closed by other marks: other feature texts and rows
    for batch in (["好的?", "好的!", "好的", "好的?!", "好的!?", "好的!!", "好的.?"], ["", "", ""], [],
                  ["请问您贵姓?请问您贵姓!请问您贵姓"], ["😡😡?", "𠀀!", "١٢٣?"]):
        assert _fast(model, "agent", batch) == _plain(model, "agent", batch)


def test_batches_the_memo_does_not_read(model: ActModel) -> None:
    """Turns holding a quote mark, ``^``, ``$`` or a newline go the Python way, with the same results."""
    f = model.featurizer
    rng = random.Random(7)
    for odd in ("“”", "^", "$", "\n", "「」"):
        for _ in range(5):
            batch = _turns(f, rng, 12, odd)
            assert _fast(model, "citizen", batch) == _plain(model, "citizen", batch)


def _counting(width: int) -> tuple[list[list[str]], object]:
    """A score that records the texts it is asked for and gives row ``i`` of its calls the values ``i``, ``i`` + 0.5…"""
    asked: list[list[str]] = []

    def score(texts: list[str]) -> np.ndarray:
        start = sum(map(len, asked))
        asked.append(list(texts))
        return (np.arange(start, start + len(texts), dtype=np.float32)[:, None]
                + np.arange(width, dtype=np.float32) / 2).astype(np.float32)

    return asked, score


def _rows(block: bytearray, width: int) -> list[list[float]]:
    return np.frombuffer(block, dtype=np.float32).reshape(-1, width).tolist()


def test_memo_reads_what_it_holds_and_scores_the_rest_once() -> None:
    """A clause the memo holds is read from it (not scored again: its first row comes back); a clause repeated in a
    batch is scored once; the same clause under another tail is another clause; the tail is ``?`` over ``!``."""
    native_kernel = kernel()
    assert native_kernel is not None
    f = Featurizer()
    memo = native_kernel.ClauseMemo(3, 100)
    asked, score = _counting(3)
    texts = ["好的?好的!好的.好的", "好的?", "3.5元", "3.6元"]
    spans = f.segmenter._walk(texts)
    got = memo.batch(texts, spans, f._abstracter, score)
    assert got is not None
    feats, block = got
    assert feats == ["^好的?$", "^好的!$", "^好的$", "^好的$", "^好的?$", "^\ue000元$", "^\ue000元$"]
    assert asked == [["^好的?$", "^好的!$", "^好的$", "^\ue000元$"]]  # (each text once, first seen first)
    rows = _rows(block, 3)
    assert rows[0] == rows[4] == [0.0, 0.5, 1.0] and rows[1] == [1.0, 1.5, 2.0]
    assert rows[2] == rows[3] == [2.0, 2.5, 3.0] and rows[5] == rows[6] == [3.0, 3.5, 4.0]
    assert len(memo) == 5  # (clauses)
    again = ["好的!?", "好的!", "新的"]
    feats, block = memo.batch(again, f.segmenter._walk(again), f._abstracter, score)
    assert feats == ["^好的?$", "^好的!$", "^新的$"]
    assert asked[1:] == [["^新的$"]]  # (held: read, not scored)
    assert _rows(block, 3) == [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [4.0, 4.5, 5.0]]
    assert len(memo) == 6
    # a new clause of a text held: read by its text, not scored; then held as a clause too
    for _ in range(2):
        feats, block = memo.batch(["7.7元"], [((0, 4, ""),)], f._abstracter, score)
        assert feats == ["^\ue000元$"] and _rows(block, 3) == [[3.0, 3.5, 4.0]] and len(asked) == 2
        assert len(memo) == 7
    # nothing new: no score call at all
    feats, block = memo.batch(["好的"], [((0, 2, ""),)], f._abstracter, score)
    assert len(asked) == 2 and feats == ["^好的$"] and _rows(block, 3) == [[2.0, 2.5, 3.0]]
    # a text held, its clauses forgotten (cleared): scored again, kept again
    memo.clear()
    feats, block = memo.batch(["7.7元", "8元"], [((0, 4, ""),), ((0, 2, ""),)], f._abstracter, score)
    assert asked[2:] == [["^\ue000元$"]] and _rows(block, 3) == [[5.0, 5.5, 6.0]] * 2 and len(memo) == 2
    assert memo.batch([], [], f._abstracter, score) == ([], bytearray())
    memo.clear()
    assert len(memo) == 0


def test_memo_keeps_at_most_its_limit() -> None:
    """A batch whose new clauses would take the memo past its limit clears it first (and it never holds more), with
    the same texts and rows either way."""
    native_kernel = kernel()
    assert native_kernel is not None
    f = Featurizer()
    width = 2
    memo = native_kernel.ClauseMemo(width, 4)
    asked, score = _counting(width)
    first = ["一,二,三"]
    memo.batch(first, f.segmenter._walk(first), f._abstracter, score)
    assert len(memo) == 3
    memo.batch(["一"], [((0, 1, ""),)], f._abstracter, score)
    assert len(memo) == 3 and len(asked) == 1  # (held)
    second = ["四,五"]
    feats, _ = memo.batch(second, f.segmenter._walk(second), f._abstracter, score)
    assert feats == ["^四$", "^五$"] and len(memo) == 2  # (3 + 2 > 4: cleared first)
    feats, block = memo.batch(["一"], [((0, 1, ""),)], f._abstracter, score)
    assert asked[-1] == ["^一$"] and len(memo) == 3  # (forgotten, scored again)
    many = [",".join(str(i) + "号" + chr(0x4E00 + i) for i in range(9))]
    feats, block = memo.batch(many, f.segmenter._walk(many), f._abstracter, score)
    assert len(feats) == 9 and len(memo) == 4  # (never past the limit)
    assert len(native_kernel.ClauseMemo(width, 0).batch(many, f.segmenter._walk(many), f._abstracter, score)[0]) == 9


def test_memo_leaves_odd_spans_and_refuses_bad_scores() -> None:
    """Spans it cannot read (not (int, int, str), past the text) give None (the Python path); a score of the wrong
    shape or type raises, an exception in the score comes through; the memo keeps nothing of a failed batch."""
    native_kernel = kernel()
    assert native_kernel is not None
    f = Featurizer()
    memo = native_kernel.ClauseMemo(2, 100)
    _, score = _counting(2)
    ab = f._abstracter
    for spans in ([((0, 9, ""),)], [((-1, 1, ""),)], [((2, 1, ""),)], [(("a", 1, ""),)], [((0, 1, 5),)], [[(0, 1, "")]],
                  [((0, 1),)], [((0, 2 ** 70, ""),)], [((True, 1, ""),)]):
        assert memo.batch(["好的"], spans, ab, score) is None
    assert len(memo) == 0
    with pytest.raises(ValueError):
        memo.batch(["好的"], [], ab, score)
    with pytest.raises(TypeError):
        memo.batch(["好的"], [((0, 2, ""),)], "ab", score)
    for bad in (lambda t: np.zeros((len(t), 3), dtype=np.float32), lambda t: np.zeros((len(t), 2), dtype=np.float64),
                lambda t: np.zeros((len(t) + 1, 2), dtype=np.float32), lambda t: np.zeros(2 * len(t), dtype=np.float32),
                lambda t: "no rows"):
        with pytest.raises((ValueError, TypeError)):
            memo.batch(["好的"], [((0, 2, ""),)], ab, bad)

    def fails(texts: list[str]) -> np.ndarray:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        memo.batch(["好的"], [((0, 2, ""),)], ab, fails)
    assert len(memo) == 0
    with pytest.raises(ValueError):
        native_kernel.ClauseMemo(0, 10)
    with pytest.raises(ValueError):
        native_kernel.ClauseMemo(2, -1)
    assert clause_memo(0) is False


def test_a_reentrant_score_keeps_one_entry() -> None:
    """A score that itself puts the same clause in the memo (another thread would, while the score runs): the batch
    keeps the entry already there, and gives its own rows."""
    native_kernel = kernel()
    assert native_kernel is not None
    f = Featurizer()
    memo = native_kernel.ClauseMemo(2, 100)
    _, inner = _counting(2)

    def score(texts: list[str]) -> np.ndarray:
        memo.batch(["好的"], [((0, 2, ""),)], f._abstracter, inner)
        return np.full((len(texts), 2), 7.0, dtype=np.float32)

    feats, block = memo.batch(["好的,你好"], [((0, 2, ","), (3, 5, ""))], f._abstracter, score)
    assert feats == ["^好的$", "^你好$"] and _rows(block, 2) == [[7.0, 7.0], [7.0, 7.0]]
    assert len(memo) == 2
    feats, block = memo.batch(["好的"], [((0, 2, ""),)], f._abstracter, score)
    assert _rows(block, 2) == [[0.0, 0.5]]  # (the entry put in first)


def test_memo_pickles_empty_and_leaks_nothing(model: ActModel) -> None:
    """A pickled memo comes back empty with its width and limit; 10,000 batches (new clauses and known) leave the
    reference counts of the texts, marks, abstracter, score and feature texts where they were."""
    native_kernel = kernel()
    assert native_kernel is not None
    f = model.featurizer
    memo = native_kernel.ClauseMemo(3, 50)
    _, score = _counting(3)
    texts = [normalize(t).text for t in ["物业好。你好？12345热线！", "好", "3.5元,1,200块", "然后我就打电话给他们但是他们"]]
    spans = f.segmenter._walk(texts)
    memo.batch(texts, spans, f._abstracter, score)
    again = pickle.loads(pickle.dumps(memo))
    assert (again.width, again.limit, len(again), len(memo)) == (3, 50, 0, 7)
    gc.collect()

    def counts() -> list[int]:
        return ([sys.getrefcount(t) for t in texts] + [sys.getrefcount(s) for s in spans]
                + [sys.getrefcount(f._abstracter), sys.getrefcount(score)])

    before = counts()
    rng = random.Random(3)
    for i in range(10_000):
        memo.batch(texts, spans, f._abstracter, score)
        new = [f"新{i}{rng.choice('的了吗')}"]
        memo.batch(new, [((0, len(new[0]), "?"),)], f._abstracter, score)
    memo.clear()
    gc.collect()
    assert counts() == before
    # the feature texts: held by the memo while it holds their clauses, by nothing of it once it is gone
    held = native_kernel.ClauseMemo(3, 50)

    def zeros(new: list[str]) -> np.ndarray:  # (keeps none of the texts, as ``_counting``'s does)
        return np.zeros((len(new), 3), dtype=np.float32)

    feats = held.batch(texts, spans, f._abstracter, zeros)[0]
    again_feats = held.batch(texts, spans, f._abstracter, zeros)[0]
    assert all(a is b for a, b in zip(feats, again_feats, strict=True))
    del held, again_feats
    gc.collect()
    assert [sys.getrefcount(t) for t in feats] == [3] * len(feats)  # (the list, the loop, the call)
