"""Plain dialogue text: ``坐席：…`` / ``市民：…`` lines, an optional ``[00:01.2-00:03.5]`` time prefix,
leading ``# key: value`` metadata lines, and ``---`` lines between calls in one file.

Every ``标签：`` line is a turn. Labels that are not 坐席/市民 aliases (说话人1, spk0, A, a name)
get their roles from what is said; a line without a label continues the previous turn."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hotline.errors import FormatError
from hotline.formats.records import clean_text, finish_call
from hotline.formats.roles import RawTurn
from hotline.formats.speakers import is_generic, speaker_of
from hotline.model import Call
from hotline.regexcache import compile_pattern

_TIME = r"(?:\d+:)?\d+(?:\.\d+)?"
_LINE = compile_pattern(
    rf"^\s*(?:[\[【]\s*(?P<start>{_TIME})\s*[-–~－]\s*(?P<end>{_TIME})\s*[\]】]\s*)?"
    r"(?P<label>[^\s:：\[\]【】（）()，。！？、,!?;；\"“”]{1,16}"
    r"(?:\s*[（(][^）)\n]{0,24}[）)])?(?:\s+\d{1,3})?)\s*[:：]\s*(?P<text>.*)$"
)
_META = compile_pattern(r"^\s*#\s*(?P<key>[\w\u4e00-\u9fff]+)\s*[:：]\s*(?P<value>.*)$")
_SEPARATOR = compile_pattern(r"^\s*(?:-{3,}|={3,})\s*$")


def parse_time(value: str) -> float:
    """``mm:ss.s``, ``hh:mm:ss.s`` or plain seconds → seconds."""
    seconds = 0.0
    for part in value.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def looks_like_dialogue(text: str, window: int | None = 20) -> bool:
    """One of the first ``window`` lines that hold something (None: any line) is a speaker's line (blank lines do
    not count: control characters such as a form feed break lines too, so a few junk bytes can make many of them)."""
    seen = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _LINE.match(line)
        if m and (speaker_of(m.group("label")) is not None or is_generic(m.group("label"))):
            return True
        seen += 1
        if seen == window:
            break
    return False


def read_dialogue_text(text: str, source: str, stem: str) -> Iterator[Call | FormatError]:
    blocks: list[list[tuple[int, str]]] = [[]]
    for lineno, line in enumerate(text.splitlines(), start=1):
        if _SEPARATOR.match(line):
            blocks.append([])
        else:
            blocks[-1].append((lineno, line))
    blocks = [b for b in blocks if any(line.strip() for _, line in b)]
    if not blocks:
        raise FormatError("文件里没有任何通话", source=source)
    for i, block in enumerate(blocks):
        call_id = stem if len(blocks) == 1 else f"{stem}-{i + 1}"
        try:
            yield _parse_block(block, source, call_id)
        except FormatError as exc:
            yield exc


def _parse_block(block: list[tuple[int, str]], source: str, call_id: str) -> Call:
    meta: dict[str, str] = {}
    turns: list[RawTurn] = []
    for lineno, line in block:
        where = f"第 {lineno} 行"
        if not line.strip():
            continue
        m_meta = _META.match(line)
        if m_meta and not turns:
            meta[m_meta.group("key")] = m_meta.group("value").strip()
            continue
        m = _LINE.match(line)
        if m:
            turns.append(_turn(m, source, where))
        elif turns:
            last = turns[-1]  # a wrapped line continues the previous turn
            turns[-1] = RawTurn(last.label, last.text + line.strip(), last.start, last.end, last.where)
        else:
            raise FormatError("无法识别的行：应以「坐席：」或「市民：」等说话人开头", source=source, location=where)
    call_id = meta.pop("id", call_id)
    return finish_call(call_id, turns, dict(meta), source, f"第 {block[0][0]} 行起")


def _turn(m: re.Match[str], source: str, where: str) -> RawTurn:
    start = end = None
    if m.group("start") is not None:
        try:
            start, end = parse_time(m.group("start")), parse_time(m.group("end"))
        except ValueError:
            raise FormatError("时间格式应为 [mm:ss.s-mm:ss.s]", source=source, location=where) from None
        if end < start:
            raise FormatError(f"结束时间早于开始时间（{m.group('start')}-{m.group('end')}）",
                              source=source, location=where)
    return RawTurn(m.group("label").strip(), clean_text(m.group("text")), start, end, where)
