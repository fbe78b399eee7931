"""Encoding detection: every supported encoding for every text format, BOM or not."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from hotline.formats import read_calls
from hotline.formats.decode import detect_encoding

SIMPLIFIED = "坐席：您好，这里是12345热线，请问有什么可以帮您？\n市民：我家楼下的路灯坏了，已经三天了。\n"
TRADITIONAL = "坐席：您好，這裡是12345熱線，請問有什麼可以幫您？\n市民：我家樓下的路燈壞了，已經三天了。\n"
ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "gbk": lambda t: t.encode("gbk"),
    "gb18030": lambda t: t.encode("gb18030"),
    "utf-16-le-bom": lambda t: t.encode("utf-16"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-16-le": lambda t: t.encode("utf-16-le"),
    "utf-16-be": lambda t: t.encode("utf-16-be"),
    "big5": lambda t: t.encode("big5"),
}


PAIRS = [(text, enc) for text in (SIMPLIFIED, TRADITIONAL) for enc in ENCODINGS
         if not (enc == "big5" and text is SIMPLIFIED)]  # Big5 has no simplified characters


@pytest.mark.parametrize(("text", "encoding"), PAIRS, ids=[f"{e}-{'trad' if t is TRADITIONAL else 'simp'}" for t, e in PAIRS])
def test_detect_encoding(text: str, encoding: str) -> None:
    data = ENCODINGS[encoding](text)
    found = detect_encoding(data)
    assert found is not None and data.decode(found).lstrip("\ufeff") == text


def _jsonl(text: str) -> str:
    lines = [x.split("：", 1) for x in text.strip().splitlines()]
    return json.dumps({"id": "c", "turns": [{"speaker": s, "text": t} for s, t in lines]}, ensure_ascii=False) + "\n"


def _json(text: str) -> str:
    return "[" + _jsonl(text).strip() + "]"


def _csv(text: str) -> str:
    lines = [x.split("：", 1) for x in text.strip().splitlines()]
    return "call_id,speaker,text\n" + "".join(f"c,{s},{t.replace('，', ' ')}\n" for s, t in lines)


FORMATS = {"c.txt": str, "c.jsonl": _jsonl, "c.json": _json, "c.csv": _csv}


@pytest.mark.parametrize("name", list(FORMATS))
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_every_format_in_every_encoding(tmp_path: Path, name: str, encoding: str) -> None:
    source = TRADITIONAL if encoding == "big5" else SIMPLIFIED
    content = FORMATS[name](source)
    path = tmp_path / name
    path.write_bytes(ENCODINGS[encoding](content))
    (call,) = read_calls(path)
    expected = [x.split("：", 1)[1] for x in source.strip().splitlines()]
    if name == "c.csv":
        expected = [t.replace("，", " ") for t in expected]
    assert [t.text for t in call.turns] == expected
