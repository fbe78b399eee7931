"""The reader's quick steps give what the general ones give: the call's id read by its plain keys
(``jsonfmt._call_id``) is ``first_at``'s, as text, or the default id, for ids of every JSON kind (JSON held in
a string, empty, null, objects, lists, numbers, digits, newlines, emoji); and ``finish_call`` skips the depth
walk only for a flat meta: a meta nested past the limit is still refused, at any place among its values."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.errors import FormatError
from hotline.formats import jsonfmt
from hotline.formats.layouts import first_at, missing, reader_settings
from hotline.formats.records import RawTurn, depth, finish_call

_IDS: list[Any] = ["c-1", "", None, 0, 7, 12345678901234567, 1.5, True, False, {"a": 1}, [1, 2], "{\"a\": 1}", "[1]",
                   "[", "{", "42", "带\n换行", "😀𠀀", " ", "null"]


def _plain_definition(obj: dict[str, Any], paths: list[str], default_id: str) -> str:
    call_id = first_at(obj, paths)
    if missing(call_id) or call_id in (None, "") or isinstance(call_id, (dict, list)):
        call_id = default_id
    return str(call_id)


def _objects() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{}, {"turns": []}]
    for value in _IDS:
        out.append({"id": value})
        out.append({"call_id": value})
        out.append({"id": value, "call_id": "second"})
        out.append({"TaskId": value, "id": "x"})
        out.append({"key": value, "call_id": value})
    return out


@pytest.mark.parametrize("name", [layout.name for layout in reader_settings().layouts])
def test_call_id_is_first_ats(name: str) -> None:
    layout = next(layout for layout in reader_settings().layouts if layout.name == name)
    plan = jsonfmt._plan(layout)
    for keys in ({None, None if plan is None else plan[3]}):
        for obj in _objects():
            assert jsonfmt._call_id(obj, layout, keys, "stem-3") == _plain_definition(obj, layout.id, "stem-3"), obj


def test_plain_id_keys_in_the_plan() -> None:
    layouts = {layout.name: layout for layout in reader_settings().layouts}
    plan = jsonfmt._plan(layouts["通用格式"])
    assert plan is not None and plan[3] == tuple(layouts["通用格式"].id)


def _raw(text: str = "您好") -> list[RawTurn]:
    return [RawTurn("坐席", text, None, None, "第 1 行 turns["), RawTurn("市民", "你好", 1.0, 2.0, "第 1 行 turns[")]


def _nested(levels: int) -> Any:
    value: Any = "底"
    for i in range(levels):
        value = {"k": value} if i % 2 else [value]
    return value


def test_meta_depth_flat_or_nested() -> None:
    limit = reader_settings().limits.max_meta_depth
    metas: list[dict[str, Any]] = [{}, {"agent_id": "1000"}, {"n": 1, "x": None, "s": "😀\n"}, {"l": []}, {"d": {}},
                                   {"a": "1", "deep": _nested(limit - 1)}, {"deep": _nested(limit), "z": 1},
                                   {"a": 1, "b": 2, "deep": _nested(limit + 5)}, {"deep": _nested(limit - 1), "b": [[]]}]
    for meta in metas:
        refused = depth(meta, limit) > limit
        if refused:
            with pytest.raises(FormatError, match="meta 嵌套"):
                finish_call("m-1", _raw(), meta, "s.jsonl", "第 1 行")
        else:
            call = finish_call("m-1", _raw(), meta, "s.jsonl", "第 1 行")
            assert call.meta == meta
    assert any(depth(meta, limit) > limit for meta in metas) and not all(depth(m, limit) > limit for m in metas)
