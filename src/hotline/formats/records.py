"""From turns as read to a validated Call: roles assigned (from the labels, else from what is said),
then the checks every reader shares — at least one turn with words, the size limits, plain meta."""

from __future__ import annotations

import re
from typing import Any

from hotline.errors import FormatError
from hotline.formats.layouts import depth, reader_settings
from hotline.formats.roles import META_KEY, RawTurn, assign_roles
from hotline.model import Call, Turn

# a lone UTF-16 surrogate ("\ud800" in JSON): text no file, page or spreadsheet can hold
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_HINT = "含无法编码的字符（孤立的 UTF-16 代理项）：请检查导出转写的程序或文件编码"


def finish_call(call_id: str, raw: list[RawTurn], meta: dict[str, Any], source: str, where: str) -> Call:
    """A Call from ``raw`` turns; a FormatError naming ``where`` (or the turn's line) when it is not usable."""
    limits = reader_settings().limits
    if not raw:
        raise FormatError("没有任何话轮", source=source, location=where)
    if len(raw) > limits.max_turns:
        raise FormatError(f"话轮太多（{len(raw)} 个，上限 {limits.max_turns}）", source=source, location=where)
    texts = [t.text for t in raw]
    if max(map(len, texts)) > limits.max_turn_chars:
        long = next(t for t in raw if len(t.text) > limits.max_turn_chars)
        raise FormatError(f"一个话轮超过 {limits.max_turn_chars} 字（{len(long.text)} 字），请检查转写是否分句",
                          source=source, location=long.where)
    # one search over all the texts, one over all the labels (a surrogate is in the whole when in a part)
    if _SURROGATE.search("".join(texts)) or _SURROGATE.search("".join([t.label for t in raw])):
        broken = next(t for t in raw if _SURROGATE.search(t.text) or _SURROGATE.search(t.label))
        raise FormatError(f"话轮{_SURROGATE_HINT}", source=source, location=broken.where)
    if _SURROGATE.search(call_id) or _has_surrogate(meta):
        raise FormatError(f"通话编号或 meta {_SURROGATE_HINT}", source=source, location=where)
    if not any(texts) and not meta.get("metrics"):
        raise FormatError("所有话轮都没有文字（只有录音分析结果的通话请直接检查录音）", source=source, location=where)
    if depth(meta, limits.max_meta_depth) > limits.max_meta_depth:
        raise FormatError(f"meta 嵌套超过 {limits.max_meta_depth} 层", source=source, location=where)
    speakers, roles = assign_roles(raw, source, call_id)
    if roles is not None:
        meta = {**meta, META_KEY: roles}
    turns = [Turn(s, t.text, t.start, t.end) for s, t in zip(speakers, raw, strict=True)]
    return Call(id=call_id, turns=turns, meta=meta)


def _has_surrogate(value: Any) -> bool:
    """A lone surrogate in any string of a JSON value (keys included)."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_surrogate(v) for v in value)
    return False
