"""The call context's fast paths give what the simple way gives: one automaton pass over the turns joined a newline
apart finds what a pass over each turn finds (``CallContext._scan``), a turn is plain (no quote mark, reporting
marker or reported literal) exactly when a search for ``Compiled.plain_words`` finds nothing in it (``_plain_turn``), and the
spoken characters of a call's turns counted at once are those of each (``spoken_counts``)."""

from __future__ import annotations

import dataclasses
import re

import daachorse
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.inspect import default_engine
from hotline.inspect.compiled import SEPARATOR, Compiled, compile_rulebook
from hotline.inspect.context import CallContext, spoken_count, spoken_counts
from hotline.model import Call, Speaker, Turn
from hotline.norms import load_default


def _compiled() -> Compiled:
    return default_engine(semantic=False).compiled


def _call(texts: list[str]) -> Call:
    return Call("s33", [Turn(Speaker.AGENT if i % 2 else Speaker.CITIZEN, t) for i, t in enumerate(texts)])


def _per_turn(ctx: CallContext) -> dict[str, list[tuple[int, int, int]]]:
    """The simple scan: each turn alone, every key of every match."""
    out: dict[str, list[tuple[int, int, int]]] = {}
    assert ctx.compiled.automaton is not None
    for turn, n in enumerate(ctx.norm):
        for start, end, pattern in ctx.compiled.automaton.find_overlapping(n.text):
            for key in ctx.compiled.phrase_keys[pattern]:
                out.setdefault(key, []).append((turn, start, end))
    return out


def _turns(compiled: Compiled) -> list[list[str]]:
    """Calls whose turns are phrases, back to back and across the turns' joins, with empty turns among them."""
    phrases = sorted(compiled.phrases)
    assert len(phrases) > 50
    calls = [phrases[i:i + 7] for i in range(0, len(phrases), 7)]
    calls += [["", phrases[i], "", "", phrases[i + 1] + phrases[i + 2], ""] for i in range(0, len(phrases) - 2, 11)]
    calls += [[phrases[i][-1], phrases[i][:-1], phrases[i]] for i in range(0, len(phrases), 5) if len(phrases[i]) > 1]
    return calls


def test_one_pass_over_the_joined_turns_finds_what_a_pass_over_each_finds() -> None:
    """The same matches in the same order."""
    compiled = compile_rulebook(load_default())
    assert compiled.joinable and SEPARATOR not in "".join(compiled.phrases)
    calls = _turns(compiled)
    alone = dataclasses.replace(compiled, joinable=False)
    for texts in calls:
        ctx = CallContext(_call(texts), compiled)
        want = _per_turn(ctx)
        assert want  # (the phrases are found)
        assert ctx.keys_hit() == want
        assert CallContext(_call(texts), alone).keys_hit() == want


def test_a_phrase_holding_a_newline_scans_each_turn_alone() -> None:
    rb = load_default()
    rb = rb.model_copy(update={"lexicons": {**rb.lexicons, "odd": ["好\n的"]}})
    compiled = compile_rulebook(rb)
    assert compiled.joinable  # (normalised: whitespace goes, the newline with it)
    compiled.phrases += ("\n",)  # a literal holding one, as a prefilter's may be
    compiled.phrase_keys.append(("nl",))
    compiled.automaton = daachorse.CharwiseDoubleArrayAhoCorasick(list(compiled.phrases))
    compiled.joinable = False
    ctx = CallContext(_call(["好的", "您好"]), compiled)
    assert "nl" not in ctx.keys_hit()
    assert ctx.keys_hit() == _per_turn(ctx)


@pytest.mark.parametrize("filler", ["好的，我这边给您登记一下", "", "嗯"])
def test_a_turn_is_plain_exactly_when_the_joint_scan_finds_nothing(filler: str) -> None:
    compiled = _compiled()
    words = list(compiled.plain_words)
    assert words and compiled.plain_key
    scan = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))  # the simple way: one search
    assert len(words) > 20
    texts = [filler + w + filler for w in words] + [filler, "没人接，不知道，就这样吧", "您的意见我记下了"]
    texts += [w[:-1] for w in words if len(w) > 1] + [w[1:] for w in words if len(w) > 1]
    ctx = CallContext(_call(texts), compiled)
    got = [ctx._plain_turn(i) for i in range(len(texts))]
    assert got == [scan.search(n.text) is None for n in ctx.norm]
    assert any(got) and not all(got)


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("好的12ab,.?!:;_ ~…“”、٣Ⅻ½\u0301\n")), max_size=8), max_size=6))
def test_spoken_counts_of_a_call_are_spoken_count_of_each(texts: list[str]) -> None:
    """The marks taken out of the joined texts at once count as each text alone (fails when a text that holds a
    newline itself is counted from the joined text)."""
    assert spoken_counts(texts) == [spoken_count(t) for t in texts]


def test_a_negation_is_found_before_a_span_as_by_the_slice() -> None:
    """``_negated`` looks at the character before a span first (``Compiled.negation_ends``): the same answer as the
    slice of the four characters before it at every place (fails when a prefix's last character is left out)."""
    compiled = _compiled()
    prefixes = compiled.negation_prefixes
    assert prefixes and compiled.negation_ends
    texts = ["我" + p + "好的" + p for p in prefixes] + ["不是，不会吧", "并非如此", "没有说过", ""]
    ctx = CallContext(_call(texts), compiled)
    for n in ctx.norm:
        text = n.text
        for start in range(len(text) + 1):
            assert ctx._negated(text, start) == text[max(0, start - 4):start].endswith(prefixes), (text, start)
    assert any(ctx._negated(n.text, len(n.text)) for n in ctx.norm)
