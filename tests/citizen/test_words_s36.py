"""Whether each call's citizen words hold an escalation word is found by ``emotion.Words`` (a numpy filter of the
character pairs that open a word, then each word compared where it would stand) instead of sre's search of the
words' alternation. It must say what that search of each text says: for the bundled words and for word lists
with one-character words, the empty word, a line break, characters beyond the BMP and lone surrogates; for
empty texts, words at a text's very start and end, words cut short at a text's end (the next text's start must
not complete them), and words straddling the line break two texts are joined with."""

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.citizen import load_settings
from hotline.citizen.emotion import Words, _any_of, _kinds_of, _words_of

S = load_settings()
BUNDLED = {w for ws in _kinds_of(S.escalation)[0].values() for w in ws}


def searched(words: set[str], texts: list[str]) -> list[bool]:
    """The plain definition: the alternation of the words searched in each text."""
    pattern = re.compile(_any_of(words))
    return [pattern.search(t) is not None for t in texts]


WORD_SETS = [BUNDLED, {"a"}, {"a", "ab", "b12"}, {"你", "你们好"}, {"😀"}, {"😀a", "a😀"}, {"\n"}, {"x\ny"}, {"ab\nc"},
             {"\ud800a"}, {"\ud800"}, {""}, {"", "上访"}, {"1"}, {"ab", "ac", "ad"}, {"aa"}]


@pytest.mark.parametrize("words", WORD_SETS, ids=range(len(WORD_SETS)))
def test_words_held_say_what_the_alternation_searched_says(words: set[str]) -> None:
    rng = random.Random(len(words))
    alphabet = [*"".join(words), *"你们好的\n !！😀12ax\ud800", "上访", "找市", "不想", "一了百", "\n上", "访\n"]
    finder = Words(words)
    for _ in range(1500):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 10))) for _ in range(rng.randrange(0, 6))]
        assert finder.held(texts) == searched(words, texts), texts


def test_words_at_the_edges_of_texts() -> None:
    finder = Words(BUNDLED)
    texts = ["", "上访", "我要上访", "上访了", "要上", "访问", "上\n访", "", "去北", "京", "找市长", "跳", "楼", "\n", "上"]
    assert finder.held(texts) == searched(BUNDLED, texts)
    assert finder.held(texts) == [False, True, True, True, False, False, False, False, False, False, True, False,
                                  False, False, False]
    assert finder.held([]) == [] and finder.held([""]) == [False] and finder.held(["", ""]) == [False, False]
    assert Words({"a"}).held(["", "b", "a"]) == [False, False, True]  # a one-character word at the very end
    assert Words({"\n"}).held(["a", "b"]) == [False, False]  # the line break joining them is no text's
    assert Words({"ab\nc"}).held(["ab", "c", "ab\nc"]) == [False, False, True]  # nor is a word across it
    assert Words({""}).held(["", "a"]) == [True, True]
    assert Words(set()).held(["a", ""]) == [False, False]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="上访信去北京找市长一了百不想活你叫什么名字\n😀a", max_size=12), max_size=8))
def test_bundled_words_held_as_searched(texts: list[str]) -> None:
    assert _words_of(S.escalation).held(texts) == searched(BUNDLED, texts)


def test_prepare_says_worded_as_the_search_of_each_calls_citizen_words() -> None:
    """``emotion.prepare`` reads ``worded`` from ``Words``: what ``_worded`` (sre's search) says of each call."""
    from helpers import call  # tests/inspect/helpers.py

    from hotline.citizen.emotion import _worded, prepare
    from hotline.inspect import default_engine
    from hotline.inspect.context import CallContext, prepare_acts

    engine = default_engine()
    lines = [("市民：我要去北京上访！",), ("市民：我要去北", "坐席：您说。", "市民：京看看。"), ("市民：你们快点吧。",),
             ("市民：我不想活了", "市民：谢谢"), ("市民：😀跳楼",), ("坐席：您好，请讲。",)]
    contexts = [CallContext(call("坐席：您好。", *ls), engine.compiled) for ls in lines]
    prepare_acts(contexts)
    prepare(contexts, S)
    _, any_word = _kinds_of(S.escalation)
    worded = [ctx.prepared[("emotions", id(S))].worded for ctx in contexts]
    want = [_worded(any_word, [ctx.norm[t].text for t in ctx.turns_of("citizen") if ctx.norm[t].text])
            for ctx in contexts]
    assert worded == want == [True, False, False, True, True, False]
