"""Generated junk for each reader, mixed with good calls: no crash, no traceback, every good call kept
(in order, with its words), and every problem reported as a FormatError."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hotline.errors import FormatError
from hotline.formats import read_calls
from hotline.model import Call

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GOOD_TURNS = [("坐席", "您好，12345热线，请问有什么可以帮您？"), ("市民", "我家楼下的路灯坏了。"), ("坐席", "好的，我帮您登记。")]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
turn_like = st.fixed_dictionaries({}, optional={
    "speaker": json_values | st.sampled_from(["坐席", "市民", "说话人1", "spk0", "老王", "", "机器人"]),
    "text": json_values | st.text(max_size=30), "start": json_values, "end": json_values,
    "begin_time": json_values, "role": json_values, "content": json_values,
})
call_like = st.fixed_dictionaries({}, optional={
    "id": json_values, "turns": st.lists(turn_like, max_size=4) | json_values, "meta": json_values,
    "sentences": st.lists(turn_like, max_size=3), "calls": json_values,
})
junk_record = json_values | call_like
junk_bytes = st.binary(max_size=120).map(lambda b: b.replace(b"\n", b" "))
junk_text = st.text(max_size=80).map(lambda t: t.replace("\n", " ").replace("\r", " "))


def good_call(i: int) -> dict[str, Any]:
    return {"id": f"good-{i}", "turns": [{"speaker": "agent" if s == "坐席" else "citizen", "text": t}
                                         for s, t in GOOD_TURNS]}


def read_back(name: str, data: bytes) -> tuple[list[Call], list[FormatError]]:
    errors: list[Any] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        calls = list(read_calls(path, errors.append))  # must never raise
    assert all(isinstance(e, FormatError) and e.message and "Traceback" not in str(e) for e in errors)
    return calls, errors


def assert_good_kept(calls: list[Call], n_good: int) -> None:
    good = [c for c in calls if c.id.startswith("good-")]
    assert [c.id for c in good] == [f"good-{i}" for i in range(n_good)]
    for c in good:
        assert [t.text for t in c.turns] == [t for _, t in GOOD_TURNS]


def interleave(draw: Callable[..., Any], junk: st.SearchStrategy[Any], render: Callable[[int | None, Any], bytes]) -> tuple[bytes, int]:
    pieces = draw(st.lists(st.one_of(st.just(None), junk), min_size=1, max_size=12))
    out, n = [], 0
    for piece in pieces:
        if piece is None:
            out.append(render(n, None))
            n += 1
        else:
            out.append(render(None, piece))
    return b"".join(out), n


@st.composite
def jsonl_files(draw: Callable[..., Any]) -> tuple[bytes, int]:
    encoding = draw(st.sampled_from(["utf-8", "gbk"]))

    def render(i: int | None, junk: Any) -> bytes:
        if i is not None:
            return json.dumps(good_call(i), ensure_ascii=False).encode(encoding) + b"\n"
        if isinstance(junk, bytes):
            return junk + b"\n"
        text = junk if isinstance(junk, str) else json.dumps(junk, ensure_ascii=False, allow_nan=True)
        return text.replace("\n", " ").encode("utf-8", "surrogatepass") + b"\n"

    return interleave(draw, junk_record | junk_bytes | junk_text, render)


@given(jsonl_files())
@FUZZ
def test_jsonl_reader_survives_junk(case: tuple[bytes, int]) -> None:
    data, n_good = case
    calls, errors = read_back("fuzz.jsonl", data)
    assert_good_kept(calls, n_good)
    if n_good == 0 and not calls:
        assert errors


@given(st.lists(st.one_of(st.just(None), junk_record), min_size=1, max_size=10))
@FUZZ
def test_json_reader_survives_junk(items: list[Any]) -> None:
    n, records = 0, []
    for item in items:
        if item is None:
            records.append(good_call(n))
            n += 1
        else:
            records.append(item)
    data = json.dumps({"calls": records}, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")
    calls, _ = read_back("fuzz.json", data)
    assert_good_kept(calls, n)


csv_cells = st.lists(st.text(max_size=15), min_size=0, max_size=6)


@given(st.lists(st.one_of(st.just(None), csv_cells), min_size=1, max_size=12), st.sampled_from(["utf-8", "gbk", "utf-16"]))
@FUZZ
def test_csv_reader_survives_junk_rows(rows: list[Any], encoding: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["call_id", "speaker", "text"])
    n = 0
    for row in rows:
        if row is None:
            for speaker, text in GOOD_TURNS:
                writer.writerow([f"good-{n}", speaker, text])
            n += 1
        else:
            writer.writerow([f"junk{cell}" if i == 0 else cell for i, cell in enumerate(row)])
    try:
        data = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buf.getvalue().encode("utf-8", "surrogatepass")
    calls, _ = read_back("fuzz.csv", data)
    assert_good_kept(calls, n)


@given(st.lists(st.one_of(st.just(None), st.lists(junk_text, max_size=5)), min_size=1, max_size=8))
# a brace first, then control characters that each break a line: the speakers' lines come after 20 (blank) lines
@example(blocks=[["", "{\x85"], ["", "", "", "", "\x1e"], ["", "", "", "", "\x1e\x0c"], None])
# a brace first, then more than 20 lines of junk before the good call: sniffed as JSON, the call was lost
@example(blocks=[["{", "0", "0", "0", "0\x0c0"], ["0"] * 5, ["0", "0", "0", "0\x0c0"], None])
@FUZZ
def test_dialogue_reader_survives_junk_blocks(blocks: list[Any]) -> None:
    text, n = [], 0
    for block in blocks:
        if block is None:
            text.append("\n".join([f"# id: good-{n}", *(f"{s}：{t}" for s, t in GOOD_TURNS)]))
            n += 1
        else:
            text.append("\n".join(line for line in block if "good-" not in line))
    calls, _ = read_back("fuzz.txt", "\n---\n".join(text).encode("utf-8", "surrogatepass"))
    assert_good_kept(calls, n)


@given(st.binary(max_size=400), st.sampled_from(["x.jsonl", "x.json", "x.csv", "x.txt", "x.tsv", "x.dialog"]))
@FUZZ
def test_raw_bytes_never_crash_any_reader(data: bytes, name: str) -> None:
    read_back(name, data)
