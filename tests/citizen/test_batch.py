"""Bulk inspection computes the dissatisfaction model's n-grams for a whole chunk of calls in one pass.
Each call must get exactly the arrays the single-call path computes (same buckets, weights and order),
so a call's prediction does not depend on which other calls share its chunk."""

import sys
from dataclasses import replace
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
              Call("punctuation", [Turn(Speaker.CITIZEN, "？？"), Turn(Speaker.AGENT, "。")]),
              # a citizen turn of punctuation (words, no clause) between turns with clauses
              Call("mixed", [Turn(Speaker.CITIZEN, "你们到底管不管！！我都反映三次了"), Turn(Speaker.AGENT, "您别急"),
                             Turn(Speaker.CITIZEN, "？？"), Turn(Speaker.AGENT, "我马上登记"),
                             Turn(Speaker.CITIZEN, "好的，谢谢你")])]
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
        risk = model.dissatisfied(ctx)  # made for the whole chunk (predict_chunk)
        ctx.prepared.clear()
        assert model.predict(ctx) == batch, ctx.call.id  # bit for bit
        assert model.dissatisfaction(model.predict(ctx)) == risk, ctx.call.id


def test_a_call_is_predicted_alike_alone_and_in_a_chunk() -> None:
    engine = default_engine(semantic=False)
    calls = chunk()
    together = engine.inspect_batch(calls)
    for call, card in zip(calls, together, strict=True):
        alone = engine.inspect(call)
        assert (alone.citizen and alone.citizen.dissatisfaction) == (card.citizen and card.citizen.dissatisfaction), call.id


def test_the_batch_path_reads_the_prepared_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    """The chunk's n-grams are prepared once and each call's prediction reads them, not n-grams counted again:
    emptied once prepared (before the chunk's predictions are made), they must change the predictions
    (observed through ``hotline.citizen.prepare_text_buckets``, which ``hotline.citizen.prepare`` looks up
    when the engine judges a chunk, compiled or not)."""
    import hotline.citizen as citizen

    real = citizen.prepare_text_buckets
    emptied: list[str] = []

    def prepare_then_empty(contexts: list[CallContext], settings: object) -> None:
        real(contexts, settings)
        key = ("text_buckets", id(settings))
        for ctx in contexts:
            cols, vals = ctx.prepared[key]
            ctx.prepared[key] = (cols[:0], vals[:0])
            emptied.append(ctx.call.id)

    calls = chunk()
    engine = default_engine(semantic=False)
    alone = {c.id: engine.inspect(c) for c in calls}
    monkeypatch.setattr(citizen, "prepare_text_buckets", prepare_then_empty)
    cards = engine.inspect_batch(calls)
    assert emptied
    moved = [c.call_id for c in cards if c.call_id in emptied and c.citizen and alone[c.call_id].citizen
             and c.citizen.dissatisfaction != alone[c.call_id].citizen.dissatisfaction]  # type: ignore[union-attr]
    assert len(moved) >= len(emptied) // 2, (len(moved), len(emptied))


def test_the_whole_block_is_alike_alone_and_in_a_chunk() -> None:
    """Emotions, trajectory, escalation and drivers too: what the chunk prepares (act statistics, each turn's
    strongest probabilities) must be the numbers one call computes alone, to the last bit."""
    engine = default_engine(semantic=False)
    calls = chunk()
    for call, card in zip(calls, engine.inspect_batch(calls), strict=True):
        assert engine.inspect(call).citizen == card.citizen, call.id


def reference_act_features(ctx: CallContext) -> np.ndarray:
    """The act statistics as one call's numpy computes them: max, mean, first and last turn's max per side."""
    model = ctx.act_model()
    parts = []
    for speaker in ("citizen", "agent"):
        turns = [[c.probs for c in ctx.clause_acts(t)] for t in ctx.turns_of(speaker) if ctx.norm[t].text]
        turns = [rows for rows in turns if rows]
        if not turns:
            parts.append(np.zeros(len(model.for_speaker(speaker).acts) * 4))
            continue
        table = np.array([r for rows in turns for r in rows])
        parts.append(np.concatenate([table.max(0), table.mean(0), np.array(turns[0]).max(0), np.array(turns[-1]).max(0)]))
    texts = {sp: [ctx.call.turns[t].text for t in ctx.turns_of(sp)] for sp in ("citizen", "agent")}
    citizen = "".join(texts["citizen"])
    shape = [len(texts["citizen"]), len(texts["agent"]), np.log1p(len(citizen)), np.log1p(sum(map(len, texts["agent"]))),
             citizen.count("!") + citizen.count("！"), citizen.count("?") + citizen.count("？"),
             float(bool(ctx.speakers) and ctx.speakers[-1].value == "citizen")]
    return np.concatenate([*parts, np.array(shape, dtype=float)])


def test_the_chunk_act_features_are_each_calls_own(contexts: list[CallContext]) -> None:
    """Each call's mean adds its rows one after the other, as ``mean`` does (a pairwise sum over the chunk,
    ``np.add.reduceat``, moves the last bits of most calls)."""
    from hotline.citizen.satisfaction import act_features

    for ctx in contexts:
        ctx.prepared.clear()
    prepare(contexts)
    for ctx in contexts:
        got = act_features(ctx)
        want = reference_act_features(ctx)
        assert got.dtype == want.dtype and np.array_equal(got, want), ctx.call.id


def test_the_chunk_pulls_are_each_calls_own(contexts: list[CallContext]) -> None:
    """``drivers`` of a chunk's calls come from one numpy pass over the chunk (``prepare_pulls``): every turn's
    pull must be the single-call path's to the last bit, ties in the same order, for every kind of call here
    (samples, generated calls, a call without citizen words, one character, punctuation only)."""
    from hotline.citizen.satisfaction import prepare_pulls

    model = default_model()
    assert model is not None
    prepare_pulls(contexts, model)
    compared = 0
    for ctx in contexts:
        got = ctx.prepared[("pulls", id(model))]
        assert got == model.pulls(ctx), ctx.call.id
        compared += bool(got)
    assert compared >= len(contexts) - 3


@pytest.mark.parametrize("step", [1, 3])  # every call explained, and every third (the others' n-grams skipped)
@pytest.mark.parametrize("buckets", [None, 1000])  # the model's, and a number of buckets not a power of two
def test_the_pulls_read_from_the_chunks_n_grams_are_each_calls_own(contexts: list[CallContext],
                                                                    buckets: int | None, step: int) -> None:
    """Drivers read from the n-grams the chunk's buckets were counted from (``_pulls_from_chunk``, with calls of
    one side, one character and punctuation only among them) are the single-call path's pulls to the last bit,
    ties in the same order; the calls not explained get none."""
    from hotline.citizen.satisfaction import _pulls_from_chunk, prepare_text_buckets

    model = default_model()
    assert model is not None
    if buckets is not None:
        s = model.settings.model_copy(update={"buckets": buckets})
        rng = np.random.default_rng(2)
        model = replace(model, settings=s, idf=rng.random(2 * buckets).astype(np.float32),
                        text_weights=rng.standard_normal(2 * buckets).astype(np.float32))
    for ctx in contexts:
        ctx.prepared.clear()
    grams = prepare_text_buckets(contexts, model.settings)
    assert grams is not None
    _, weighted, bounds = model.predict_chunk(contexts, np.zeros((len(contexts), len(model.act_weights))))
    worded = [c for c, ctx in enumerate(contexts) if any(ctx.norm[t].text for t in ctx.turns_of("citizen"))]
    explained = worded[1::step] if step > 1 else worded  # (not the first piece: one before it is skipped)
    _pulls_from_chunk(contexts, explained, grams, model, weighted, bounds)
    for c in explained:
        ctx = contexts[c]
        assert ctx.prepared[("pulls", id(model))] == model.pulls(ctx), ctx.call.id
    assert all(("pulls", id(model)) not in contexts[c].prepared for c in set(worded) - set(explained))
    assert len(explained) >= 80 // step  # every call with citizen words, or every third of them


def test_the_calls_to_explain_get_their_drivers_from_the_chunk(contexts: list[CallContext]) -> None:
    """Preparing a chunk ranks the pulls of exactly the calls whose drivers the block will show (citizen words,
    predicted dissatisfaction at ``explain_from`` or more), and ``drivers`` reads them from there."""
    model = default_model()
    assert model is not None
    for ctx in contexts:
        ctx.prepared.clear()
    prepare(contexts)
    key = ("pulls", id(model))
    explained = [ctx for ctx in contexts if key in ctx.prepared]
    for ctx in contexts:
        words = any(ctx.norm[t].text for t in ctx.turns_of("citizen"))
        due = words and model.dissatisfaction(model.predict(ctx)) >= model.settings.explain_from
        assert (key in ctx.prepared) == due, ctx.call.id
    assert explained
    ctx = explained[0]
    ctx.prepared[key] = [(99, -1.0)]
    assert model.drivers(ctx) == [99]


def reference_emotions(ctx: CallContext) -> tuple[list[tuple[int, float]], list[tuple[int, float]], bool]:
    """One call's emotions turn by turn, read from its clauses as the rule says: the strongest probability of the
    anger (anxiety) acts over the turn's clauses, each cue the turn shows raising both (1 − (1 − v)(1 − cue));
    and whether one of the last ``end_turns`` turns with words shows a settled act."""
    import re

    from hotline.citizen import load_settings

    es = load_settings().emotion
    index = ctx.act_model().for_speaker("citizen").index

    def strongest(t: int, acts: list[str], missing: float) -> float:
        probs = [float(c.probs[index[a]]) for c in ctx.clause_acts(t) for a in acts]
        return max(probs) if probs else missing

    anger, anxiety = [], []
    turns = [t for t in ctx.turns_of("citizen") if ctx.norm[t].text]
    for t in turns:
        a, x = strongest(t, es.anger_acts, 0.0), strongest(t, es.anxiety_acts, 0.0)
        for cue in es.cues:
            if (strongest(t, [cue.act], -1.0) >= cue.min_prob if cue.act is not None
                    else re.search(cue.pattern or "", ctx.call.turns[t].text) is not None):
                a, x = 1 - (1 - a) * (1 - cue.anger), 1 - (1 - x) * (1 - cue.anxiety)
        anger.append((t, a))
        anxiety.append((t, x))
    settled = any(strongest(t, es.settled_acts, -1.0) >= es.settled_min_prob for t in turns[-es.end_turns:])
    return anger, anxiety, settled


def test_the_chunk_emotions_are_each_turns_own(contexts: list[CallContext]) -> None:
    """Each turn's anger and anxiety, made for the whole chunk at once in ``prepare``, are the numbers one turn's
    clauses and cues give, to the last bit; a turn of punctuation (words, no clause) keeps its place."""
    from hotline.citizen import load_settings
    from hotline.citizen.emotion import emotions_of

    for ctx in contexts:
        ctx.prepared.clear()
    prepare(contexts)
    raised = 0
    for ctx in contexts:
        anger, anxiety, accepted = reference_emotions(ctx)
        emotions = emotions_of(ctx, load_settings())
        assert (emotions.anger, emotions.anxiety) == (anger, anxiety), ctx.call.id
        assert emotions.settled == accepted, ctx.call.id
        raised += any(a >= 0.15 for _, a in anger)
    assert raised
    mixed = next(ctx for ctx in contexts if ctx.call.id == "mixed")
    assert [t for t, _ in emotions_of(mixed, load_settings()).anger] == [0, 2, 4]
    assert not mixed.clause_acts(2) and mixed.clause_acts(4)  # the case this call is here for


@pytest.mark.parametrize("longest", [12, 5000])  # laid side by side; one run far longer than the rest
def test_the_runs_of_a_table_are_summed_row_after_row(longest: int) -> None:
    from hotline.citizen.satisfaction import _sums

    rng = np.random.default_rng(7)
    counts = np.array([3, longest, 1, 7, 2, 9], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    table = rng.random((int(counts.sum()), 11)).astype(np.float32)
    got = _sums(table, starts, counts)
    want = np.array([table[a:a + n].sum(0) for a, n in zip(starts, counts, strict=True)])
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert not np.array_equal(got, np.add.reduceat(table, starts, axis=0))  # pairwise adds: other bits


@pytest.mark.parametrize("longest", [4, 50])  # row by row over the runs still going; one run far longer: reduceat
def test_the_maxima_of_runs_are_reduceats(longest: int) -> None:
    from hotline.citizen.satisfaction import _maxima

    rng = np.random.default_rng(11)
    counts = rng.integers(1, 4, 600)
    counts[[5, 17, 300]] = longest
    counts = counts.astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    table = rng.random((int(counts.sum()), 9)).astype(np.float32)
    got = _maxima(table, starts, counts)
    want = np.maximum.reduceat(table, starts, axis=0)
    assert got.dtype == want.dtype and np.array_equal(got, want)


def test_keys_are_grouped_as_unique_does() -> None:
    from hotline.citizen.satisfaction import _grouped

    rng = np.random.default_rng(5)
    for high in (2**20, 2**40):  # sorted as 32-bit numbers when they fit, as they are when not
        keys = rng.integers(0, high, 5000, dtype=np.int64)
        keys = np.concatenate([keys, keys[:700], [high - 1]])
        got, inverse, counts = _grouped(keys)
        want, want_inverse, want_counts = np.unique(keys, return_inverse=True, return_counts=True)
        assert np.array_equal(got, want) and np.array_equal(inverse, want_inverse) and np.array_equal(counts, want_counts)


@pytest.mark.parametrize("top", [None, 2**32])  # 32-bit numbers, and 64-bit ones (as numbers past 2³² would be)
@pytest.mark.parametrize("buckets", [4096, 1000])
@pytest.mark.parametrize("ngram_max", [1, 3, 4])
def test_the_n_grams_of_joined_pieces_are_each_pieces_own(top: int | None, buckets: int, ngram_max: int) -> None:
    """Over the pieces joined, an n-gram that runs into the next piece is no piece's: the numbers counted are
    each piece's own n-grams (hashed alone), numbered by its owner, as ``np.unique`` counts them; pieces as
    short as a piece gets (``^x$``: no 4-gram), and the same owner's pieces next to each other."""
    from hotline.acts.hashing import codes_of, keys
    from hotline.citizen.satisfaction import _counted_keys

    model = default_model()
    assert model is not None
    s = model.settings.model_copy(update={"buckets": buckets, "ngram_max": ngram_max})
    pieces = ["^你们到底管不管！！$", "^喂$", "^好$", "^我都反映三次了，还没人来$", "^您别急我马上登记$", "^？？$"]
    owner = [0, 1, 3, 4, 4, 9]
    numbers = [keys(codes_of(p), n) % np.uint64(buckets) + np.uint64(o * buckets)
               for p, o in zip(pieces, owner, strict=True) for n in range(1, ngram_max + 1) if len(p) >= n]
    want, want_counts = np.unique(np.concatenate(numbers), return_counts=True)
    grams = _counted_keys(pieces, owner, s, top or 10 * buckets)
    got, counts = grams.combined, grams.counts
    assert got.dtype == (np.uint64 if top else np.uint32)
    assert np.array_equal(got, want) and np.array_equal(counts, want_counts)


def test_the_sublinear_table_gives_what_log_gives() -> None:
    from hotline.citizen.satisfaction import _sublinear

    counts = np.concatenate([np.arange(1, 300), [5000, 1, 2, 70000, 3]]).astype(np.int64)
    for weight in (0.5, 0.3, 1.0):
        table = _sublinear(counts, weight)
        for side, w in enumerate((1.0, weight)):
            want = np.full(len(counts), w) * (1 + np.log(counts))
            assert np.array_equal(table[np.full(len(counts), side), counts], want)


@pytest.mark.parametrize("buckets", [4096, 1000])  # a power of two (its low bits) and not (the remainder)
def test_the_chunk_buckets_are_the_single_call_paths_for_any_number_of_buckets(
        contexts: list[CallContext], buckets: int) -> None:
    from hotline.citizen.satisfaction import prepare_text_buckets

    model = default_model()
    assert model is not None
    s = model.settings.model_copy(update={"buckets": buckets})
    prepare_text_buckets(contexts, s)
    for ctx in contexts:
        got = ctx.prepared[("text_buckets", id(s))]
        want_cols, want_vals, _ = _grams(ctx, s, positions=False)
        assert np.array_equal(got[0], want_cols) and np.array_equal(got[1], want_vals), ctx.call.id
