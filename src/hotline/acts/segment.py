"""Clause segmentation of a normalised turn: at punctuation (never inside quotes), and in long
unpunctuated runs (speech-to-text output) before spoken discourse markers. Spans index the
normalised text, so a clause maps back to the original text through ``Normalized.to_original``."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from hotline.acts.settings import SegmentSettings


class Clause(NamedTuple):
    start: int
    end: int
    mark: str  # the punctuation that closed the clause ('' at the end of the turn)


class Segmenter:
    def __init__(self, settings: SegmentSettings):
        self.settings = settings
        self.separators = frozenset(settings.separators)
        self.opens = {q[0]: q[-1] for q in settings.quote_pairs if q}
        self._quote = re.compile("|".join(map(re.escape, self.opens)) or "(?!)")
        self._sep = re.compile("[" + re.escape(settings.separators) + "]")
        self.markers = (
            re.compile("|".join(map(re.escape, sorted(settings.markers, key=len, reverse=True))))
            if settings.markers else None
        )

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 - one segmenter per model, kept for the process
    def read(self, text: str) -> tuple[Clause, ...]:
        """The clauses, and for a run-on that no marker splits, overlapping windows over it as well
        (speech-to-text output without punctuation hides a push-away in the middle of a long line)."""
        out: list[Clause] = []
        s = self.settings
        for c in self.clauses(text):
            out.append(c)
            if c.end - c.start > s.long_clause:
                last = c.end - s.window
                starts = list(range(c.start, last, s.stride)) + [last]
                out.extend(Clause(a, a + s.window, "") for a in starts)
        return tuple(out)

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 - one segmenter per model, kept for the process
    def clauses(self, text: str) -> tuple[Clause, ...]:
        if not self._quote.search(text):
            return self._unquoted(text)
        out: list[Clause] = []
        start = 0
        closing = ""
        for i, ch in enumerate(text):  # quotes need every character looked at
            if closing:
                if ch == closing:
                    closing = ""
                continue
            if ch in self.opens and text.find(self.opens[ch], i + 1) != -1:
                closing = self.opens[ch]
            elif ch in self.separators and not _inside_number(text, i) and not self._cut_short(text, start, i):
                if i > start:
                    out.extend(self._split_long(text, start, i, ch))
                elif out and not out[-1].mark.endswith(ch):
                    out[-1] = out[-1]._replace(mark=out[-1].mark + ch)
                start = i + 1
        if start < len(text):
            out.extend(self._split_long(text, start, len(text), ""))
        return tuple(out)

    def _unquoted(self, text: str) -> tuple[Clause, ...]:
        """``clauses`` of a text without quotes (most turns): only the separators are looked at."""
        out: list[Clause] = []
        start = 0
        last = len(text) - 1
        short = self.settings.long_clause if self.markers is not None else len(text)
        for m in self._sep.finditer(text):
            i = m.start()
            ch = text[i]
            if ch in ".," and 0 < i < last and text[i - 1].isdigit() and text[i + 1].isdigit():
                continue  # _inside_number
            if ch in "—…" and self._cut_short(text, start, i):
                continue
            if i > start:
                if i - start <= short:
                    out.append(Clause(start, i, ch))
                else:
                    out.extend(self._split_long(text, start, i, ch))
            elif out and not out[-1].mark.endswith(ch):
                out[-1] = out[-1]._replace(mark=out[-1].mark + ch)
            start = i + 1
        if start < len(text):
            out.extend(self._split_long(text, start, len(text), ""))
        return tuple(out)

    @staticmethod
    def _cut_short(text: str, start: int, i: int) -> bool:
        """A word cut off by a dash or an ellipsis (你——行，你等着) belongs to what follows."""
        return text[i] in "—…" and 0 < len(text[start:i].strip("—…")) < 2 and i + 1 < len(text)

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


def _inside_number(text: str, i: int) -> bool:
    """A point or comma between two digits (69.9元, 1,200) does not end a clause."""
    return text[i] in ".," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
