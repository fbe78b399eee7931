"""Bad and unusual inputs, as a new user brings them: every good record is kept, nothing is invented,
every bad record is named (file + line or record) in Chinese, and the run goes on."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hotline.errors import FormatError
from hotline.formats import read_calls
from hotline.formats.layouts import reader_settings
from hotline.model import Speaker

A, C = Speaker.AGENT, Speaker.CITIZEN
# field and format names a message may quote; any other Latin word in a message is English leaking out
ALLOWED_LATIN = {"speaker", "text", "turns", "meta", "json", "jsonl", "csv", "utf", "gbk", "big5", "call_id",
                 "start", "end", "data", "formats", "speakers", "yaml", "swap", "roles", "gb18030", "tsv",
                 "content", "sentence", "transcript", "role", "spk", "speaker_id"}


def english_words(message: str) -> list[str]:
    """Latin words in a message other than field and format names and quoted input (「…」)."""
    message = re.sub(r"「[^」]*」", "", message)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9_]{2,}", message) if w.lower() not in ALLOWED_LATIN]


def turn(speaker: str, text: str, **extra: object) -> dict[str, object]:
    return {"speaker": speaker, "text": text, **extra}


def line(call_id: str, *turns: dict[str, object], **extra: object) -> str:
    return json.dumps({"id": call_id, "turns": list(turns), **extra}, ensure_ascii=False)


GOOD = line("ok", turn("agent", "您好，12345热线"), turn("citizen", "路灯坏了"))
GOOD2 = line("ok2", turn("agent", "您好"), turn("citizen", "谢谢"))
DEEP = '{"id": "deep", "meta": ' + "[" * 50_000 + "]" * 50_000 + ', "turns": []}'


@dataclass
class Case:
    name: str
    data: bytes
    good: list[str]
    errors: list[str] = field(default_factory=list)  # one fragment per expected error, in order
    speakers: dict[str, list[Speaker]] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


CASES = [
    # labels that are not aliases are turns, never glued into the previous turn
    Case("names.txt", utf8("坐席：您好，12345热线，请问有什么可以帮您？\n老王：我家楼下路灯坏了。\n坐席：好的。\n"),
         ["names"], speakers={"names": [A, C, A]}),
    Case("tails.txt", utf8("坐席1024：您好，12345热线。\n来电人(138****1234)：路灯坏了。\n坐席(1024)：好的。\n"),
         ["tails"], speakers={"tails": [A, C, A]}, texts={"tails": ["您好，12345热线。", "路灯坏了。", "好的。"]}),
    Case("third.txt", utf8("坐席：您好\n市民：路灯坏了\n老王：我也看见了\n---\n坐席：您好\n市民：谢谢\n"),
         ["third-2"], ["third.txt 第 3 行: 不认识的说话人「老王」"]),
    # a call with no words is not scored as if it were a call
    Case("zero.jsonl", utf8(f'{{"id": "z", "turns": []}}\n{GOOD}\n'), ["ok"], ["zero.jsonl 第 1 行: 没有任何话轮"]),
    Case("silent.jsonl", utf8(line("s", turn("agent", ""), turn("citizen", "（无声）")) + "\n" + GOOD + "\n"),
         ["ok"], ["第 1 行: 所有话轮都没有文字"]),
    Case("meta_only.txt", utf8("# agent_id: 1024\n"), [], ["meta_only.txt 第 1 行起: 没有任何话轮"]),
    # empty inputs say so
    Case("empty.jsonl", b"", [], ["empty.jsonl: 文件里没有任何通话"]),
    Case("blank.jsonl", b"\n\n  \n", [], ["blank.jsonl: 文件里没有任何通话"]),
    Case("nocalls.json", b'{"calls": []}', [], ["nocalls.json: 没有任何通话"]),
    Case("emptylist.json", b"[]", [], ["emptylist.json: 没有任何通话"]),
    Case("header.csv", utf8("call_id,speaker,text\n"), [], ["header.csv: 只有表头"]),
    Case("empty.csv", b"", [], ["empty.csv: 文件为空"]),
    # nesting and syntax: one bad record, the run goes on
    Case("deep.jsonl", utf8(f"{GOOD}\n{DEEP}\n{GOOD2}\n"), ["ok", "ok2"], ["deep.jsonl 第 2 行: JSON 嵌套层数过深"]),
    Case("deep.json", utf8("[" * 50_000 + "]" * 50_000), [], ["deep.json: JSON 嵌套层数过深"]),
    Case("deepmeta.jsonl", utf8(line("m", turn("agent", "您好"), meta={"a": {"b": {"c": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}}}) + f"\n{GOOD}\n"),
         ["ok"], ["第 1 行: meta 嵌套超过"]),
    Case("comma.jsonl", utf8(f'{GOOD}\n{{"id": 1 "turns": []}}\n{GOOD2}\n'), ["ok", "ok2"],
         ["comma.jsonl 第 2 行第 10 列: JSON 语法错误：缺少逗号"]),
    Case("quote.jsonl", utf8("{'id': 1}\n"), [], ["第 1 行第 2 列: JSON 语法错误：键名必须用英文双引号"]),
    Case("extra.jsonl", utf8(GOOD + GOOD2 + "\n"), [], ["JSON 语法错误：一条记录之后还有多余内容"]),
    Case("list.jsonl", utf8(f"[1, 2]\n{GOOD}\n"), ["ok"], ["第 1 行: 每条通话应为 JSON 对象"]),
    Case("notext.jsonl", utf8(line("x", {"speaker": "agent"}) + "\n"), [], ["第 1 行 turns[0]: 缺少 text"]),
    Case("nospeaker.jsonl", utf8(line("x", {"text": "您好"}) + "\n"), [], ["第 1 行 turns[0]: 缺少 speaker"]),
    Case("negative.jsonl", utf8(line("x", turn("agent", "您好", start=-1, end=2)) + "\n"), [], ["start 不能为负数"]),
    Case("nan.jsonl", utf8(line("x", turn("agent", "您好", start="abc")) + "\n"), [], ["start 应为数字"]),
    Case("backwards.jsonl", utf8(line("x", turn("agent", "您好", start=5, end=2)) + "\n"), [], ["早于开始时间"]),
    Case("badmeta.jsonl", utf8(line("x", turn("agent", "您好"), meta=[1]) + "\n"), [], ["第 1 行: meta 应为 JSON 对象"]),
    # CSV: a call with a broken row is reported whole, never half-imported
    Case("quotes.csv", utf8('call_id,speaker,text\nA,坐席,您好\nA,市民,"x"y\nB,坐席,您好\n'), ["B"],
         ["quotes.csv 第 3 行: 通话 A 未导入：引号用法不对"]),
    Case("unclosed.csv", utf8('call_id,speaker,text\nB,坐席,您好\nA,市民,"没有闭合\nA,坐席,您好\n'), ["B"],
         ["unclosed.csv 第 3 行: 通话 A 未导入：这一行的引号没有闭合"]),
    Case("times.csv", utf8("call_id,speaker,text,start\nA,坐席,您好,0\nA,市民,喂,一秒\nB,坐席,您好,0\n"), ["B"],
         ["times.csv 第 3 行: 通话 A 未导入：start 应为秒数"]),
    Case("noid.csv", utf8("call_id,speaker,text\n,坐席,您好\nB,坐席,您好\n"), ["B"], ["noid.csv 第 2 行: call_id 为空"]),
    Case("columns.csv", utf8("id,text\n1,x\n"), [], ["columns.csv 第 1 行: 表头缺少列：speaker"]),
    # encodings: every text format, including JSONL
    Case("gbk.jsonl", GOOD.encode("gbk") + b"\n", ["ok"], texts={"ok": ["您好，12345热线", "路灯坏了"]}),
    Case("gb18030.jsonl", line("rare", turn("agent", "您好，𠀾先生")).encode("gb18030") + b"\n", ["rare"],
         texts={"rare": ["您好，𠀾先生"]}),
    Case("bom.jsonl", b"\xef\xbb\xbf" + utf8(GOOD) + b"\n", ["ok"]),
    Case("utf16.jsonl", GOOD.encode("utf-16") + "\n".encode("utf-16-le"), ["ok"]),
    Case("excel.csv", "call_id\tspeaker\ttext\nA\t坐席\t您好\nA\t市民\t路灯坏了\n".encode("utf-16"), ["A"],
         texts={"A": ["您好", "路灯坏了"]}),
    Case("be.csv", b"\xfe\xff" + "call_id,speaker,text\nA,坐席,您好\n".encode("utf-16-be"), ["A"]),
    Case("nobom.csv", "call_id,speaker,text\nA,坐席,您好\n".encode("utf-16-le"), ["A"]),
    Case("big5.txt", "坐席：您好，這裡是熱線，請問有什麼可以幫您？\n市民：我家樓下的路燈壞了。\n".encode("big5"), ["big5"],
         speakers={"big5": [A, C]}, texts={"big5": ["您好，這裡是熱線，請問有什麼可以幫您？", "我家樓下的路燈壞了。"]}),
    Case("big5.csv", "call_id,speaker,text\nA,坐席,請問您貴姓？\n".encode("big5"), ["A"], texts={"A": ["請問您貴姓？"]}),
    Case("gbk.txt", "坐席：您好，请问有什么可以帮您？\n市民：路灯坏了。\n".encode("gbk"), ["gbk"]),
    Case("late_gbk.jsonl", utf8((line("ascii", turn("agent", "hello")) + "\n") * 3000) + GOOD.encode("gbk") + b"\n",
         [*["ascii"] * 3000, "ok"]),
    Case("garbage.jsonl", utf8(GOOD) + b"\n\xff\xfe\xfa\x81\x00\n" + utf8(GOOD2) + b"\n", ["ok", "ok2"],
         ["garbage.jsonl 第 2 行: 无法识别文件编码"]),
    Case("garbage.txt", b"\xff\xfe\xfa\x00\x81", [], ["无法识别文件编码"]),
    # speech-to-text labels: roles from what is said
    Case("asr.jsonl", utf8(line("asr", turn("说话人1", "您好，12345政务服务便民热线，请问有什么可以帮您？"),
                                turn("说话人2", "我想反映一下，我家楼下的路灯坏了。"))), ["asr"], speakers={"asr": [A, C]}),
    Case("spk.jsonl", utf8(line("spk", turn("spk0", "喂，我要投诉，我们小区门口天天堵车。"),
                                turn("spk1", "您好，请问具体是哪个小区？我帮您登记。"))), ["spk"], speakers={"spk": [C, A]}),
    Case("channel.json", utf8(json.dumps({"id": "ch", "sentences": [
        {"channel_id": 1, "text": "您好，12345热线，工号1024为您服务。", "begin_time": 0, "end_time": 3000},
        {"channel_id": 0, "text": "我想咨询一下社保怎么办。", "begin_time": 3500, "end_time": 6000}]},
        ensure_ascii=False)), ["ch"], speakers={"ch": [A, C]}),
    Case("ab.txt", utf8("A：喂，我想问一下，我家的燃气费怎么交？\nB：您好，请问您的户号是多少？我帮您查询。\n"), ["ab"],
         speakers={"ab": [C, A]}),
    Case("robot.jsonl", utf8(line("r", turn("机器人", "嗯"))), [], ["turns[0]: 不认识的说话人「机器人」"]),
]


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / case.name
    path.write_bytes(case.data)
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_and_unusual_inputs(tmp_path: Path, case: Case) -> None:
    errors: list[FormatError] = []
    calls = list(read_calls(_write(tmp_path, case), errors.append))
    assert [c.id for c in calls] == case.good
    assert len(errors) == len(case.errors), [str(e) for e in errors]
    for err, fragment in zip(errors, case.errors, strict=True):
        text = str(err)
        assert case.name in text and fragment in text, text
        assert not english_words(err.message), err.message
    by_id = {c.id: c for c in calls}
    for call_id, speakers in case.speakers.items():
        assert [t.speaker for t in by_id[call_id].turns] == speakers
    for call_id, texts in case.texts.items():
        assert [t.text for t in by_id[call_id].turns] == texts


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    def set_limits(**values: float) -> None:
        for key, value in values.items():
            monkeypatch.setattr(reader_settings().limits, key, value)

    return set_limits


@pytest.mark.parametrize(
    ("limit", "record", "message"),
    [
        ({"max_record_mb": 0.001}, line("big", turn("agent", "您" * 2000)), "这一行超过"),
        ({"max_turns": 3}, line("many", *[turn("agent", "您好")] * 4), "话轮太多（4 个，上限 3）"),
        ({"max_turn_chars": 10}, line("long", turn("agent", "您好" * 6)), "一个话轮超过 10 字"),
    ],
)
def test_size_limits_reject_one_record_and_go_on(tmp_path: Path, limits: Callable[..., None],
                                                 limit: dict[str, float], record: str, message: str) -> None:
    limits(**limit)
    path = tmp_path / "limits.jsonl"
    path.write_text(f"{GOOD}\n{record}\n{GOOD2}\n", encoding="utf-8")
    errors: list[FormatError] = []
    assert [c.id for c in read_calls(path, errors.append)] == ["ok", "ok2"]
    assert len(errors) == 1 and "第 2 行" in str(errors[0]) and message in str(errors[0])


def test_whole_file_size_limit(tmp_path: Path, limits: Callable[..., None]) -> None:
    limits(max_file_mb=0.0001)
    path = tmp_path / "big.txt"
    path.write_text("坐席：您好\n" * 100, encoding="utf-8")
    with pytest.raises(FormatError, match="文件超过 0.0001 MB：大批量通话请用 JSONL"):
        list(read_calls(path))


def test_an_unreadable_file_is_named_and_the_folder_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    (tmp_path / "a.jsonl").write_text(GOOD + "\n", encoding="utf-8")
    locked = tmp_path / "b.jsonl"
    locked.write_text(GOOD2 + "\n", encoding="utf-8")
    real_open = Path.open

    def denied(self: Path, *args: object, **kwargs: object):  # noqa: ANN202
        if self == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", denied)
    errors: list[FormatError] = []
    assert [c.id for c in read_calls(tmp_path, errors.append)] == ["ok"]
    assert len(errors) == 1 and "b.jsonl" in str(errors[0]) and "没有读写权限" in str(errors[0])
    assert not english_words(errors[0].message)


def test_a_lone_surrogate_is_named_and_the_other_calls_are_read(tmp_path: Path) -> None:
    """"\\ud800" in a JSON string decodes to text no output can hold: the record is refused by its line and
    what is wrong (turn text, or meta), never an internal error later; the good calls are read."""
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join([
        '{"id": "t", "turns": [{"speaker": "agent", "text": "您好\\ud800"}, {"speaker": "citizen", "text": "灯坏了"}]}',
        GOOD,
        '{"id": "m", "meta": {"备注\\udc00": 1}, "turns": [{"speaker": "agent", "text": "您好"}]}',
        '{"id": "s", "turns": [{"speaker": "坐席\\ud801", "text": "您好"}, {"speaker": "citizen", "text": "灯坏了"}]}',
    ]) + "\n", encoding="utf-8")
    errors: list[FormatError] = []
    calls = list(read_calls(path, errors.append))
    assert [c.id for c in calls] == ["ok"]
    assert [(e.location, "代理项" in e.message) for e in errors] == [
        ("第 1 行 turns[0]", True), ("第 3 行", True), ("第 4 行 turns[0]", True)]
    assert "meta" in errors[1].message and not any(english_words(e.message) for e in errors)
