"""Speech-to-text vendors' JSON layouts (data/formats/readers.yaml): sentence lists where each vendor
keeps them, speaker or channel fields, times in milliseconds, JSON nested in strings, words to join."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hotline.errors import ContentError
from hotline.formats import read_calls
from hotline.formats.layouts import ReaderSettings, values_at
from hotline.model import Speaker

A, C = Speaker.AGENT, Speaker.CITIZEN
GREETING = "您好，12345政务服务便民热线，请问有什么可以帮您？"
COMPLAINT = "我想反映一下，我家楼下的路灯坏了。"


def iflytek_sentence(role: str, bg: int, ed: int, words: list[str]) -> dict[str, Any]:
    st = {"bg": str(bg), "ed": str(ed), "rl": role, "rt": [{"ws": [{"cw": [{"w": w, "wp": "n"}]} for w in words]}]}
    return {"json_1best": json.dumps({"st": st}, ensure_ascii=False)}


LAYOUTS = [
    ("aliyun", {"TaskId": "ali-1", "Result": {"Sentences": [
        {"BeginTime": 120, "EndTime": 4300, "Text": GREETING, "ChannelId": 0, "SpeakerId": "1"},
        {"BeginTime": 4800, "EndTime": 7600, "Text": COMPLAINT, "ChannelId": 1, "SpeakerId": "2"}]}},
     "ali-1", [A, C], (0.12, 4.3)),
    ("tencent", {"Response": {"Data": {"TaskId": 77, "ResultDetail": [
        {"FinalSentence": GREETING, "StartMs": 0, "EndMs": 4000, "SpeakerId": 0},
        {"FinalSentence": COMPLAINT, "StartMs": 4500, "EndMs": 8000, "SpeakerId": 1}]}}},
     "77", [A, C], (0.0, 4.0)),
    ("volcengine", {"id": "volc-1", "result": {"text": GREETING + COMPLAINT, "utterances": [
        {"text": COMPLAINT, "start_time": 300, "end_time": 3000, "additions": {"speaker": "2"}},
        {"text": GREETING, "start_time": 3200, "end_time": 7000, "additions": {"speaker": "1"}}]}},
     "volc-1", [C, A], (0.3, 3.0)),
    ("funasr", {"key": "fun-1", "text": GREETING + COMPLAINT, "sentence_info": [
        {"text": GREETING, "start": 50, "end": 4050, "spk": 0},
        {"text": COMPLAINT, "start": 4600, "end": 8000, "spk": 1}]},
     "fun-1", [A, C], (0.05, 4.05)),
    ("iflytek", {"content": {"orderInfo": {"orderId": "xf-9"}, "orderResult": json.dumps({"lattice": [
        iflytek_sentence("1", 200, 4100, ["您好", "，", "12345", GREETING[8:]]),  # words, joined
        iflytek_sentence("2", 4700, 8000, list(COMPLAINT))]}, ensure_ascii=False)}},
     "xf-9", [A, C], (0.2, 4.1)),
    ("iflytek_onebest", {"id": "xf-old", "data": json.dumps([
        {"bg": "0", "ed": "3900", "onebest": GREETING, "speaker": "1"},
        {"bg": "4300", "ed": "8100", "onebest": COMPLAINT, "speaker": "2"}], ensure_ascii=False)},
     "xf-old", [A, C], (0.0, 3.9)),
    ("generic_ms", {"call_id": "g-1", "sentences": [
        {"role": "坐席", "content": GREETING, "begin_time": 100, "end_time": 900}]},
     "g-1", [A], (0.1, 0.9)),
    ("generic_seconds", {"id": "g-2", "turns": [
        {"speaker": "agent", "text": GREETING, "start_time": 1.5, "end_time": 4.0}]},
     "g-2", [A], (1.5, 4.0)),
]


@pytest.mark.parametrize(("name", "payload", "call_id", "speakers", "first_times"), LAYOUTS,
                         ids=[x[0] for x in LAYOUTS])
def test_vendor_layouts(tmp_path: Path, name: str, payload: dict[str, Any], call_id: str,
                        speakers: list[Speaker], first_times: tuple[float, float]) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    (call,) = read_calls(path)
    assert call.id == call_id
    assert [t.speaker for t in call.turns] == speakers
    assert (call.turns[0].start, call.turns[0].end) == pytest.approx(first_times)
    texts = {A: GREETING, C: COMPLAINT}
    assert [t.text for t in call.turns] == [texts[s] for s in speakers]


def test_vendor_layout_lines_in_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for _, p, *_ in LAYOUTS), encoding="utf-8")
    assert [c.id for c in read_calls(path)] == [x[2] for x in LAYOUTS]


@pytest.mark.parametrize(
    ("obj", "path", "values"),
    [
        ({"a": {"b": [1, 2]}}, "a.b", [[1, 2]]),
        ({"a": [{"b": 1}, {"b": 2}]}, "a[].b", [1, 2]),
        ({"a": [{"b": 1}, {"b": 2}]}, "a[0].b", [1]),
        ({"a": '{"b": 3}'}, "a.b", [3]),
        ({"a": [[{"w": "x"}], [{"w": "y"}]]}, "a[][0].w", ["x", "y"]),
        ({"a": 1}, "a.b", []),
        ({"a": [1]}, "a[5]", []),
    ],
)
def test_paths(obj: dict[str, Any], path: str, values: list[Any]) -> None:
    assert list(values_at(obj, path)) == values


def test_layout_file_is_validated() -> None:
    from hotline.content import validate

    with pytest.raises(ContentError, match=r"layouts\[0\]\.turns.*路径「a\.\.b」格式不对"):
        validate(ReaderSettings, {"layouts": [{"name": "x", "turns": ["a..b"], "speaker": ["s"], "text": ["t"]}]},
                 "readers.yaml")
