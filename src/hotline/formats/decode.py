"""Bytes → text for files written by Chinese office software: UTF-8 (with or without BOM), GBK, GB18030."""

from __future__ import annotations

from hotline.errors import FormatError


def decode_bytes(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")  # a superset of GBK and GB2312
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise FormatError(
                "无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030），请另存为 UTF-8",
                source=source, location=f"第 {line} 行",
            ) from None
