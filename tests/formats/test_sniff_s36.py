"""A file with an unhelpful extension whose head looks like JSON but whose speakers' lines start further on than the
first 20 lines: read as the dialogue it is when it does not read as JSON (else one JSON error lost every call)."""

from __future__ import annotations

import json
from pathlib import Path

from hotline.formats import read_calls, sniff

DIALOGUE = "# id: c1\n坐席：您好，12345热线。\n市民：我家楼下路灯坏了。\n坐席：好的，我帮您登记。\n"


def _read(tmp_path: Path, name: str, text: str) -> tuple[list[str], list[object]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    errors: list[object] = []
    return [c.id for c in read_calls(path, errors.append)], errors


def test_brace_then_long_junk_then_dialogue_is_a_dialogue(tmp_path: Path) -> None:
    text = "{\n" + "\n".join(["0"] * 25) + "\n---\n" + DIALOGUE
    assert sniff(text) == "dialogue"
    ids, _ = _read(tmp_path, "x.txt", text)
    assert "c1" in ids


def test_bracket_then_long_junk_then_dialogue_is_a_dialogue() -> None:
    assert sniff("[\n" + "\n".join(["x"] * 30) + "\n" + DIALOGUE) == "dialogue"


def test_json_and_json_lines_stay_json(tmp_path: Path) -> None:
    call = {"id": "j1", "turns": [{"speaker": "agent", "text": "您好"}, {"speaker": "citizen", "text": "你好"}]}
    pretty = json.dumps(call, ensure_ascii=False, indent=2)
    assert sniff(pretty) == "json"
    # JSON Lines whose first line reads: a later bad line is that line's error, not a reason to read a dialogue
    lines = json.dumps(call, ensure_ascii=False) + "\n" + "\n".join(["junk"] * 25) + "\n坐席：您好\n"
    assert sniff(lines) == "jsonl"
    ids, errors = _read(tmp_path, "x.txt", lines)
    assert ids == ["j1"] and errors


def test_broken_json_without_speakers_stays_json() -> None:
    # nothing to read as a dialogue: the JSON reader's error names what is wrong
    assert sniff('{"id": "x", "turns": [\n' + "\n".join(["1,"] * 30)) == "json"
