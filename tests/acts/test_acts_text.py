"""Reading a clause the way the act model does: ASR-aware normalisation with exact offsets, clause
segmentation (quotes, decimals, cut-off words, run-ons), features, and the vectorised n-gram keys."""

import numpy as np
import pytest

from hotline.acts.features import Featurizer, ngrams
from hotline.acts.hashing import KeyTable, codes_of, key_of, keys, keys_by_length, keys_of
from hotline.acts.segment import Segmenter, SegmentSettings
from hotline.text import normalize


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("这个我不知到", "这个我不知道"),
        ("好的，在见！", "好的,再见!"),
        ("您号，12345热线，幺零二四号为您服务", "您好,12345热线,1024号为您服务"),
        ("以后在说吧", "以后再说吧"),
        ("请问有么子可以帮您", "请问有什么可以帮您"),
        ("这个不晓得噻", "这个不知道噻"),
        ("电话一三八一二三四五六七八", "电话13812345678"),
        ("三四天了", "三四天了"),  # two digit readings are a count, not a number read out
        ("他在说什么", "他在说什么"),  # 在说 alone is left alone; only 在说吧/以后在说 are 再说
    ],
)
def test_asr_normalisation(raw: str, normalized: str) -> None:
    assert normalize(raw).text == normalized


def test_offsets_point_back_into_the_original() -> None:
    n = normalize("我 也 不知到，幺零二四号")
    start = n.text.index("不知道")
    s, e = n.to_original(start, start + 3)
    assert n.original[s:e] == "不知到"
    start = n.text.index("1024")
    s, e = n.to_original(start, start + 4)
    assert n.original[s:e] == "幺零二四"


def test_a_forbidden_phrase_with_an_asr_error_is_still_found() -> None:
    from hotline.inspect import default_engine

    found = default_engine(semantic=False).check_utterance("这个我也不知到，你找别人去吧")
    assert {"forbidden.flat_refusal.v1", "shirking.no_way_forward.v1"} <= {f.rule_id for f in found}


SEG = Segmenter(SegmentSettings(markers=["然后", "你去"], long_clause=10, min_piece=3, window=6, stride=3))


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("好的,请问您贵姓?", ["好的", "请问您贵姓"]),
        ("他说「快点说,别啰嗦」,我记下了", ["他说「快点说,别啰嗦」", "我记下了"]),
        ("标价69.9元,结账89.9元.", ["标价69.9元", "结账89.9元"]),
        ("你——行,你等着!", ["你——行", "你等着"]),
        ("说到一半——", ["说到一半"]),
        ("这个我们管不了你去找物业然后再说", ["这个我们管不了", "你去找物业", "然后再说"]),
        ("", []),
    ],
)
def test_clauses(text: str, clauses: list[str]) -> None:
    assert [text[c.start:c.end] for c in SEG.clauses(text)] == clauses


def test_long_runs_are_also_read_in_windows() -> None:
    text = "这个事情我们这边处理不了的啊"
    read = SEG.read(text)
    assert [text[c.start:c.end] for c in SEG.clauses(text)] == [text]
    windows = [text[c.start:c.end] for c in read[1:]]
    assert windows[0] == text[:6] and windows[-1] == text[-6:] and all(len(w) == 6 for w in windows)


def test_features_replace_classes_numbers_and_quotes() -> None:
    f = Featurizer()
    a = f.feature_text("你去找物业", "")
    b = f.feature_text("你去找街道办", "")
    assert a == b and a.startswith("^你去找") and a.endswith("$")
    assert f.feature_text("还用问", "?") == "^还用问?$"
    assert f.feature_text("电话138****5521", "") == f.feature_text("电话1024", "")
    assert f.feature_text("他说「你快点说」", "") == "^他说「」$"
    assert "^" not in f.feature_text("好的^_^", "")[1:-1]


def test_batch_featurisation_equals_one_clause_at_a_time() -> None:
    f = Featurizer()
    turns = [normalize(t).text for t in ["好的,请问您贵姓?", "这事不归我们管,你自己找物业去", "他说「快点说」,69.9元", "", "嗯"]]
    assert f.batch(turns) == [f.clause_texts(t) for t in turns]


def test_ngrams_never_cross_a_clause_boundary() -> None:
    grams = list(ngrams("^ab$^cd$"))
    assert "b$" in grams and "^c" in grams
    assert not [g for g in grams if "$^" in g or ("$" in g[:-1])]


def test_vectorised_keys_equal_python_keys() -> None:
    text = "^你去找\ue001$^好的$"
    codes = codes_of(text)
    for n in range(1, 5):
        want = [key_of(text[i:i + n]) for i in range(len(text) - n + 1)]
        assert keys(codes, n).tolist() == want
    table = KeyTable(["你去", "找\ue001", "好的$", "不在这里"])
    positions, rows = table.lookup(keys(codes, 2))
    assert [text[p:p + 2] for p in positions] == ["你去", "找\ue001"] and rows.tolist() == [0, 1]
    positions, rows = table.lookup(np.array([], dtype=np.uint64))
    assert len(positions) == 0


@pytest.mark.parametrize("lengths", [[1, 2, 3, 4], [2, 4], [3], [1, 5, 9], [0, 1, 2]])
def test_keys_of_each_length_made_from_the_last_equal_keys_of_that_length(lengths: list[int]) -> None:
    text = "^你去找\ue001$^好的$\U0001f600"
    codes = codes_of(text)
    got = list(keys_by_length(codes, lengths))
    want = [keys(codes, n) for n in lengths if n <= len(codes)]
    assert len(got) == len(want) == len([n for n in lengths if n <= len(text)])
    assert [g.tolist() for g in got] == [w.tolist() for w in want]
    assert all(g.tolist() == [key_of(text[i:i + n]) for i in range(len(text) - n + 1)]
               for g, n in zip(got, lengths, strict=False) if n)
    assert list(keys_by_length(codes_of("ab"), [1, 3, 4]))[0].tolist() == [key_of("a"), key_of("b")]
    assert len(list(keys_by_length(codes_of("ab"), [1, 3, 4]))) == 1


def test_a_vocabulary_is_keyed_and_sorted_as_one_key_at_a_time_would() -> None:
    from hotline.acts import default_model

    for speaker in ("agent", "citizen"):
        vocab = default_model().for_speaker(speaker).vocab
        assert keys_of(vocab).tolist() == [key_of(g) for g in vocab]
    grams = ["", "a", "你好", "\U0001f600x", "^好的$", "a", "不在这里", "b"]
    assert keys_of(grams).tolist() == [key_of(g) for g in grams]
    table = KeyTable(grams)
    pairs = sorted((key_of(g), row) for row, g in enumerate(grams))  # ties (the two "a") by row
    assert table.keys.tolist() == [k for k, _ in pairs] and table.rows.tolist() == [r for _, r in pairs]


def test_a_long_query_is_looked_up_as_each_key_alone_would_be() -> None:
    """Long queries are searched in ascending order (faster in memory); every position and row must be the
    one a search of that key alone finds, in the query's own order, with repeats, misses and collisions."""
    from hotline.acts import default_model
    from hotline.acts.hashing import _SORT_FROM

    vocab = default_model().for_speaker("agent").vocab
    table = KeyTable(vocab)
    rng = np.random.default_rng(5)
    hits = table.keys[rng.integers(0, len(table.keys), 3 * _SORT_FROM)]
    query = np.concatenate([hits, rng.integers(0, 2**63, _SORT_FROM, dtype=np.int64).astype(np.uint64), hits[:9],
                            np.array([0, table.keys[0], table.keys[-1], np.iinfo(np.uint64).max], dtype=np.uint64)])
    rng.shuffle(query)
    positions, rows = table.lookup(query)
    first = {}  # each key's row, as a search alone finds it: the first of equal keys
    for key, row in zip(table.keys.tolist(), table.rows.tolist(), strict=True):
        first.setdefault(key, row)
    want = [(i, first[q]) for i, q in enumerate(query.tolist()) if q in first]
    assert list(zip(positions.tolist(), rows.tolist(), strict=True)) == want
    assert len(want) >= 3 * _SORT_FROM


def test_the_bitmap_before_a_long_search_drops_no_vocabulary_key() -> None:
    """A query long enough for the slot table (``KeyTable.slots``, which took the bitmap's place) finds what a
    search of every key finds: all of a vocabulary's keys (each hit), keys of real text, misses."""
    from hotline.acts import default_model
    from hotline.acts.hashing import _FILTER_FROM

    for speaker in ("agent", "citizen"):
        table = default_model().for_speaker(speaker).table
        rng = np.random.default_rng(7)
        text = "".join(default_model().for_speaker(speaker).vocab[:400])
        query = np.concatenate([table.keys, keys(codes_of(text), 3), rng.integers(0, 2**63, 5000).astype(np.uint64)])
        assert len(query) >= _FILTER_FROM
        got = table.lookup(query)
        want = table._search(query)
        assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
        assert len(got[0]) >= len(table.keys)


def test_unigrams_read_by_code_point_are_the_rows_a_search_finds() -> None:
    """1-grams read from the array by code point: the same positions and rows as searching their keys, for
    a shipped table and for one whose keys of the 1-gram form collide (equal keys, the first row wins) or lie
    at both ends of the code points, with codes past the array's end."""
    from hotline.acts import default_model
    from hotline.acts.hashing import MULTIPLIER

    text = "^你去找物业\ue001$^好的,谢谢!$😀\U0010fffd\x00a"
    codes = codes_of(text)
    for speaker in ("agent", "citizen"):
        table = default_model().for_speaker(speaker).table
        found, rows = table.unigrams(codes)
        want = table.lookup(keys(codes, 1))
        assert found.tolist() == want[0].tolist() and rows.tolist() == want[1].tolist() and len(found) > 5
    m = int(MULTIPLIER)
    made = [(m + ord("你"), 5), (m + ord("你"), 2), (m + ord("a"), 7), (m, 1), (m + 0x10FFFD, 0), (m + 0x110000, 3),
            (m - 1, 4), (key_of("好的"), 6)]
    made.sort(key=lambda kr: kr[0])  # equal keys keep the order given: rows 5 then 2 (not the vocabulary's)
    table = KeyTable((), (np.array([k for k, _ in made], dtype=np.uint64), np.array([r for _, r in made]), [1, 2]))
    found, rows = table.unigrams(codes)
    want = table._search(keys(codes, 1))
    assert found.tolist() == want[0].tolist() and rows.tolist() == want[1].tolist()
    assert [text[i] for i in found.tolist()] == ["你", "\U0010fffd", "\x00", "a"]
    assert rows.tolist()[0] == 5


def test_traditional_characters_come_from_zhconvs_own_table_without_importing_it() -> None:
    import subprocess
    import sys

    from zhconv import zhconv

    from hotline import text

    assert text._zh_hans() == zhconv.getdict("zh-hans")
    assert normalize("這個問題我們會處理，請您稍等").text == "这个问题我们会处理,请您稍等"
    probe = ("import sys; from hotline.text import normalize; normalize('說'); "
             "print(sorted({'zhconv.zhconv', 'pkg_resources'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # pkg_resources costs most of a second at every start of hotline
