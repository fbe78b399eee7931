"""The act layer's changes of session 36, each against the simple way."""

from __future__ import annotations

from hotline.inspect import default_engine
from hotline.inspect.context import CallContext, _above_floors, _floors, prepare_acts
from hotline.model import Call, Speaker, Turn

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
