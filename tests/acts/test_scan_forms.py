"""The act layer's and normalisation's faster forms against their plain definitions: the class words' regex
grouped by first character, the ASR regexes and their one-scan check, the batch segmentation from one split of
the joined turns, the batch featurisation and the plain-class ``Normalized``."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline import text as T
from hotline.acts.features import Featurizer, class_regex, plain_class_regex
from hotline.acts.segment import Segmenter, SegmentSettings
from hotline.text import Normalized, by_first_character, normalize

WORDS = ["物业", "物业公司", "物业管理处", "街道", "街道办", "12345", "12345热线", "110", "1", "热线", "线路", "a.b"]
FRAGMENTS = [*WORDS, "0", "9", "1", "2345", "物", "业", "公司", "热", "线", "办", ".", "b", "你去找", "①"]


@settings(max_examples=1500, deadline=None, database=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(alphabet="0123456789物业热线a.b", max_size=3), max_size=10))
def test_class_words_by_first_character_match_as_the_plain_alternation(parts: list[str]) -> None:
    """The same matches (longest word first, a digit word only where no digit is next to it): fails when a
    group's words are not kept longest first, or when the digit guard before a group is dropped."""
    text = "".join(parts)
    fast, plain = class_regex(WORDS), plain_class_regex(WORDS)
    assert fast is not None and plain is not None
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_class_words_known_cases() -> None:
    fast = class_regex(WORDS)
    assert fast is not None
    assert [m.group() for m in fast.finditer("找物业公司和12345热线,112345不算,1110也不算,拨110")] == [
        "物业公司", "12345热线", "110"]
    assert class_regex([]) is None
    shipped = list(Featurizer()._words)
    text = "".join(shipped) + "".join(w + "9" for w in shipped) + "".join("9" + w for w in shipped)
    got, want = class_regex(shipped), plain_class_regex(shipped)
    assert got is not None and want is not None
    assert [m.span() for m in got.finditer(text)] == [m.span() for m in want.finditer(text)]
    assert by_first_character(["ab", "a", "cd"]) == "a(?:b|)|c(?:d)"


ASR = [*T._asr()[1], *map(chr, T._asr()[3]), "您好", "一", "二三", "不知", "在", "幺零"]


@settings(max_examples=1500, deadline=None, database=None)
@given(st.lists(st.sampled_from(ASR) | st.text(max_size=2), max_size=12))
def test_asr_scan_forms_find_what_the_definitions_find(parts: list[str]) -> None:
    """The faster ASR regexes substitute as ``_asr``'s do, and the one scan finds a match exactly when either
    does (fails when the scan leaves out the spoken-digit runs or the words)."""
    text = "".join(parts)
    words, table, runs, digits = T._asr()
    fast_words, fast_runs, either = T._asr_scan()
    assert words is not None and runs is not None and fast_words is not None and fast_runs is not None
    assert either is not None
    assert fast_words.sub(lambda m: table[m.group()], text) == words.sub(lambda m: table[m.group()], text)
    assert fast_runs.sub(lambda m: m.group().translate(digits), text) == runs.sub(
        lambda m: m.group().translate(digits), text)
    assert (either.search(text) is not None) == (words.search(text) is not None or runs.search(text) is not None)


def test_asr_fixes_of_words_alone_and_runs_alone() -> None:
    assert normalize("我不知到").text == "我不知道"
    assert normalize("幺零二四").text == "1024"
    assert normalize("一二").text == "一二"


SEG = Segmenter(SegmentSettings(markers=["然后", "你去"], long_clause=10, min_piece=3, window=6, stride=3))
SEG_PIECES = ["好的", ",", ".", "?", "!", "…", "—", "——", "69", "9元", "1", "「", "」", "“", "”", "然后", "你去",
              "这个事情我们这边", "处理不了", "\n", "", "请问", "^", "$", "吗", "??", "?!", "a"]


@settings(max_examples=2000, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from(SEG_PIECES), max_size=8).map("".join), max_size=8))
def test_batch_segmentation_equals_each_text_alone(texts: list[str]) -> None:
    """Quotes, decimals, cut-off words, merged marks, leading marks, long runs (markers, windows), empty texts,
    and a text holding a newline: each text's spans as ``spans`` gives them (fails when the decimal or the
    dash check is left out of the batch walk, or a long clause is not handed to ``spans``)."""
    assert SEG.batch(texts) == [SEG.spans(t) for t in texts]
    assert SEG.batch(texts, "\n".join(texts)) == [SEG.spans(t) for t in texts]


def test_batch_segmentation_known_cases() -> None:
    texts = ["标价69.9元,结账89.9元.", "你——行,你等着!", "好!?", ",好的", "这个我们管不了你去找物业然后再说", "",
             "他说「快点说,别啰嗦」,我记下了", "说到一半——", "嗯", "a.b,c"]
    assert SEG.batch(texts) == [SEG.spans(t) for t in texts]
    assert SEG.batch(texts)[2] == ((0, 1, "!?"),)
    assert SEG.batch([]) == []
    assert SEG.batch(["一\n二", "三"]) == [SEG.spans("一\n二"), SEG.spans("三")]


def test_batch_featurisation_with_and_without_quotes_and_marks() -> None:
    f = Featurizer()
    plain = [normalize(t).text for t in ["好的,请问您贵姓?", "这事不归我们管,你自己找物业去", "69.9元", "", "嗯!!?"]]
    marked = [*plain, "他说「快点说」,好", "好的^_^,行"]
    for turns in (plain, marked):
        assert f.batch(turns) == [f.clause_texts(t) for t in turns]


def test_a_normalized_text_is_equal_and_hashed_by_its_fields() -> None:
    a, b = normalize("您 好"), normalize("您 好")
    assert a == b and hash(a) == hash(b) and a is not b
    assert a != normalize("您好") and a != Normalized(a.text, a.original)
    assert a == Normalized("您好", "您 好", (0, 2))
    assert repr(a) == "Normalized(text='您好', original='您 好', offsets=(0, 2))"
    assert (a == "您好") is False
    assert re.fullmatch(r"Normalized\(.*\)", repr(Normalized("", "")))


def test_batch_feature_texts_one_per_clause_read_apart_or_joined() -> None:
    """A batch's feature texts are read back one per clause (a newline apart); a class word that would run from
    one clause's end into the next one's start keeps the batch read as one joined text (fails when the newline
    reading ignores that guard, or keeps the empty string after the last newline)."""
    from hotline.acts.features import _CLAUSE
    from hotline.acts.settings import FeatureSettings

    f = Featurizer()
    turns = [normalize(t).text for t in ["好的,请问您贵姓?", "你去找物业12345", "", "嗯!!?", "行"]]
    spans, texts = f.flat_batch(turns)
    assert f._apart and len(texts) == sum(map(len, spans)) == 5
    assert texts == [t for row in f.batch(turns) for _, _, t in row] == [
        f.feature_text(x[s:e], m) for x, row in zip(turns, spans, strict=True) for s, e, m in row]
    odd = Featurizer(FeatureSettings(classes={"跨句": ["好$^行"]}))
    assert not odd._apart
    joined = "".join(f"^{t}$" for t in ["好", "行"])
    assert odd.flat_batch(["好", "行"])[1] == _CLAUSE.findall(odd._abstract(joined)) == ["^\ue001$"]


FEATURE_PIECES = ["好的", "行", ",", ".", "?", "!", "!?", "物业", "69.9", "元", "12345", "你去找", "吗", ""]


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.lists(st.lists(st.sampled_from(FEATURE_PIECES), max_size=6).map("".join), max_size=6),
                min_size=1, max_size=4))
def test_feature_texts_remembered_from_batch_to_batch_are_each_clause_alone(batches: list[list[str]]) -> None:
    """Batches read one after another by one featurizer (later ones find most clauses remembered, the same clause
    closed by ``?``, ``!`` or a comma, the memory forgotten when it is full) give each clause's ``feature_text``
    (fails when a remembered text is keyed by the clause without its mark, or lands on the wrong clause)."""
    from hotline.acts import features

    f = Featurizer()
    limit = features._KNOWN_MAX
    try:
        features._KNOWN_MAX = 5
        most = 5  # the texts remembered at most: the limit, or the clauses of one batch made at once
        for turns in [*batches, *batches]:
            spans, texts = f.flat_batch(turns)
            assert texts == [f.feature_text(x[s:e], m) for x, row in zip(turns, spans, strict=True) for s, e, m in row]
            most = max(most, len(texts))
            assert sum(map(len, f._known.values())) <= most
    finally:
        features._KNOWN_MAX = limit
