"""The engine's judgments, pinned: every case of ``scripts/engine_record.py`` (the bundled samples whole, every
partial prefix of each, ``check_utterance`` and ``acts`` on every sample turn, 10,000 generated calls) gives the
digest recorded in ``recorded/engine.json``. The recording was made with the tree-walking evaluator before the
compiled plan replaced it; a deliberate change of judgment re-records it (see the script) and says why."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from hotline.inspect import default_engine

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "engine_record.py"
_spec = importlib.util.spec_from_file_location("engine_record", SCRIPT)
assert _spec is not None and _spec.loader is not None
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)
RECORDED: dict[str, str] = json.loads(record.RECORDING.read_text(encoding="utf-8"))


@pytest.mark.parametrize("part", record.PARTS)
def test_the_engine_says_what_was_recorded(part: str) -> None:
    got = dict(record.cases(default_engine(semantic=False), part))
    assert got, part
    differ = [k for k, v in got.items() if RECORDED.get(k) != v]
    assert not differ, f"{len(differ)} of {len(got)} cases differ from the recording, e.g. {differ[:10]}"


def test_every_recorded_case_is_still_produced() -> None:
    prefixes = {k.split(":")[0] for k in RECORDED}
    assert prefixes == {"sample", "prefix", "utterance", "acts", "generated"}
    assert sum(k.startswith("generated:") for k in RECORDED) == record.GENERATED
