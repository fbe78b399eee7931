"""Bytes → text for files written by Chinese office software and telephony systems: UTF-8 (with or
without BOM), UTF-16 LE/BE (Excel's “Unicode 文本”, with or without BOM), GBK/GB18030 and Big5.

The encoding is decided from the head of the file; JSONL is decoded line by line so a file of a
million calls is never held in memory, and a line in another encoding is read or reported alone."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from hotline.errors import FormatError

HEAD_BYTES = 64 * 1024
LEGACY = ("gb18030", "cp950", "big5hkscs")  # GB18030 is a superset of GBK and GB2312; cp950 is Windows Big5
BIG5_LOW_TRAIL_SHARE = 0.15  # Big5 uses trail bytes 0x40–0x7E for ~40 % of characters, GB2312 never
LABELS = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE", "gb18030": "GBK/GB18030", "cp950": "Big5", "big5hkscs": "Big5",
}
UNKNOWN = "无法识别文件编码（支持 UTF-8、UTF-16、GBK/GB18030、Big5），请另存为 UTF-8"


def detect_encoding(head: bytes, *, complete: bool = True, ascii_heavy: bool = False) -> str | None:
    """The codec of a file whose first bytes are ``head`` (``complete``: head is the whole file), or
    None when no supported encoding reads it. ``ascii_heavy``: the format always has ASCII punctuation
    (JSONL), so UTF-16 without a BOM must show it as frequent zero bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec reads the BOM and drops it
    if b"\x00" in head:
        wide = _utf16_without_bom(head, complete, ascii_heavy)
        if wide:
            return wide
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if not complete and exc.reason == "unexpected end of data":
            return "utf-8"  # the head ends inside a character
    return legacy_encoding(head, complete=complete)


def _utf16_without_bom(head: bytes, complete: bool, ascii_heavy: bool) -> str | None:
    """UTF-16 text without a BOM: newlines, digits and other ASCII put a zero byte at odd (LE) or even
    (BE) offsets only. Stray zero bytes in text that reads as UTF-8, GBK or Big5 are not enough: then
    zeros must be as common as ASCII is in a transcript (ids, times, JSON or CSV punctuation)."""
    sample = head[: len(head) - len(head) % 2]
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    readable = ascii_heavy or _decodes(head, "utf-8", complete) or legacy_encoding(head, complete=complete) is not None
    needed = 0.3 * len(sample) / 2 if readable else 2
    for encoding, ours, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if ours >= needed and ours > 8 * other and _decodes(sample, encoding, complete):
            return encoding
    return None


def legacy_encoding(data: bytes, *, complete: bool = True) -> str | None:
    """GB18030 or Big5 for bytes that are not UTF-8: both usually decode, so the trail bytes decide."""
    readable = [enc for enc in LEGACY if _decodes(data, enc, complete)]
    if not readable:
        return None
    big5 = next((enc for enc in readable if enc != "gb18030"), None)
    if "gb18030" not in readable or (big5 and _low_trail_share(data) > BIG5_LOW_TRAIL_SHARE):
        return big5
    return "gb18030"


def _decodes(data: bytes, encoding: str, complete: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
        return True
    except UnicodeDecodeError:
        return False


def _low_trail_share(data: bytes) -> float:
    pairs = low = i = 0
    end = min(len(data), HEAD_BYTES) - 1
    while i < end:
        if data[i] >= 0x81:
            pairs += 1
            low += 0x40 <= data[i + 1] <= 0x7E
            i += 2
        else:
            i += 1
    return low / pairs if pairs else 0.0


def decode_bytes(data: bytes, source: str) -> str:
    """The text of a whole file; an undecodable file is a FormatError naming the first bad line."""
    encoding = detect_encoding(data[:HEAD_BYTES], complete=len(data) <= HEAD_BYTES)
    for candidate in (encoding, *(() if encoding is None else ("utf-8", *LEGACY))):
        if candidate is None:
            break
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise FormatError(UNKNOWN, source=source, location=f"第 {_bad_line(data)} 行")


def _bad_line(data: bytes) -> int:
    try:
        data.decode("gb18030")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    return 1


def raw_lines(fh: BinaryIO, source: str, max_bytes: int, *, end: int | None = None,
              lineno: int = 0) -> Iterator[tuple[int, bytes | FormatError]]:
    """The lines of a byte-oriented file (UTF-8, GBK, Big5) from the current position up to byte ``end``
    (a range of a file that several processes read in parts), numbered after ``lineno``, as bytes: a
    reader decodes a line (``LineDecoder``) only when it needs its text. A line longer than ``max_bytes``
    is a FormatError for that line only."""
    pos = fh.tell()
    while end is None or pos < end:
        raw = fh.readline(max_bytes + 1)
        if not raw:
            return
        pos += len(raw)
        lineno += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            _skip_rest_of_line(fh)
            pos = fh.tell()
            yield lineno, FormatError(f"这一行超过 {max_bytes / 1048576:.3g} MB，已跳过（单条记录过大）",
                                      source=source, location=f"第 {lineno} 行")
            continue
        yield lineno, raw


class LineDecoder:
    """The text of the lines of one byte-oriented file, given in order: UTF-8 when a line is, else the
    file's legacy encoding (voted from its head, or found by the first line that needs one)."""

    __slots__ = ("legacy",)

    def __init__(self, legacy: str | None) -> None:
        self.legacy = legacy

    def line(self, raw: bytes, source: str, lineno: int) -> str | FormatError:
        text, self.legacy = _decode_line(raw, self.legacy)
        return text if text is not None else FormatError(UNKNOWN, source=source, location=f"第 {lineno} 行")


def record_lines(fh: BinaryIO, source: str, max_bytes: int) -> tuple[Iterator[tuple[int, str | bytes | FormatError]],
                                                                     LineDecoder | None]:
    """``(line number, line)`` for each line of a binary file, with the decoder of its lines: a UTF-16 file's
    lines as text (and no decoder), any other file's as bytes with the ``LineDecoder`` that gives their text
    in the file's encoding (a line in no supported encoding is a FormatError for that line only)."""
    head = fh.read(HEAD_BYTES)
    encoding = detect_encoding(head, complete=len(head) < HEAD_BYTES, ascii_heavy=True) or "utf-8"
    fh.seek(0)
    if encoding.startswith("utf-16"):
        return _wide_lines(fh, encoding, source, max_bytes), None
    return raw_lines(fh, source, max_bytes), LineDecoder(legacy_by_lines(head))


def legacy_by_lines(head: bytes) -> str | None:
    """The legacy encoding of a line-oriented file, voted by its non-UTF-8 lines (weighted by length),
    so a stray line of junk bytes cannot decide how the good lines are read."""
    votes: dict[str, int] = {}
    for raw in head.split(b"\n")[:-1] or [head]:
        if raw.isascii() or _decodes(raw, "utf-8", True):
            continue
        encoding = legacy_encoding(raw)
        if encoding is not None:
            votes[encoding] = votes.get(encoding, 0) + len(raw)
    return max(votes, key=votes.__getitem__) if votes else None


def _decode_line(raw: bytes, legacy: str | None) -> tuple[str | None, str | None]:
    """A line as UTF-8 when it is (a GBK or Big5 line of more than a few characters never passes for
    UTF-8), else in the file's legacy encoding, else in whatever legacy encoding reads this line alone."""
    try:
        return raw.decode("utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"), legacy
    except UnicodeDecodeError:
        pass
    for encoding in (legacy, None):
        encoding = encoding or legacy_encoding(raw)
        if encoding is None:
            continue
        try:
            return raw.decode(encoding), legacy or encoding
        except UnicodeDecodeError:
            continue
    return None, legacy


def _skip_rest_of_line(fh: BinaryIO) -> None:
    while True:
        chunk = fh.readline(HEAD_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return


def _wide_lines(fh: BinaryIO, encoding: str, source: str, max_bytes: int) -> Iterator[tuple[int, str | FormatError]]:
    decoder = codecs.getincrementaldecoder(encoding)()
    pending, lineno, skipping = "", 0, False
    while True:
        chunk = fh.read(HEAD_BYTES)
        try:
            text = pending + decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            yield lineno + 1, FormatError(f"从这一行起无法按 {LABELS[encoding]} 解码，其后内容未读取",
                                          source=source, location=f"第 {lineno + 1} 行")
            return
        lines = text.split("\n")
        pending = lines.pop() if chunk else ""
        for line in lines:
            lineno += 1
            if skipping:
                skipping = False
                continue
            yield lineno, line
        if len(pending) * 2 > max_bytes and not skipping:
            yield lineno + 1, FormatError(f"这一行超过 {max_bytes / 1048576:.3g} MB，已跳过（单条记录过大）",
                                          source=source, location=f"第 {lineno + 1} 行")
            skipping = True
        if skipping:
            pending = ""
        if not chunk:
            return
