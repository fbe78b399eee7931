"""Building small calls for rule tables: ``call("坐席：…", "市民：…")``."""

from __future__ import annotations

from hotline.content import data_path
from hotline.formats import read_calls
from hotline.formats.dialogue import read_dialogue_text
from hotline.inspect import default_engine
from hotline.inspect.context import CallContext, prepare_acts
from hotline.model import Call, Scorecard


def call(*lines: str, call_id: str = "t") -> Call:
    items = list(read_dialogue_text("\n".join(lines), "test", call_id))
    assert len(items) == 1 and isinstance(items[0], Call), items
    return items[0]


def card(*lines: str) -> Scorecard:
    return default_engine().inspect(call(*lines))


def status(sc: Scorecard, rule_id: str) -> str:
    return next(o.status for o in sc.outcomes if o.rule_id == rule_id)


def spans(sc: Scorecard, rule_id: str, c: Call) -> list[str]:
    """The original text under each finding's span for ``rule_id``."""
    out = []
    for f in sc.findings:
        if f.rule_id == rule_id and f.turn_index is not None and f.span:
            out.append(c.turns[f.turn_index].text[f.span[0]:f.span[1]])
    return out


def sample_contexts() -> list[CallContext]:
    """A fresh context of every bundled sample call, on the default engine, its acts prepared as a batch."""
    engine = default_engine(semantic=False)
    contexts = [CallContext(c, engine.compiled, semantic=False) for c in read_calls(data_path("samples", "calls"))]
    prepare_acts(contexts)
    return contexts
