"""Clause segmentation of a normalised turn: at punctuation (never inside quotes), and in long
unpunctuated runs (speech-to-text output) before spoken discourse markers. Spans index the
normalised text, so a clause maps back to the original text through ``Normalized.to_original``."""

from __future__ import annotations

import functools
import re
from types import ModuleType
from typing import Final, NamedTuple, cast

from hotline.acts.settings import SegmentSettings
from hotline.regexcache import compile_pattern


class Clause(NamedTuple):
    start: int
    end: int
    mark: str  # the punctuation that closed the clause ('' at the end of the turn)


Span = tuple[int, int, str]  # a Clause as a plain tuple (start, end, mark)

# CJK ideographs (Extension A and the Unified block): no character in them is a digit to ``str.isdigit`` (the tests
# check each one), so ``_digit_at`` answers for them from the code point
_IDEOGRAPHS_FROM: Final = 0x3400
_IDEOGRAPHS_TO: Final = 0xA000  # (Final: compiled, a constant in the code, not a lookup in the module's globals)
# the separators ``_ends_no_clause`` looks at, by code point (``Segmenter._walk``)
_POINT: Final = ord(".")
_COMMA: Final = ord(",")
_DASH: Final = ord("—")
_ELLIPSIS: Final = ord("…")


def _digit_at(text: str, i: int) -> bool:
    """``text[i].isdigit()``, from the code point where it tells (ASCII, CJK ideographs: most characters next to a
    point or comma) without making the character's string (compiled, ``ord(text[i])`` reads it in place)."""
    c = ord(text[i])
    if c < 0x80:
        return 0x30 <= c <= 0x39
    if _IDEOGRAPHS_FROM <= c < _IDEOGRAPHS_TO:
        return False
    return text[i].isdigit()


@functools.cache
def kernel() -> ModuleType | None:
    """The C clause walks (``hotline._kernels.features``: ``walk``, ``Featurizer._remembered``'s ``remembered``, and
    ``ActModel.clause_batch``'s ``ClauseMemo``), or None when they are not built, stale or switched off (``HOTLINE_NATIVE=0``): the Python paths then, which give
    the same results (tests/acts/test_features_kernel_s38.py holds the kernel to them)."""
    try:
        from hotline._kernels import features
    except ImportError:
        return None
    return features


class Segmenter:
    def __init__(self, settings: SegmentSettings):
        self.settings = settings
        self.separators = frozenset(settings.separators)
        self.opens = {q[0]: q[-1] for q in settings.quote_pairs if q}
        self._quote = compile_pattern("|".join(map(re.escape, self.opens)) or "(?!)")
        self._sep = compile_pattern("[" + re.escape(settings.separators) + "]")
        # whether each code point up to the last separator is a separator (``_walk``: a byte read per character; set
        # where they stand: a list made of every code point up to the last one cost a start ~27M instructions)
        seps = bytearray(max(map(ord, settings.separators), default=-1) + 1)
        for ch in settings.separators:
            seps[ord(ch)] = 1
        self._seps = bytes(seps)
        self.markers = (
            compile_pattern("|".join(map(re.escape, sorted(settings.markers, key=len, reverse=True))))
            if settings.markers else None
        )
        # what the C walk needs to read a clause longer than ``long_clause`` as ``spans`` does (``_split_long``'s
        # markers, in the regex's order: at a position the first that matches is the regex's match there; then the
        # windows); None (such a text read by ``spans``) when a marker is empty (the regex would match between any
        # two characters)
        self._split: tuple[list[str], int, int, int] | None = (
            (sorted(settings.markers, key=len, reverse=True), settings.min_piece, settings.window, settings.stride)
            if all(settings.markers) else None
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
        """``spans`` of each text (``joined``: the texts joined by newlines, when the caller has it)."""
        return self.batch_quoted(texts, joined)[0]

    def batch_quoted(self, texts: list[str], joined: str | None = None) -> tuple[list[tuple[Span, ...]], bool]:
        """``batch``, and whether a text holds a quote mark. Each text is cut by ``_walk``, which walks its
        characters once; a text with a quote mark (seldom: the marks are searched for in the joined texts first) is
        read by ``spans``, which looks at quotes."""
        if joined is None:
            joined = "\n".join(texts)
        if not texts:
            return [], False
        out = self._walk(texts)
        has_quote = False
        for mark in self.opens:
            if mark in joined:
                has_quote = True
                break
        if has_quote:
            for k, text in enumerate(texts):
                if self._quote.search(text) is not None:
                    out[k] = self.spans(text)
        return out, has_quote

    def _walk(self, texts: list[str]) -> list[tuple[Span, ...]]:
        """``spans`` of texts without quote marks (``batch_quoted``): each text's characters walked once, a
        separator told by its code point (read in place, compiled) looked up in ``_seps``, and each text cut
        where ``_unquoted`` cuts it (``_ends_no_clause`` asked of the code point); a text with a clause longer than
        ``long_clause`` is read by ``spans`` (markers, windows). The same clauses as ``spans`` (a newline in a text
        is no separator to either), with no array of the joined texts' code points made, looked up and read back as
        a list of positions (a boxed int per cut cost more than this walk's work per character). The C kernel's
        ``walk`` (``kernel``), when built, does this walk, and reads a long clause as ``spans`` does too (``_split``:
        cut before the markers, windows over a piece still long; its None, with no ``_split``: a text ``spans``
        reads); ``_walk_plain`` else."""
        native = kernel()
        if native is None:
            return self._walk_plain(texts)
        rows = native.walk(texts, self._seps, self.settings.long_clause, self._split)
        for k in range(len(rows)):  # (only with no ``_split``)
            if rows[k] is None:
                rows[k] = self.spans(texts[k])
        return cast("list[tuple[Span, ...]]", rows)

    def _walk_plain(self, texts: list[str]) -> list[tuple[Span, ...]]:
        """``_walk`` in Python (the kernel not built)."""
        seps = self._seps
        top = len(seps)
        long = self.settings.long_clause
        out: list[tuple[Span, ...]] = []
        for text in texts:
            size = len(text)
            row: list[Span] = []
            start = 0
            skip = False
            for i in range(size):
                c = ord(text[i])
                if c >= top or seps[c] == 0:
                    continue
                # ``_ends_no_clause`` told by the code point (four string comparisons a separator cost more)
                if c in (_POINT, _COMMA):
                    if 0 < i < size - 1 and _digit_at(text, i - 1) and _digit_at(text, i + 1):
                        continue
                elif c in (_DASH, _ELLIPSIS) and 0 < len(text[start:i].strip("—…")) < 2 and i + 1 < size:
                    continue
                ch = text[i]
                if i > start:
                    if i - start > long:
                        skip = True  # a long clause: ``spans`` reads the text (markers, windows)
                        break
                    row.append((start, i, ch))
                elif row and not row[-1][2].endswith(ch):
                    a, b, mark = row[-1]
                    row[-1] = (a, b, mark + ch)
                start = i + 1
            if skip or size - start > long:
                out.append(self.spans(text))
            else:
                if start < size:
                    row.append((start, size, ""))
                out.append(tuple(row))
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
            elif ch in self.separators and not self._ends_no_clause(text, start, i, ch):
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
        long = self.settings.long_clause
        split = self.markers is not None
        has_long = False
        for m in self._sep.finditer(text):
            i = m.start()
            ch = text[i]
            if self._ends_no_clause(text, start, i, ch):
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
    def _ends_no_clause(text: str, start: int, i: int, ch: str) -> bool:
        """The separator ``ch`` at ``i`` ends no clause (every reading of a text asks this of each one): a point or
        comma between two digits (69.9元, 1,200), or a dash or an ellipsis cutting a word short (你——行，你等着: the
        word belongs to what follows). ``ch`` is ``text[i]``, which every caller has read (reading it again made a
        new string per separator: most are CJK marks, which Python keeps no single copy of)."""
        if ch == "." or ch == ",":
            return 0 < i < len(text) - 1 and _digit_at(text, i - 1) and _digit_at(text, i + 1)
        return (ch == "—" or ch == "…") and 0 < len(text[start:i].strip("—…")) < 2 and i + 1 < len(text)

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
