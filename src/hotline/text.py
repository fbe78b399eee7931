"""Text normalisation before matching: full-width → half-width, traditional → simplified, ASCII
lower-case, whitespace removed. The mapping keeps offsets, so a match in the normalised text
points back into the original text a user sees."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_WS = re.compile(r"\s+")


@functools.cache
def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII variants
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "
    table[0x3002] = "."  # 。 → . so clause boundaries are one set of ASCII marks
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    for code in range(0xFF21, 0xFF3B):  # full-width capitals → lower-case ASCII
        table[code] = chr(code - 0xFEE0 + 32)
    table.update(_traditional_to_simplified())
    return table


def _traditional_to_simplified() -> dict[int, str]:
    """Single-character traditional → simplified pairs (1:1, so offsets stay valid)."""
    from zhconv import zhconv

    pairs = zhconv.getdict("zh-hans")
    return {ord(k): v for k, v in pairs.items() if len(k) == 1 and len(v) == 1 and k != v}


@dataclass(slots=True, frozen=True)
class Normalized:
    """Normalised text; ``offsets[i]`` is the index in the original text of normalised char ``i``
    (None when nothing was removed, i.e. the mapping is the identity)."""

    text: str
    original: str
    offsets: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) span back to the original text."""
        if self.offsets is None:
            return start, end
        if start >= len(self.offsets):
            return len(self.original), len(self.original)
        last = self.offsets[max(start, end - 1)] if end > start else self.offsets[start]
        return self.offsets[start], last + (1 if end > start else 0)


def normalize(text: str) -> Normalized:
    mapped = text.translate(_table())
    if not _WS.search(mapped):
        return Normalized(mapped, text)
    kept = [(i, ch) for i, ch in enumerate(mapped) if not ch.isspace()]
    return Normalized("".join(ch for _, ch in kept), text, tuple(i for i, _ in kept))


def normalize_phrase(phrase: str) -> str:
    return normalize(phrase).text
