"""The act model's key table saved beside its vocabulary: read back at start-up only when it was computed
from that very vocabulary with today's keys; anything else is refused and the table computed again."""

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hotline.acts import hashing
from hotline.acts.hashing import KeyTable, key_of, saved_table
from hotline.acts.model import SpeakerModel, default_model, model_dir, read_model, save_model

N = 500  # more grams than the spot checks, so only the guard each case names can catch it


def _vocab() -> list[str]:
    chars = "你好请问有什么可以帮您物业电话工作日内回复谢再"
    grams = [a + b for a in chars for b in chars][: N - 3]
    assert len(grams) == N - 3
    return [*grams, "^好的$", "a", "a"]  # "a" twice: two equal keys, whose rows must stay in vocabulary order


def _saved(vocab: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    array = np.array(vocab)
    return array, KeyTable(vocab).saved(array)


def _unspotted(n: int) -> int:
    """A position of the sorted table that the spot checks do not look at."""
    spots = set(hashing.spot_checked(n))
    return next(i for i in range(n // 2, n) if i not in spots and i + 1 not in spots)


def test_a_saved_table_is_the_table_computed_from_the_vocabulary() -> None:
    vocab = _vocab()
    array, saved = _saved(vocab)
    table, computed = saved_table(array, saved), KeyTable(vocab)
    assert table is not None
    assert table.keys.tolist() == computed.keys.tolist() and table.rows.tolist() == computed.rows.tolist()
    assert table.rows.dtype == computed.rows.dtype and table.lengths == computed.lengths == [1, 2, 4]


def _other_vocabulary(saved: dict[str, np.ndarray], vocab: list[str]) -> tuple[np.ndarray, dict]:
    """One gram changed where no spot check looks: only the vocabulary's digest tells."""
    changed = list(vocab)
    row = int(saved["table_rows"][_unspotted(len(vocab))])
    changed[row] = "改过"
    return np.array(changed), saved


def _unsorted(saved: dict[str, np.ndarray], vocab: list[str]) -> tuple[np.ndarray, dict]:
    i = _unspotted(len(vocab))
    keys, rows = saved["table_keys"].copy(), saved["table_rows"].copy()
    keys[[i, i + 1]], rows[[i, i + 1]] = keys[[i + 1, i]], rows[[i + 1, i]]
    return np.array(vocab), {**saved, "table_keys": keys, "table_rows": rows}


def _ties_reordered(saved: dict[str, np.ndarray], vocab: list[str]) -> tuple[np.ndarray, dict]:
    rows = saved["table_rows"].copy()
    tied = np.flatnonzero(saved["table_keys"] == key_of("a"))
    rows[tied] = rows[tied[::-1]]
    return np.array(vocab), {**saved, "table_rows": rows}


def _a_row_twice(saved: dict[str, np.ndarray], vocab: list[str]) -> tuple[np.ndarray, dict]:
    rows = saved["table_rows"].copy()
    i = _unspotted(len(vocab))
    rows[i] = rows[i + 1]
    return np.array(vocab), {**saved, "table_rows": rows}


def _other_key_scheme(saved: dict[str, np.ndarray], vocab: list[str]) -> tuple[np.ndarray, dict]:
    """Keys from another polynomial (same digest, sorted, each row once): only the spot checks tell."""
    other = np.array([hash(("another scheme", g)) & ((1 << 63) - 1) for g in vocab], dtype=np.uint64)
    order = np.argsort(other, kind="stable")
    return np.array(vocab), {**saved, "table_keys": other[order], "table_rows": order.astype(np.int32)}


def _missing(saved: dict[str, np.ndarray], vocab: list[str]) -> tuple[np.ndarray, dict]:
    return np.array(vocab), {k: v for k, v in saved.items() if k != "table_keys"}


def _wrong_length(saved: dict[str, np.ndarray], vocab: list[str]) -> tuple[np.ndarray, dict]:
    return np.array(vocab), {**saved, "table_keys": saved["table_keys"][:-1]}


@pytest.mark.parametrize("spoil", [_other_vocabulary, _unsorted, _ties_reordered, _a_row_twice, _other_key_scheme,
                                   _missing, _wrong_length])
def test_a_table_that_is_not_this_vocabularys_is_refused(spoil: Callable) -> None:
    vocab = _vocab()
    _, saved = _saved(vocab)
    array, spoiled = spoil(saved, vocab)
    assert saved_table(array, spoiled) is None


def test_saved_and_read_back_with_its_table(tmp_path: Path) -> None:
    bundled = default_model()
    speakers = {s: SpeakerModel(s, m.acts, _vocab(), np.zeros((N, len(m.acts)), dtype=np.float32), m.bias, m.scale,
                                m.shift) for s, m in bundled.speakers.items()}
    save_model(tmp_path, speakers, {"name": "test"})
    back = read_model(tmp_path)
    for speaker, m in back.speakers.items():
        assert m._table is not None, speaker  # read, not computed
        assert m._table.keys.tolist() == KeyTable(_vocab()).keys.tolist()


def test_a_model_saved_without_a_table_computes_it(tmp_path: Path) -> None:
    bundled = default_model()
    for speaker, m in bundled.speakers.items():
        np.savez(tmp_path / f"{speaker}.npz", acts=np.array(m.acts), vocab=np.array(m.vocab[:N]),
                 weights=m.weights[:N].astype(np.float16), bias=m.bias, scale=m.scale, shift=m.shift)
    (tmp_path / "card.json").write_text("{}", encoding="utf-8")
    back = read_model(tmp_path)
    for m in back.speakers.values():
        assert m._table is None
        assert m.table.keys.tolist() == KeyTable(m.vocab).keys.tolist()


def test_the_bundled_model_starts_with_its_own_table() -> None:
    for speaker, m in read_model(model_dir()).speakers.items():
        assert m._table is not None, f"{speaker}.npz has no valid key table: save it again with save_model"
        computed = KeyTable(m.vocab)
        assert m._table.keys.tolist() == computed.keys.tolist() and m._table.rows.tolist() == computed.rows.tolist()
        assert m._table.lengths == computed.lengths


@pytest.mark.parametrize("vocab", [["a", "bb", "ccc"], ["a\x00b", "", "xyzw"], ["^好的$"], ["", ""], ["abcd", "a"]])
def test_the_lengths_read_back_are_the_vocabularys(vocab: list[str]) -> None:
    array = np.array(vocab)
    table = saved_table(array, KeyTable(vocab).saved(array))
    assert table is not None and table.lengths == KeyTable(vocab).lengths == sorted({len(g) for g in vocab})


def test_a_loaded_vocabulary_is_made_into_strings_only_when_read(tmp_path: Path) -> None:
    from hotline.acts.hashing import Vocabulary

    model = read_model(model_dir())
    for m in model.speakers.values():
        assert isinstance(m.vocab, Vocabulary) and m.vocab._items is None
        assert m.probabilities(["^您好这个不归我们管$"]).shape == (1, len(m.acts))  # judged through the keys
        m.explain("^您好这个不归我们管$", m.acts[0])
        assert m.vocab._items is None
    vocab = model.for_speaker("citizen").vocab
    assert len(vocab) == len(vocab.array) and vocab == vocab.array.tolist() and vocab[0] == list(vocab)[0]
    save_model(tmp_path, model.speakers, model.card)
    assert read_model(tmp_path).for_speaker("agent").vocab == model.for_speaker("agent").vocab


def _small_model(tmp_path: Path, rows: int = N) -> Path:
    bundled = default_model()
    speakers = {s: SpeakerModel(s, m.acts, _vocab()[:rows], np.arange(rows * len(m.acts), dtype=np.float32).reshape(
        rows, len(m.acts)) / 7, m.bias, m.scale, m.shift) for s, m in bundled.speakers.items()}
    save_model(tmp_path, speakers, {"name": "test"})
    return tmp_path


def test_the_weights_are_mapped_from_the_file_the_model_names(tmp_path: Path) -> None:
    folder = _small_model(tmp_path)
    back = read_model(folder).for_speaker("agent")
    # mapped (a plain array over the file's pages, so that row lookups stay in numpy) and float32
    assert isinstance(back.weights.base, np.memmap) and type(back.weights) is np.ndarray
    assert back.weights.dtype == np.float32
    expected = (np.arange(N * len(back.acts), dtype=np.float32).reshape(N, len(back.acts)) / 7).astype(np.float16)
    assert np.array_equal(back.weights, expected.astype(np.float32))  # the values a float16 file gave
    _small_model(folder, N - 1)  # saved again: the old weights file goes
    assert len(list(folder.glob("agent.weights.*.npy"))) == 1
    assert read_model(folder).for_speaker("agent").weights.shape[0] == N - 1


def test_a_model_whose_weights_file_is_missing_or_another_models_says_so(tmp_path: Path) -> None:
    from hotline.acts.taxonomy import ActsError

    folder = _small_model(tmp_path)
    (weights,) = folder.glob("agent.weights.*.npy")
    other = np.zeros((N + 1, len(read_model(folder).for_speaker("agent").acts)), dtype=np.float32)
    np.save(weights, other)
    with pytest.raises(ActsError, match="对不上"):
        read_model(folder)
    weights.unlink()
    with pytest.raises(ActsError, match="缺少权重文件"):
        read_model(folder)


def _npz(path: Path, array: np.ndarray, saved: dict[str, np.ndarray], stamp: int) -> Path:
    np.savez(path, vocab=array, **saved)  # type: ignore[arg-type]
    os.utime(path, ns=(stamp, stamp))
    return path


def test_a_tables_checks_are_remembered_for_that_very_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The start-up cache remembers whether a file's saved table passed the checks, by the file's path, size and
    time: a good table read back is the checked one; a spoiled one stays refused when read back; a file written
    again (a spoiled table, the same size) is checked again (fails when the slot does not name the file's time, or
    when what was remembered is taken for a pass whatever it says)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("HOTLINE_CACHE", raising=False)
    vocab = _vocab()
    array, saved = _saved(vocab)
    good = _npz(tmp_path / "good.npz", array, saved, 1_000_000_000)
    for _ in range(2):  # checked, then read back
        with np.load(good) as z:
            table = hashing.remembered_table(good, z["vocab"], z)
        assert table is not None and table.keys.tolist() == KeyTable(vocab).keys.tolist()
        assert table.rows.tolist() == KeyTable(vocab).rows.tolist() and table.lengths == KeyTable(vocab).lengths
    assert list((tmp_path / "xdg" / "hotline").glob("*.pickle"))  # the cache was written
    _, spoiled = _unsorted(saved, vocab)
    bad = _npz(tmp_path / "bad.npz", array, spoiled, 1_000_000_000)
    for _ in range(2):
        with np.load(bad) as z:
            assert hashing.remembered_table(bad, z["vocab"], z) is None
    again = _npz(good, array, spoiled, 2_000_000_000)  # the same size, another time
    with np.load(again) as z:
        assert hashing.remembered_table(again, z["vocab"], z) is None
