"""Building small calls for rule tables: ``call("坐席：…", "市民：…")``."""

from __future__ import annotations

import random

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


def phrase_calls(phrases: tuple[str, ...] | list[str], seed: int, n: int, *, extra_chars: str = "",
                 fewest_turns: int = 1, repeats: bool = False) -> list[list[str]]:
    """Calls for the phrase scan: turns running phrases together with characters of the phrases (and
    ``extra_chars``), so that phrases lie inside others, overlap, and several end at one place; empty turns, turns
    that are one phrase whole (at a turn's start and end), and with ``repeats`` a turn repeating an earlier one."""
    rng = random.Random(seed)
    chars = sorted(set("".join(phrases))) + list(extra_chars)
    calls = []
    for _ in range(n):
        turns: list[str] = []
        for _ in range(rng.randint(fewest_turns, 9)):
            kind = rng.random()
            if kind < 0.1:
                turns.append("")
            elif kind < (0.2 if repeats else 0.25):
                turns.append(rng.choice(phrases))
            elif repeats and kind < 0.25 and turns:
                turns.append(rng.choice(turns))
            else:
                bits = [rng.choice(phrases) if rng.random() < 0.5 else "".join(rng.choices(chars, k=rng.randint(1, 3)))
                        for _ in range(rng.randint(1, 8))]
                turns.append("".join(bits))
        calls.append(turns)
    return calls


def with_surrogates(calls: list[list[str]], rng: random.Random) -> list[list[str]]:
    """The calls with lone UTF-16 surrogates put in among their characters (a turn's start, end, middle, two in a
    row), as a program calling the engine may pass them (the readers refuse them)."""
    out = []
    for texts in calls:
        turns = []
        for text in texts:
            chars = list(text)
            for _ in range(rng.randint(0, 3)):
                chars.insert(rng.randint(0, len(chars)), chr(rng.choice([0xD800, 0xDBFF, 0xDC00, 0xDCFF, 0xDFFF])))
            turns.append("".join(chars))
        out.append(turns)
    return out
