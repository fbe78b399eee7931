"""Spoken and written digit strings: 一三八…, 幺, 洞 normalised to 138…, with spans kept in the
original text so a finding can point at what the caller said."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {
    "0": "0", "零": "0", "〇": "0", "洞": "0", "o": "0", "O": "0",
    "1": "1", "一": "1", "幺": "1", "壹": "1",
    "2": "2", "二": "2", "两": "2", "贰": "2",
    "3": "3", "三": "3", "叁": "3",
    "4": "4", "四": "4", "肆": "4",
    "5": "5", "五": "5", "伍": "5",
    "6": "6", "六": "6", "陆": "6",
    "7": "7", "七": "7", "拐": "7", "柒": "7",
    "8": "8", "八": "8", "捌": "8",
    "9": "9", "九": "9", "勾": "9", "玖": "9",
}
_DIGITS.update({chr(0xFF10 + i): str(i) for i in range(10)})  # full-width ０-９
_SEPARATORS = set(" -—–－、，,.。 \u3000")
_ID_TAIL = {"x": "X", "X": "X", "叉": "X", "ｘ": "X", "Ｘ": "X"}


@dataclass(frozen=True, slots=True)
class DigitRun:
    """A run of digits in ``text[start:end]``; ``digits`` is the normalised ASCII string."""

    digits: str
    start: int
    end: int


def digit_runs(text: str, min_len: int = 7) -> list[DigitRun]:
    """Runs of spoken or written digits (separators allowed between digits) of at least ``min_len``."""
    runs: list[DigitRun] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] not in _DIGITS or _is_word_digit(text, i):
            i += 1
            continue
        digits, start, j, last = "", i, i, i
        while j < n:
            ch = text[j]
            if ch in _DIGITS and not (digits == "" and _is_word_digit(text, j)):
                digits += _DIGITS[ch]
                last = j
            elif ch in _ID_TAIL and len(digits) == 17:
                digits += "X"
                last = j
                j += 1
                break
            elif ch not in _SEPARATORS or j + 1 >= n or text[j + 1] not in _DIGITS:
                break
            j += 1
        if len(digits) >= min_len:
            runs.append(DigitRun(digits, start, last + 1))
        i = max(last + 1, i + 1)
    return runs


def _is_word_digit(text: str, i: int) -> bool:
    """True for a Chinese numeral that is part of a word (一下, 一直, 三天), not a spoken digit."""
    ch = text[i]
    if ch.isascii() or ch in "幺洞":
        return False
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return nxt not in _DIGITS and nxt not in _SEPARATORS and nxt not in _ID_TAIL


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}|\d{7,8}")
_ID = re.compile(r"\d{17}[\dX]")


def classify_run(run: DigitRun) -> str | None:
    """``mobile``, ``landline``, ``id`` or None for a digit run."""
    d = run.digits
    if _ID.fullmatch(d):
        return "id"
    if _MOBILE.fullmatch(d):
        return "mobile"
    if _LANDLINE.fullmatch(d):
        return "landline"
    return None


def normalize_phone(value: str) -> str:
    """Digits of a phone number as written in an order (spaces, dashes and spoken digits removed)."""
    return "".join(_DIGITS.get(ch, "") for ch in value)


def normalize_id(value: str) -> str:
    out = "".join(_DIGITS.get(ch, "") or _ID_TAIL.get(ch, "") for ch in value)
    return out


def id_checksum_ok(value: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of an 18-digit resident ID number."""
    if not _ID.fullmatch(value):
        return False
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17]
