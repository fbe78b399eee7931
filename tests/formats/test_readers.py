"""Readers: every format, encodings, detection, and clear errors for bad input."""

import json
from pathlib import Path

import pytest

from hotline.errors import FormatError
from hotline.formats import read_call, read_calls
from hotline.model import Speaker
from hotline.text import normalize

DIALOGUE = "# agent_id: 1024\n[00:01.2-00:03.5] 坐席：您好，12345热线。\n市民：你好，\n  我想反映个事。\n话务员：请讲。\n"


def test_dialogue_with_meta_times_aliases_and_wrapped_lines(tmp_path: Path) -> None:
    p = tmp_path / "c1.txt"
    p.write_text(DIALOGUE, encoding="utf-8")
    c = read_call(p)
    assert c.id == "c1" and c.meta == {"agent_id": "1024"}
    assert [t.speaker for t in c.turns] == [Speaker.AGENT, Speaker.CITIZEN, Speaker.AGENT]
    assert c.turns[0].start == 1.2 and c.turns[0].end == 3.5
    assert c.turns[1].text == "你好，我想反映个事。"


def test_dialogue_file_with_several_calls(tmp_path: Path) -> None:
    p = tmp_path / "many.txt"
    p.write_text("坐席：您好\n市民：喂\n---\n坐席：您好\n", encoding="utf-8")
    assert [c.id for c in read_calls(p)] == ["many-1", "many-2"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "calls.csv"
    text = "call_id,speaker,text,start,end\nA,坐席,您好，请问有什么可以帮您,0,2\nB,市民,喂,0,1\nA,市民,路灯坏了,2,4\n"
    p.write_bytes(text.encode(encoding))
    calls = {c.id: c for c in read_calls(p)}
    assert [t.text for t in calls["A"].turns] == ["您好，请问有什么可以帮您", "路灯坏了"]
    assert calls["B"].turns[0].speaker is Speaker.CITIZEN


def test_csv_chinese_headers(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("通话编号,角色,内容\n1,客服,您好\n", encoding="utf-8")
    assert next(read_calls(p)).turns[0].text == "您好"


def test_jsonl_and_json_and_asr_layout(tmp_path: Path) -> None:
    rec = {"id": "j1", "turns": [{"speaker": "agent", "text": "您好", "start": 0, "end": 1.5}], "meta": {"x": 1}}
    asr = {"call_id": "j2", "sentences": [{"role": "坐席", "content": "您好", "begin_time": 100, "end_time": 900}]}
    (tmp_path / "a.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n\n", encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps([asr], ensure_ascii=False), encoding="utf-8")
    calls = {c.id: c for c in read_calls(tmp_path)}
    assert calls["j1"].meta == {"x": 1}
    assert calls["j2"].turns[0].start == pytest.approx(0.1) and calls["j2"].turns[0].end == pytest.approx(0.9)


def test_content_sniffing_for_unknown_extension(tmp_path: Path) -> None:
    p = tmp_path / "call.dialog"
    p.write_text("[00:00.0-00:01.0] 坐席：您好\n", encoding="utf-8")
    assert read_call(p).turns[0].start == 0.0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.jsonl", '{not json}\n', "第 1 行第 2 列"),
        ("bad2.jsonl", '{"id": 1, "turns": [{"speaker": "机器人", "text": "x"}]}\n', "不认识的说话人「机器人」"),
        ("bad3.jsonl", '{"id": 1, "turns": [{"speaker": "agent"}]}\n', "turns[0]: 缺少 text"),
        ("bad4.jsonl", '{"id": 1, "turns": [{"speaker": "agent", "text": "x", "start": 5, "end": 2}]}\n', "早于"),
        ("bad.csv", "id,text\n1,x\n", "表头缺少列：speaker"),
        ("bad2.csv", "call_id,speaker,text,start\nA,坐席,x,abc\n", "start 应为秒数"),
        ("bad.txt", "这是一段没有说话人的文字\n", "第 1 行"),
        ("bad2.txt", "[00:05.0-00:01.0] 坐席：您好\n", "结束时间早于开始时间"),
        ("empty.csv", "", "文件为空"),
        ("bad.json", '{"id": 1,', "JSON 语法错误"),
    ],
)
def test_bad_inputs_name_file_and_place(tmp_path: Path, name: str, content: str, message: str) -> None:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    errors: list[FormatError] = []
    list(read_calls(p, errors.append))
    assert errors, "expected an error"
    text = str(errors[0])
    assert name in text and message in text


def test_batch_keeps_good_records_and_reports_bad(tmp_path: Path) -> None:
    good = '{"id": "ok", "turns": [{"speaker": "agent", "text": "您好"}]}'
    (tmp_path / "mix.jsonl").write_text(f"{good}\n{{oops\n{good.replace('ok', 'ok2')}\n", encoding="utf-8")
    errors: list[FormatError] = []
    ids = [c.id for c in read_calls(tmp_path / "mix.jsonl", errors.append)]
    assert ids == ["ok", "ok2"] and len(errors) == 1 and "第 2 行" in str(errors[0])


def test_csv_call_with_bad_row_is_not_half_imported(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("call_id,speaker,text,start\nA,坐席,您好,0\nA,市民,喂,一秒\nB,坐席,您好,0\n", encoding="utf-8")
    errors: list[FormatError] = []
    assert [c.id for c in read_calls(p, errors.append)] == ["B"]
    assert "通话 A 未导入" in str(errors[0])


def test_undecodable_bytes(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_bytes(b"\xff\xfe\xfa\x00\x81")
    with pytest.raises(FormatError, match="无法识别文件编码"):
        read_call(p)


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="文件不存在"):
        list(read_calls(tmp_path / "nope.txt"))
    with pytest.raises(FormatError, match="没有可读的转写文件"):
        list(read_calls(tmp_path))


@pytest.mark.parametrize(
    ("text", "normalized"),
    [("這個電話", "这个电话"), ("ＡＢＣ１２３！", "abc123!"), ("您好 ，  请问", "您好,请问"), ("好。", "好.")],
)
def test_normalize(text: str, normalized: str) -> None:
    assert normalize(text).text == normalized


def test_normalize_keeps_offsets() -> None:
    n = normalize("您 好，這裡")
    start = n.text.index("这里")
    assert n.to_original(start, start + 2) == (4, 6)
    assert n.original[4:6] == "這裡"
