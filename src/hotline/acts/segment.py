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


Span = tuple[int, int, str]  # a Clause as a plain tuple (start, end, mark)


class Segmenter:
    def __init__(self, settings: SegmentSettings):
        self.settings = settings
        self.separators = frozenset(settings.separators)
        self.opens = {q[0]: q[-1] for q in settings.quote_pairs if q}
        self._quote = re.compile("|".join(map(re.escape, self.opens)) or "(?!)")
        self._sep = re.compile("[" + re.escape(settings.separators) + "]")
        # a batch's texts joined by newlines, split at every separator and newline (the split keeps each one)
        self._cuts = re.compile("([" + re.escape(settings.separators + "\n") + "])")
        self.markers = (
            re.compile("|".join(map(re.escape, sorted(settings.markers, key=len, reverse=True))))
            if settings.markers else None
        )

    def read(self, text: str) -> tuple[Clause, ...]:
        """The clauses, and for a run-on that no marker splits, overlapping windows over it as well
        (speech-to-text output without punctuation hides a push-away in the middle of a long line)."""
        return tuple([Clause(a, b, mark) for a, b, mark in self.spans(text)])

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 - one segmenter per model, kept for the process
    def spans(self, text: str) -> tuple[Span, ...]:
        """``read`` as plain (start, end, mark) tuples, what the featurizer reads (no Clause made per clause)."""
        s = self.settings
        long = s.long_clause
        if len(text) <= long and self._sep.search(text) is None:
            return ((0, len(text), ""),) if text else ()  # a short turn in one piece (most turns of a call)
        found, has_long = self._spans(text)
        if not has_long:
            return tuple(found)
        out: list[Span] = []
        for c in found:
            out.append(c)
            if c[1] - c[0] > long:
                last = c[1] - s.window
                out.extend([(a, a + s.window, "") for a in range(c[0], last, s.stride)])
                out.append((last, last + s.window, ""))
        return tuple(out)

    def batch(self, texts: list[str], joined: str | None = None) -> list[tuple[Span, ...]]:
        """``spans`` of each text (``joined``: the texts joined by newlines, when the caller has it). The separators
        of all the texts are found in one split of the joined texts, and a text without quotes or a clause longer
        than ``long_clause`` (nearly every turn) is cut where ``_unquoted`` cuts it, read from the split's pieces:
        no regex run and no match object per text. Any other text is read by ``spans``; so is every text when one
        holds a newline itself."""
        if joined is None:
            joined = "\n".join(texts)
        if joined.count("\n") != len(texts) - 1 or not texts:
            return list(map(self.spans, texts))
        special: set[int] = set()  # the texts with a quote mark, read by ``spans``
        if self._quote.search(joined) is not None:
            special = {k for k, text in enumerate(texts) if self._quote.search(text) is not None}
        parts = self._cuts.split(joined)  # text, mark, text, mark, …: every other piece a separator or a newline
        out: list[tuple[Span, ...]] = []
        long = self.settings.long_clause
        k = 0
        text = texts[0]
        last = len(text) - 1
        skip = 0 in special
        row: list[Span] = []
        start = pos = 0
        for j in range(0, len(parts), 2):
            i = pos + len(parts[j])  # where the separator after this piece stands in ``text``
            ch = parts[j + 1] if j + 1 < len(parts) else "\n"
            if ch == "\n":  # the end of ``text``: ``_unquoted``'s last clause, then the next text
                if skip or len(text) - start > long:
                    out.append(self.spans(text))
                else:
                    if start < len(text):
                        row.append((start, len(text), ""))
                    out.append(tuple(row))
                k += 1
                if k < len(texts):
                    text = texts[k]
                    last = len(text) - 1
                    skip = k in special
                    row = []
                    start = pos = 0
                continue
            pos = i + 1
            if skip:
                continue
            if ch == "." or ch == ",":
                if 0 < i < last and text[i - 1].isdigit() and text[i + 1].isdigit():
                    continue  # _inside_number
            elif (ch == "—" or ch == "…") and self._cut_short(text, start, i):
                continue
            if i > start:
                if i - start > long:
                    skip = True  # a long clause: ``spans`` reads the text (markers, windows)
                    continue
                row.append((start, i, ch))
            elif row and not row[-1][2].endswith(ch):
                a, b, mark = row[-1]
                row[-1] = (a, b, mark + ch)
            start = i + 1
        return out

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 - one segmenter per model, kept for the process
    def clauses(self, text: str) -> tuple[Clause, ...]:
        return tuple([Clause(a, b, mark) for a, b, mark in self._spans(text)[0]])

    def _spans(self, text: str) -> tuple[list[Span], bool]:
        """The clauses as (start, end, mark), and whether one may be longer than ``long_clause``."""
        if not self._quote.search(text):
            return self._unquoted(text)
        out: list[Span] = []
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
                elif out and not out[-1][2].endswith(ch):
                    a, b, mark = out[-1]
                    out[-1] = (a, b, mark + ch)
                start = i + 1
        if start < len(text):
            out.extend(self._split_long(text, start, len(text), ""))
        long = self.settings.long_clause
        return out, any(b - a > long for a, b, _ in out)

    def _unquoted(self, text: str) -> tuple[list[Span], bool]:
        """``_spans`` of a text without quotes (most turns): only the separators are looked at."""
        out: list[Span] = []
        start = 0
        last = len(text) - 1
        long = self.settings.long_clause
        split = self.markers is not None
        has_long = False
        for m in self._sep.finditer(text):
            i = m.start()
            ch = text[i]
            if ch in ".,":
                if 0 < i < last and text[i - 1].isdigit() and text[i + 1].isdigit():
                    continue  # _inside_number
            elif ch in "—…" and self._cut_short(text, start, i):
                continue
            if i > start:
                if i - start <= long:
                    out.append((start, i, ch))
                elif split:
                    out.extend(self._split_long(text, start, i, ch))
                    has_long = True
                else:
                    out.append((start, i, ch))
                    has_long = True
            elif out and not out[-1][2].endswith(ch):
                a, b, mark = out[-1]
                out[-1] = (a, b, mark + ch)
            start = i + 1
        if start < len(text):
            if len(text) - start <= long:
                out.append((start, len(text), ""))
            else:
                out.extend(self._split_long(text, start, len(text), ""))
                has_long = True
        return out, has_long

    @staticmethod
    def _cut_short(text: str, start: int, i: int) -> bool:
        """A word cut off by a dash or an ellipsis (你——行，你等着) belongs to what follows."""
        return text[i] in "—…" and 0 < len(text[start:i].strip("—…")) < 2 and i + 1 < len(text)

    def _split_long(self, text: str, start: int, end: int, mark: str) -> list[Span]:
        s = self.settings
        if self.markers is None or end - start <= s.long_clause:
            return [(start, end, mark)]
        cuts = [start]
        for m in self.markers.finditer(text, start, end):
            if m.start() - cuts[-1] >= s.min_piece and end - m.start() >= s.min_piece:
                cuts.append(m.start())
        cuts.append(end)
        pieces: list[Span] = [(a, b, "") for a, b in zip(cuts, cuts[1:], strict=False)]
        pieces[-1] = (pieces[-1][0], pieces[-1][1], mark)
        return pieces


def _inside_number(text: str, i: int) -> bool:
    """A point or comma between two digits (69.9元, 1,200) does not end a clause."""
    return text[i] in ".," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
