"""The act layer's changes of session 36, each against the simple way."""

from __future__ import annotations

from hotline.inspect import default_engine
from hotline.inspect.context import CallContext, _above_floors, _floors, prepare_acts
from hotline.model import Call, Speaker, Turn
from hotline.text import normalize

A, C = Speaker.AGENT, Speaker.CITIZEN


def _calls() -> list[Call]:
    """Calls of varied shapes: turns of both speakers, of one, none, empty and punctuation-only turns, digits,
    a newline, an emoji (non-BMP), a long run-on, a quote, and the same text twice."""
    said = [
        [(A, "您好，12345热线，请问有什么可以帮您？"), (C, "我家楼下烧烤太吵了，每天到2点！"), (A, "好的，我帮您登记。")],
        [(C, "喂？"), (C, "")],
        [(A, "这事不归我们管，你自己找物业去"), (A, "，。"), (C, "你们这什么态度😡"), (A, "请您文明用语")],
        [],
        [(A, "嗯"), (C, "然后我就打电话给他们但是他们一直不接我也没办法所以只能打你们这个热线反映一下")],
        [(C, "他说「不归我们管」就挂了\n真气人"), (A, "您好，12345热线，请问有什么可以帮您？")],
        [(A, "好的"), (A, "好的"), (C, "好的")],
    ]
    return [Call(f"s36-{i}", [Turn(s, t) for s, t in turns]) for i, turns in enumerate(said)]


def test_a_batch_gives_each_call_the_clauses_and_rows_it_gets_alone() -> None:
    """``prepare_acts`` hands each call its own turns' clauses, its block of probability rows and its clauses
    above a floor, as the call judged alone (``_judge``, ``_above_floors`` of its block) has them; calls without
    a speaker's turns, or whose turns have no clause, take nothing from the others."""
    compiled = default_engine(semantic=False).compiled
    batch = [CallContext(call, compiled) for call in _calls()]
    prepare_acts(batch)
    for call, ctx in zip(_calls(), batch, strict=True):
        alone = CallContext(call, compiled)
        for speaker in ("agent", "citizen"):
            table = alone._judge(speaker)
            got = ctx._acts[speaker]
            assert list(got) == list(table) == alone.turns_of(speaker)
            for turn, clauses in table.items():
                assert [(c.start, c.end, c.feature_text) for c in got[turn]] == [
                    (c.start, c.end, c.feature_text) for c in clauses]
                assert [c.probs.tobytes() for c in got[turn]] == [c.probs.tobytes() for c in clauses]
            mine = ctx._probs[speaker]
            assert len(mine) == sum(len(c) for c in table.values())
            if len(mine):
                assert mine.tobytes() == alone._probs[speaker].tobytes()
                assert ctx._above[speaker] == _above_floors(alone._probs[speaker], _floors(alone, speaker))
            else:
                assert ctx._above[speaker] == ([], [], [])


def _turns() -> list[str]:
    """Normalised turns whose clauses close with varied marks, the same clause with different marks one after
    another, digits, class words, emoji (non-BMP), an empty turn, a run-on, and repeats."""
    return [normalize(t).text for t in [
        "好的，好的？好的！好的。好的",
        "好？好。好，好",
        "",
        "您好，12345热线，请问有什么可以帮您？",
        "我家楼下😡太吵了！！每天到2点……你们管不管？",
        "然后我就打电话给他们但是他们一直不接我也没办法所以只能打你们这个热线反映一下",
        "好的，好的？好的！好的。好的",
        "嗯?嗯!嗯.嗯,嗯",
    ]]


def test_each_clause_gets_the_feature_text_of_its_own_mark() -> None:
    """``flat_batch`` (through ``_remembered``, the table of the mark read last kept from clause to clause) gives
    each clause the feature text ``feature_text`` makes of it and the mark that closed it, with nothing known yet,
    with every clause known (the same batch again), and with the turns in another order."""
    from hotline.acts.features import Featurizer

    f = Featurizer()
    turns = _turns()
    for batch in (turns, turns, list(reversed(turns)), turns[3:] + turns[:3]):
        spans, texts = f.flat_batch(batch)
        want = [f.feature_text(t[s:e], m) for t, row in zip(batch, spans, strict=True) for s, e, m in row]
        assert texts == want
        assert any(m == "?" for row in spans for _, _, m in row) and any(m == "" for row in spans for _, _, m in row)


def test_texts_are_cut_as_each_alone_is_cut_with_and_without_quotes() -> None:
    """``batch_quoted`` cuts every text as ``spans`` cuts it alone, whether the batch holds no quote mark (no text
    read as special) or one in its first, a middle or its last text."""
    from hotline.acts.features import Featurizer

    seg = Featurizer().segmenter
    plain = _turns()
    quoted = normalize("他说「不归我们管，你找别人」就挂了，我很生气").text
    for texts in (plain, [quoted, *plain], [*plain[:3], quoted, *plain[3:]], [*plain, quoted]):
        got, has_quote = seg.batch_quoted(texts)
        assert got == [seg.spans(t) for t in texts]
        assert has_quote == (quoted in texts)
