"""The call context's fast paths of session 37 give what the plain definitions give: spoken characters counted in a
map of the BMP filled a block at a time (``spoken_count``, ``_ALNUM_MAP``) are those ``str.isalnum`` holds; the guard
caches' keys (``span_key``) are one per span; the turns known plain (``_plain_turn``, its mask read once); where
clauses start (``_clause_cuts``, by a look at each character); the acts firing (``firing``, the probabilities kept as
they are); the slots a call needs (``_needing``, the names read off a dictionary)."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.inspect.helpers import sample_contexts

from hotline.inspect import context, default_engine
from hotline.inspect.context import CLAUSE_SPLIT, CallContext, _needing, span_key, spoken_count, spoken_counts
from hotline.model import Call, Speaker, Turn


@pytest.fixture
def empty_map() -> Iterator[None]:
    """The map as a process starts with it (no block filled), put back afterwards."""
    kept = context._ALNUM_MAP[0]
    context._ALNUM_MAP[0] = bytes(65536)
    try:
        yield
    finally:
        context._ALNUM_MAP[0] = kept


def _plain(text: str) -> int:
    return sum(map(str.isalnum, text))


TEXTS = ["", "您好，12345热线，工号007！", "好的。\n好的。", "Ⅻ号楼 ½ 平方米…", "٣٤ abc\u0301 é_", "，。？！,.?!", "😤好的😤",
         "\U00020000\U0002a6d6𝟘𝟙", "a\ud800b\udfffc", "\x00\x7f\xa0\xaa\xb2\xff", "\u4e00\u9fff\u9ffc\u3400\u4dbf",
         "\uf8ff\ufffd\uffff\ufeff\uff10\uff21", "好" * 300, "“12:30”吧~"]


@pytest.mark.usefixtures("empty_map")
def test_spoken_count_fills_the_blocks_it_meets() -> None:
    """From an empty map, each text counts as ``isalnum`` counts it, again once its blocks are filled (fails when a
    code point of a block not filled yet is read as the map holds it)."""
    for text in TEXTS:
        assert spoken_count(text) == _plain(text), text
    for text in TEXTS:
        assert spoken_count(text) == _plain(text), text
    assert spoken_counts(TEXTS) == [_plain(t) for t in TEXTS]
    assert spoken_counts([]) == []


@pytest.mark.usefixtures("empty_map")
def test_the_map_holds_isalnum_of_every_code_point() -> None:
    """Every block filled (one text of every code point, past the BMP too): each code point's byte is 2 exactly when
    ``isalnum`` holds it, 1 when not (fails when a page of a block is filled from the wrong code points, or a piece
    of a page is taken as all alnum)."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert spoken_count(every) == _plain(every)
    table = context._ALNUM_MAP[0]
    assert len(table) == 65536
    assert [table[c] for c in range(65536)] == [2 if chr(c).isalnum() else 1 for c in range(65536)]


@pytest.mark.usefixtures("empty_map")
def test_a_block_filled_leaves_the_others_empty() -> None:
    """Filling one block (a hanzi's) sets its 4,096 bytes and no other (fails when a fill copies the map's other
    blocks to the wrong place)."""
    assert spoken_count("好") == 1
    table = context._ALNUM_MAP[0]
    block = ord("好") >> 12
    assert all(table[block << 12:(block + 1) << 12])
    assert not any(table[:block << 12]) and not any(table[(block + 1) << 12:])


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("好的12ab,.?!:;_ ~…“”、٣Ⅻ½\u0301\n😤\U00020000\x00\uffff")),
                        max_size=12) | st.text(max_size=12), max_size=6))
def test_spoken_counts_are_what_isalnum_counts(texts: list[str]) -> None:
    assert spoken_counts(texts) == [_plain(t) for t in texts]
    assert [spoken_count(t) for t in texts + texts] == [_plain(t) for t in texts + texts]


def _call(texts: list[str]) -> Call:
    return Call("s37", [Turn(Speaker.AGENT if i % 2 else Speaker.CITIZEN, t) for i, t in enumerate(texts)])


def test_span_keys_are_one_per_span() -> None:
    """Spans around the edges of the int key (start or end at, below and past 2**21, huge, negative; turns 0, 1, large,
    -1): the same span gives equal keys, two spans never do (fails when a start or end past the int's room is packed,
    e.g. (0, 2**21, 2**21 + 1) and (1, 0, 2**21 + 1))."""
    edge = 1 << 21
    values = [0, 1, 2, 255, 256, edge - 1, edge, edge + 1, 1 << 42, -1]
    spans = [(t, s, e) for t in (0, 1, 2, 7, 1 << 30, -1) for s in values for e in values]
    keys = [span_key(*span) for span in spans]
    assert len(set(keys)) == len(spans)
    assert [span_key(*span) for span in spans] == keys
    assert all(isinstance(span_key(t, s, e), int) for t, s, e in [(0, 0, 0), (3, 5, 9), (1 << 30, edge - 1, edge - 1)])
    assert isinstance(span_key(0, edge, edge), tuple)


TURNS = ["您好，请问有什么可以帮您？", "我家楼下不是很吵，他说“别管了”", "不好意思，我们没有说不处理。", "他们说物业不管，是吗？",
         "", "😀好的😀，12345。", "好的\n好的", "我跟您确认一下：您家停水了，对吗？", "您好，请问有什么可以帮您？"]


def test_guards_read_from_the_cache_are_the_guards() -> None:
    """Every span of every turn, asked twice through the caches (``guarded``, ``act_guarded``) and once straight
    (``_guarded``, ``_act_guarded`` on a fresh context): the same answers (fails when two spans share a key)."""
    compiled = default_engine(semantic=False).compiled
    ctx = CallContext(_call(TURNS), compiled, semantic=False)
    fresh = CallContext(_call(TURNS), compiled, semantic=False)
    spans = [(t, s, e) for t, n in enumerate(ctx.norm) for s in range(len(n.text) + 1) for e in range(s, len(n.text) + 1)]
    for _ in range(2):
        assert [ctx.guarded(*span) for span in spans] == [fresh._guarded(*span) for span in spans]
        assert [ctx.act_guarded(*span) for span in spans] == [fresh._act_guarded(*span) for span in spans]
    assert any(ctx.guarded(*span) for span in spans) and not all(ctx.guarded(*span) for span in spans)


def test_plain_turns_are_the_turns_without_a_plain_word() -> None:
    """``_plain_turn`` (the mask read once per call) against the turns holding none of ``plain_words``, asked twice;
    with no plain key, no turn is known plain (fails when the mask is read as every turn plain, or as kept from another
    call)."""
    compiled = default_engine(semantic=False).compiled
    assert compiled.plain_key and compiled.plain_words
    ctx = CallContext(_call(TURNS), compiled, semantic=False)
    want = [not any(w in n.text for w in compiled.plain_words) for n in ctx.norm]
    assert [ctx._plain_turn(t) for t in range(len(TURNS))] == want
    assert [ctx._plain_turn(t) for t in range(len(TURNS))] == want
    assert any(want) and not all(want)
    other = CallContext(_call(["好的"] * 3), compiled, semantic=False)
    assert [other._plain_turn(t) for t in range(3)] == [True] * 3
    unknown = CallContext(_call(TURNS), dataclasses.replace(compiled, plain_key=""), semantic=False)
    assert [unknown._plain_turn(t) for t in range(len(TURNS))] == [False] * len(TURNS)


def test_clause_cuts_by_characters_are_the_split_marks() -> None:
    """``_clause_cuts`` against the end of each ``CLAUSE_SPLIT`` match, on texts with every mark, marks at the edges
    and in a row, non-BMP characters and emoji before marks, fullwidth marks (normalised), newlines, empty text
    (fails when a mark is left out of the map, or a character past the BMP is read in it as the BMP one 65536 below)."""
    texts = ["", ",.!?;:、", "好的,\U00020000,😀.", "𠀀、𠀁", "12345，。？！；：", "a\nb,c", "、好", "好、", "好的" * 50 + "。",
             "\U0001002c\U0003002c\U00013001,"]  # (past the BMP, at a mark's place in the map modulo 65536)
    ctx = CallContext(_call(texts), default_engine(semantic=False).compiled, semantic=False)
    for turn in range(len(texts)):
        want = [m.end() for m in CLAUSE_SPLIT.finditer(ctx.norm[turn].text)]
        assert ctx._clause_cuts(turn) == want
        assert ctx._clause_cuts(turn) == want
    assert set(context.CLAUSE_MARKS) == {chr(c) for c in range(65536) if CLAUSE_SPLIT.fullmatch(chr(c))}


def _plain_firing(ctx: CallContext) -> dict[str, list[tuple[int, int, int, float]]]:
    """The definition: every clause of every turn, each act at or above its floor, speaker after speaker."""
    model = ctx.act_model()
    out: dict[str, list[tuple[int, int, int, float]]] = {}
    for speaker in ("agent", "citizen"):
        acts = model.for_speaker(speaker).acts
        floors = context._floors(ctx, speaker)
        for turn in ctx.turns_of(speaker):
            for clause in ctx.clause_acts(turn):
                probs = clause.probs
                for col, name in enumerate(acts):
                    if probs[col] >= floors[col]:
                        out.setdefault(name, []).append((turn, clause.start, clause.end, float(probs[col])))
    return out


def test_firing_is_the_plain_definition() -> None:
    """The bundled samples judged as a batch, and each alone: ``firing`` gives the definition's hits in its order,
    each probability the one the batch found (the same object: not made anew; fails when the order of the acts or
    the clauses is lost)."""
    contexts = sample_contexts()
    assert any(ctx.firing() for ctx in contexts)
    for ctx in contexts:
        assert ctx.firing() == _plain_firing(ctx)
        assert list(ctx.firing()) == list(_plain_firing(ctx))
        said = {id(p) for speaker in ("agent", "citizen") if speaker in ctx._above for p in ctx._above[speaker][2]}
        assert all(id(hit[3]) in said for hits in ctx.firing().values() for hit in hits)
        alone = CallContext(ctx.call, ctx.compiled, semantic=False)
        assert alone.firing() == ctx.firing()


def test_needing_is_the_slots_of_the_present_names() -> None:
    """``_needing`` against the set of the slots listed for the names present (empty, unknown names, repeated
    slots; fails when a present name's slots are not set)."""
    table = {"a": (0, 3), "b": (3,), "c": (5, 1), "d": ()}
    for present in [{}, {"a": 1}, {"a": 1, "x": 2}, {"b": 0, "c": 0, "d": 0}, dict.fromkeys("abcdxyz")]:
        live = {i for name in present for i in table.get(name, ())}
        assert _needing(present, table, 6) == [i in live for i in range(6)]
    ctx = sample_contexts()[0]
    plan = ctx.compiled.plan
    keys = ctx.keys_hit()
    assert ctx.live_by_keys() == [any(slot.index in plan.by_key.get(k, ()) for k in keys) for slot in plan.slots]
