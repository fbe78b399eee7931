"""Session 36: which turns restate the citizen's account (``CallContext.restating``), answered at once for a turn that
does not hold both a restating opener and a confirmation tag; against the plain definition on the bundled samples
and on calls made to hold openers and tags in every arrangement."""

from __future__ import annotations

from hotline.content import data_path
from hotline.formats import read_calls
from hotline.inspect import default_engine
from hotline.inspect.context import CLAUSE_SPLIT, CallContext
from hotline.model import Call, Speaker, Turn

SAMPLES: list[Call] = list(read_calls(data_path("samples", "calls")))

OPEN = "我跟您确认一下："
TAG = "对吗？"


def _plain_restating(ctx: CallContext, turn: int) -> bool:
    """The definition: a match of a restating opener in the turn, and a confirmation tag ending at most eight
    characters before the end of the turn without its closing marks."""
    confirm, restatements = ctx.compiled.confirm_key, ctx.compiled.restatement_keys
    if not confirm or not restatements:
        return False
    text = ctx.norm[turn].text
    tail = len(text.rstrip(",.!?;:…~—")) - 8
    opened = any(t == turn for name in restatements for t, _, _ in ctx.phrase_hits(name))
    tagged = any(t == turn and e >= tail for t, _, e in ctx.phrase_hits(confirm))
    return opened and tagged


def _call(texts: list[str]) -> Call:
    return Call(id="s36", turns=[Turn(Speaker.AGENT if i % 2 else Speaker.CITIZEN, text) for i, text in enumerate(texts)])


def test_restating_is_the_plain_definition() -> None:
    """Turns with the opener and the tag (at the end, far from it, twice), with one of them only, with neither,
    empty, with digits, newlines and emoji, repeated turns; each asked twice (the answer kept): ``restating`` gives
    the plain definition's answer (fails when the turns that may restate are found wrong, e.g. from the tags
    alone, or none)."""
    engine = default_engine(semantic=False)
    account = "楼上漏水，物业不管，让我自己去找开发商。"
    made = [
        _call([account, f"{OPEN}您家楼上漏水，物业不管，{TAG}", "对。"]),
        _call([account, f"{OPEN}您家楼上漏水，{TAG}物业不管，您自己去找开发商也没结果，您希望有人协调维修。"]),
        _call([account, f"您家楼上漏水，物业不管，{TAG}", f"{OPEN}您家楼上漏水。", f"{OPEN}\n12345号楼😀漏水，{TAG}"]),
        _call(["", f"{OPEN}{TAG}", "", f"{TAG}{OPEN}", f"{OPEN}😀😀{TAG}……", f"{OPEN}您家楼上漏水，{TAG}" * 2]),
        _call([account, f"{OPEN}您家楼上漏水，{TAG}", account, f"{OPEN}您家楼上漏水，{TAG}"]),
        _call(["我家停水了"]),
    ]
    positive = negative = 0
    for call in [*made, *SAMPLES]:
        ctx = CallContext(call, engine.compiled, semantic=False)
        for _ in range(2):
            for turn in range(len(call.turns)):
                plain = _plain_restating(ctx, turn)
                assert ctx.restating(turn) == plain, (call.id, turn, call.turns[turn].text)
                positive += plain
                negative += not plain
    assert positive >= 8 and negative  # both answers were given


def test_a_turn_with_only_an_opener_or_only_a_tag_does_not_restate() -> None:
    """A turn restates only when it holds both (fails when the tag alone lets a turn through)."""
    engine = default_engine(semantic=False)
    ctx = CallContext(_call(["我家停水了", f"{OPEN}您家停水了。", f"您家停水了，{TAG}", f"{OPEN}您家停水了，{TAG}"]),
                      engine.compiled, semantic=False)
    assert [ctx.restating(t) for t in range(4)] == [False, False, False, True]


def test_clause_cuts_are_where_each_mark_ends() -> None:
    """``_clause_cuts`` (from the pieces ``split`` gives) against the end of each mark ``finditer`` finds: no mark,
    marks at the start and the end, marks in a row, 、, empty turns, digits, newlines, emoji, repeated turns (fails
    when a piece's mark is not counted)."""
    engine = default_engine(semantic=False)
    texts = ["", ",", "好的", "好的,", ",好的", "您好,请讲.", "一、二、三", "嗯,,.!?;:、好", "12345号.\n对吗?",
             "😀😀,好😀.", "您好,请讲.", "a,b.c!d?e;f:g、h"]
    ctx = CallContext(_call(texts), engine.compiled, semantic=False)
    for turn, text in enumerate(texts):
        plain = [m.end() for m in CLAUSE_SPLIT.finditer(ctx.norm[turn].text)]
        assert ctx._clause_cuts(turn) == plain, text
        assert ctx._clause_cuts(turn) == plain  # and kept
