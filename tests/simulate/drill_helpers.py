"""Helpers for the drill trainer tests: a scripted fake engine, playing lines, reference answers."""

from __future__ import annotations

from hotline.model import Call, Speaker
from hotline.simulate.engines import reading_engine
from hotline.simulate.library import default_library
from hotline.simulate.model_answer import model_answer
from hotline.simulate.session import DrillSession


class FakeEngine:
    """Acts looked up from a table (exact text → detector names), so state rules are tested in isolation."""

    def __init__(self, table: dict[str, set[str]]):
        self.table = table

    def acts(self, text: str, speaker: Speaker = Speaker.AGENT) -> set[str]:
        return set(self.table.get(text, set()))

    def inspect(self, call: Call, **kwargs: object) -> object:
        raise AssertionError("the fake engine does not score")


def play(scenario_id: str, lines: list[str], *, seed: int = 1, library=None, engine=None, **kw) -> DrillSession:
    """Play trainee lines until the script or the call ends."""
    s = DrillSession.start(scenario_id, seed=seed, library=library or default_library(),
                           engine=engine or reading_engine(), **kw)
    for line in lines:
        if s.ended:
            break
        s.say(line)
    return s


def reference(scenario_id: str) -> list[str]:
    lib = default_library()
    return model_answer(lib.get(scenario_id), lib.defaults)
