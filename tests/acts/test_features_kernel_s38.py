"""Session 38: the act featurizer's clause walks in C (``hotline._kernels.features``): ``walk`` cuts each text as
``Segmenter._walk_plain`` (and so ``spans``) does, ``Abstracter.abstract`` is ``_abstract``'s two regexes (class words
leftmost and longest with the digit guard, then runs of digits), and ``remembered`` gives ``_remembered``'s feature
texts and fills ``_known`` as it does, on texts made of the class words, digits, ``*``, ``.``, every separator, marks
in runs, newlines, ``^``/``$``, emoji and other non-BMP characters, empty and repeated texts. The kernel survives a
pickle and leaks nothing. Skipped only when the compiled modules are switched off (``HOTLINE_NATIVE=0``): a build
always makes it."""

from __future__ import annotations

import gc
import os
import pickle
import random
import re
import sys

import pytest

from hotline import native
from hotline.acts import features as features_module
from hotline.acts.features import NUMBER, Featurizer
from hotline.acts.segment import Span, kernel
from hotline.text import normalize

pytestmark = pytest.mark.skipif(os.environ.get("HOTLINE_NATIVE") == "0", reason="the compiled modules are off")

SEPARATORS = ".,?!;:~。，？！；：…—"
EXTRA = ["0", "1", "2", "3", "9", "12", "345", "12345", "*", ".", "..", "**", "^", "$", "\n", " ", "a", "Z", "好",
         "的", "😡", "𠀀", "①", "١", "٣", "一", "热线", "政务", "公", "部", "1.5", "3*4", ".5", "5."]


@pytest.fixture(scope="module")
def pair() -> tuple[Featurizer, Featurizer]:
    """The featurizer on the kernel, and one on the regexes and the Python walk (``_abstracter`` None)."""
    assert kernel() is not None, f"make install builds the kernel: {native.state()[1]}"
    fast = Featurizer()
    assert fast._abstracter is not None
    plain = Featurizer()
    plain._abstracter = None
    return fast, plain


def _alphabet(f: Featurizer) -> list[str]:
    words = list(f._words)
    # every word, every prefix of a word (a longer word begins with it: the longest must win) and every separator
    prefixes = sorted({w[:k] for w in words for k in range(1, len(w))})
    return words + prefixes + list(SEPARATORS) + EXTRA


def _texts(f: Featurizer, rng: random.Random, count: int, size: int) -> list[str]:
    alpha = _alphabet(f)
    return ["".join(rng.choice(alpha) for _ in range(rng.randint(0, size))) for _ in range(count)]


def test_abstract_is_the_regexes(pair: tuple[Featurizer, Featurizer]) -> None:
    """``Abstracter.abstract`` gives what the class regex and the number regex give (fails on a word missed, a
    shorter word taken before a longer one, the digit guard dropped on either side, a run of digits cut at ``*`` or
    ``.``, or a non-BMP character misread)."""
    fast, plain = pair
    rng = random.Random(38)
    for text in [*_texts(fast, rng, 30_000, 14), "", "12345热线", "112345热线", "12345热线1", "12345政务服务便民热线",
                 "a12345b", "1.2.3*", "*1", "物业公司12", "😡12345😡"]:
        assert fast._abstract(text) == plain._abstract(text), repr(text)
    assert fast._abstract("12345热线") != "12345热线"  # (a class word is replaced)
    assert fast._abstract("3.5元") == f"{NUMBER}元"


def test_abstract_of_any_words() -> None:
    """Abstracters of other word lists (words that are prefixes of others, words of digits, of one character,
    non-BMP words, a word holding ``^`` or ``$``, symbols longer than a character, no words) give what
    ``class_regex`` and the number regex give."""
    native_kernel = kernel()
    assert native_kernel is not None
    rng = random.Random(7)
    lists = [
        {"1": "\ue001", "12": "\ue002", "123": "\ue003", "2": "\ue004", "23x": "\ue005"},
        {"ab": "X", "abc": "YY", "b": "", "😡": "\ue001", "𠀀𠀁": "\ue002", "^a": "\ue003", "c$": "\ue004"},
        {"١٢": "\ue001", "①x": "\ue002", "x": "\ue003"},
        {"q": "\ue001\ue002\ue003\ue004", "qq": "😡" * 9},  # (symbols longer than the words: the text grows)
        {},
    ]
    for words in lists:
        abstracter = features_module._abstracter(words, NUMBER)
        assert abstracter is not None
        regex = features_module.class_regex(list(words))
        alpha = [*words, *"0123456789*.^$\nabcqx😡𠀀𠀁١٢①", "12", "x1"]
        for _ in range(5_000):
            text = "".join(rng.choice(alpha) for _ in range(rng.randint(0, 10)))
            if "q" in words:
                text = "q" * rng.randint(0, 200) + text
            want = text if regex is None else regex.sub(lambda m, w=words: w[m.group()], text)
            want = re.sub(r"[0-9][0-9*.]*", NUMBER, want)  # (``Featurizer._numbers``)
            assert abstracter.abstract(text) == want, (words, text)


def test_abstracter_refuses_what_it_cannot_read() -> None:
    """An empty word or a number symbol that is not one character: the constructor refuses (``_abstracter`` then
    gives None: the regexes), never a crash."""
    native_kernel = kernel()
    assert native_kernel is not None
    with pytest.raises(ValueError):
        native_kernel.Abstracter(["", "a"], ["x", "y"], NUMBER)
    with pytest.raises(ValueError):
        native_kernel.Abstracter(["a"], ["x"], "ab")
    with pytest.raises(ValueError):
        native_kernel.Abstracter(["a"], [], NUMBER)
    with pytest.raises(TypeError):
        native_kernel.Abstracter([1], ["x"], NUMBER)
    assert features_module._abstracter({"": "x"}, NUMBER) is None


def test_walk_cuts_as_the_python_walk(pair: tuple[Featurizer, Featurizer]) -> None:
    """``walk`` (through ``Segmenter._walk``) cuts each text as ``_walk_plain`` and ``spans`` do: separators in
    runs, points and commas between digits (also non-ASCII digits, which ``str.isdigit`` takes) and at the ends,
    dashes and ellipses after a one-character word, long run-ons (``spans``: markers and windows), newlines,
    non-BMP characters, empty texts (fails when a separator is missed, a run of marks is not joined, or a long
    clause is not handed back)."""
    fast, _ = pair
    seg = fast.segmenter
    rng = random.Random(5)
    pieces = [*SEPARATORS, "好", "的", "1", "2", "١", "٣", "a", "😡", "𠀀", "\n", "——", "……", "—…", "‧",
              "然后我就打电话给他们但是他们一直不接", "嗯"]
    for size in (6, 30, 120):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, size))) for _ in range(400)]
        texts += ["", "好", ",", "。。。", "1,2", "1.", ".1", "١.٣", "你——行，你等着", "——好，…嗯…，……", "a—", "—a", "好"]
        for batch in (texts, texts * 2, list(reversed(texts))):
            got = seg._walk(batch)
            assert got == seg._walk_plain(batch)
            assert got == [seg.spans(t) for t in batch]
    assert seg._walk([]) == []
    run_on = "然后我就打电话给他们但是他们一直不接我也没办法所以只能打你们这个热线反映一下然后他们说不归他们管让我找物业" * 2
    assert seg._walk([run_on, "好."]) == [seg.spans(run_on), ((0, 1, "."),)]
    assert len(seg._walk([run_on])[0]) > 1  # (windows: the long clause was read by ``spans``)


def _clauses(f: Featurizer, rng: random.Random, count: int) -> list[str]:
    """Turns made of class words, digits and separators (no quote mark, ``^``, ``$`` or newline: what
    ``_remembered`` reads), some repeated."""
    alpha = [a for a in _alphabet(f) if not any(c in a for c in "^$\n")]
    made = ["".join(rng.choice(alpha) for _ in range(rng.randint(0, 10))) for _ in range(count)]
    return made + made[: count // 3]


def test_remembered_is_the_python_walk(pair: tuple[Featurizer, Featurizer]) -> None:
    """``flat_batch`` on the kernel gives the Python path's spans and feature texts batch after batch, and leaves
    ``_known`` as it does (the same marks, clauses and texts); a clause seen before is read from ``_known`` (fails
    when a clause's mark, its ``?``/``!`` tail, the memo lookup or the feature text is wrong)."""
    fast, plain = pair
    fast._known.clear()
    plain._known.clear()
    rng = random.Random(11)
    for _ in range(40):
        batch = [normalize(t).text for t in _clauses(fast, rng, 30)]
        assert fast.flat_batch(batch) == plain.flat_batch(batch)
        assert fast._known == plain._known
    # a clause already known is read from the memo: a planted feature text comes back
    fast._known.setdefault("", {})["好的呀"] = "planted"
    assert fast.flat_batch(["好的呀"])[1] == ["planted"]
    fast._known.clear()
    assert fast.flat_batch(["好的呀"])[1] == plain.flat_batch(["好的呀"])[1] == ["^好的呀$"]


def test_remembered_forgets_past_the_limit(pair: tuple[Featurizer, Featurizer]) -> None:
    """``remembered`` clears ``known`` before adding a batch's new clauses when they would take it past the limit, as
    ``_remembered`` does with ``_KNOWN_MAX``, and gives the same texts either way."""
    fast, plain = pair
    native_kernel = kernel()
    assert native_kernel is not None
    texts = [normalize(t).text for t in ["物业好。你好？12345热线！", "好", "3.5元,1,200块"]]
    spans: list[tuple[Span, ...]] = fast.segmenter._walk(texts)
    new = sum(map(len, spans))  # (6 clauses, none known)
    known: dict[str, dict[str, str]] = {"": {"旧": "^旧$"}}
    got = native_kernel.remembered(texts, spans, known, fast._abstracter, new)
    plain._known.clear()
    assert got == plain._remembered(texts, spans)
    assert "旧" not in known.get("", {})  # (1 held + 6 new > 6: cleared first)
    assert sum(map(len, known.values())) == new
    known = {"": {"旧": "^旧$"}}
    assert native_kernel.remembered(texts, spans, known, fast._abstracter, new + 1) == got
    assert known[""]["旧"] == "^旧$"  # (1 + 6 = 7: kept)
    assert known == {**plain._known, "": {"旧": "^旧$", **plain._known[""]}}
    assert known["?"]["你好"] == "^你好?$" and known["!"]["12345热线"] == "^\ue002!$"
    with pytest.raises(ValueError):
        native_kernel.remembered(texts, spans[:1], {}, fast._abstracter, 10)
    with pytest.raises(TypeError):
        native_kernel.remembered(texts, [(("a", 1, ""),), (), ()], {}, fast._abstracter, 10)


def test_kernel_survives_a_pickle_and_leaks_nothing(pair: tuple[Featurizer, Featurizer]) -> None:
    """The abstracter pickles (rebuilt from its words), and 10,000 batches leave the reference counts of the texts,
    marks and memo where they were."""
    fast, plain = pair
    again = pickle.loads(pickle.dumps(fast._abstracter))
    for text in ["12345热线物业公司3.5元", "", "😡1"]:
        assert again.abstract(text) == plain._abstract(text)
    native_kernel = kernel()
    assert native_kernel is not None
    texts = [normalize(t).text for t in ["物业好。你好？12345热线！", "好", "3.5元,1,200块", "然后我就打电话给他们但是他们"]]
    spans = native_kernel.walk(texts, fast.segmenter._seps, fast.segmenter.settings.long_clause)
    known: dict[str, dict[str, str]] = {}
    native_kernel.remembered(texts, spans, known, fast._abstracter, 100)
    gc.collect()
    before = ([sys.getrefcount(t) for t in texts], sys.getrefcount(known), [sys.getrefcount(d) for d in known.values()],
              sys.getrefcount(fast._abstracter))
    for _ in range(10_000):
        native_kernel.walk(texts, fast.segmenter._seps, fast.segmenter.settings.long_clause)
        native_kernel.remembered(texts, spans, known, fast._abstracter, 100)
        fast._abstracter.abstract(texts[0])
    gc.collect()
    after = ([sys.getrefcount(t) for t in texts], sys.getrefcount(known), [sys.getrefcount(d) for d in known.values()],
             sys.getrefcount(fast._abstracter))
    assert after == before
    fresh: dict[str, dict[str, str]] = {}
    native_kernel.remembered(texts, spans, fresh, fast._abstracter, 100)
    held: dict[str, dict[str, str]] = {"": {}}  # (a dict held by a dict only)
    assert [sys.getrefcount(d) for d in fresh.values()] == [sys.getrefcount(d) for d in held.values()] * len(fresh)
