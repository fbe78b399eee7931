"""Clause segmentation of a normalised turn: at punctuation (never inside quotes), and in long
unpunctuated runs (speech-to-text output) before spoken discourse markers. Spans index the
normalised text, so a clause maps back to the original text through ``Normalized.to_original``."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from pydantic import Field

from hotline.content import Strict


class SegmentSettings(Strict):
    separators: str = ",.!?;:…~—"
    long_clause: int = Field(18, ge=4)
    min_piece: int = Field(4, ge=1)
    markers: list[str] = []
    quote_pairs: list[str] = ["「」", "“”"]


class Clause(NamedTuple):
    start: int
    end: int
    mark: str  # the punctuation that closed the clause ('' at the end of the turn)


class Segmenter:
    def __init__(self, settings: SegmentSettings):
        self.settings = settings
        self.separators = frozenset(settings.separators)
        self.opens = {q[0]: q[-1] for q in settings.quote_pairs if q}
        self.markers = (
            re.compile("|".join(map(re.escape, sorted(settings.markers, key=len, reverse=True))))
            if settings.markers else None
        )

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 - one segmenter per model, kept for the process
    def clauses(self, text: str) -> tuple[Clause, ...]:
        out: list[Clause] = []
        start = 0
        closing = ""
        for i, ch in enumerate(text):
            if closing:
                if ch == closing:
                    closing = ""
                continue
            if ch in self.opens and text.find(self.opens[ch], i + 1) != -1:
                closing = self.opens[ch]
            elif ch in self.separators:
                if i > start:
                    out.extend(self._split_long(text, start, i, ch))
                elif out and not out[-1].mark.endswith(ch):
                    out[-1] = out[-1]._replace(mark=out[-1].mark + ch)
                start = i + 1
        if start < len(text):
            out.extend(self._split_long(text, start, len(text), ""))
        return tuple(out)

    def _split_long(self, text: str, start: int, end: int, mark: str) -> list[Clause]:
        s = self.settings
        if self.markers is None or end - start <= s.long_clause:
            return [Clause(start, end, mark)]
        cuts = [start]
        for m in self.markers.finditer(text, start, end):
            if m.start() - cuts[-1] >= s.min_piece and end - m.start() >= s.min_piece:
                cuts.append(m.start())
        cuts.append(end)
        pieces = [Clause(a, b, "") for a, b in zip(cuts, cuts[1:], strict=False)]
        pieces[-1] = pieces[-1]._replace(mark=mark)
        return pieces
