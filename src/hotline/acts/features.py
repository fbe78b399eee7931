"""Features of a clause for the act model, shared by training and run time: character n-grams
(1–4) of the clause with its start and end marked, after word classes (机构, 热线, 紧急号码) and
numbers are replaced by one class symbol each. A question or exclamation mark that closed the
clause is kept, since 还用问？ and 还用问 are different acts."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from hotline.acts.segment import Segmenter, Span, kernel
from hotline.acts.settings import FeatureSettings
from hotline.acts.taxonomy import ActsError
from hotline.content import data_path, load_yaml_model
from hotline.regexcache import compile_pattern
from hotline.text import by_first_character, normalize_phrase

START, END = "^", "$"
NUMBER = "\ue000"
MAX_N = 4  # the default; data/acts/features.yaml sets the range the model is trained with
_KNOWN_MAX = 100_000  # feature texts ``_remembered`` keeps (forgotten all at once past it)
_DESCRIBED_MAX = 4_096  # n-grams ``describe`` keeps spelled out (likewise)
_CLAUSE = re.compile(r"[^$]*\$")  # one clause's feature text in joined ones (END closes each, and only each)


@functools.cache
def load_settings() -> FeatureSettings:
    return load_yaml_model(data_path("acts", "features.yaml"), FeatureSettings, ActsError)


class Featurizer:
    def __init__(self, settings: FeatureSettings | None = None):
        self.settings = settings or load_settings()
        self.segmenter = Segmenter(self.settings.segment)
        self.symbols: dict[str, str] = {}
        words: dict[str, str] = {}
        for i, (name, members) in enumerate(self.settings.classes.items(), start=1):
            symbol = chr(0xE000 + i)
            self.symbols[symbol] = name
            for w in members:
                words.setdefault(normalize_phrase(w), symbol)
        self._words = words
        self._classes = class_regex(list(words))
        # ``_abstract`` in C (``hotline._kernels.features.Abstracter``: the same words in the regex's order, the same
        # symbols), when the kernel is built; None: the regexes
        self._abstracter = _abstracter(words, NUMBER)
        self._numbers = compile_pattern(r"[0-9][0-9*.]*")
        self._quotes = compile_pattern("|".join(re.escape(q[0]) for q in self.settings.segment.quote_pairs if q))
        self._tails: dict[str, str] = {}  # a clause's closing mark -> what its feature text keeps of it
        self._ends: dict[str, str] = {}  # a clause's closing mark -> ``_end``
        self._lines: dict[str, str] = {}  # a clause's closing mark -> ``_line``
        self._known: dict[str, dict[str, str]] = {}  # a clause's closing mark -> clause -> its feature text
        self._described: dict[str, str] = {}  # ``describe``: an n-gram -> how a user reads it
        # whether ``_abstract`` finds the same words in clauses' feature texts joined a newline apart as joined as
        # they are: no word holds a newline or runs from a clause's end into the next one's start (the digit
        # guards look at the character next to a word, and ``$``, ``^`` and a newline are none of them digits)
        self._apart = not any("\n" in w or END + START in w for w in words)

    def feature_text(self, clause: str, mark: str = "") -> str:
        """The string whose n-grams are a clause's features: ``^`` + abstracted clause + ``?``/``!``
        when one closed it + ``$``. Quoted words are someone else's: they are left out."""
        return self._abstract(self._raw(clause, mark))

    def _raw(self, clause: str, mark: str) -> str:
        text = self._unquote(clause) if self._quotes.search(clause) else clause
        if START in text or END in text:
            text = text.replace(START, "").replace(END, "")
        return f"{START}{text}{self._tail(mark)}{END}"

    def _tail(self, mark: str) -> str:
        """What a clause's feature text keeps of the mark that closed it: ``?`` or ``!`` (还用问？ is not 还用问)."""
        tail = self._tails.get(mark)
        if tail is None:
            tail = self._tails[mark] = "?" if "?" in mark else ("!" if "!" in mark else "")
        return tail

    def _end(self, mark: str) -> str:
        """What a clause's feature text ends with after the clause: ``_tail`` of its mark and ``$`` (kept per mark)."""
        end = self._ends[mark] = self._tail(mark) + END
        return end

    def _line(self, mark: str) -> str:
        """``_end`` and a newline (kept per mark)."""
        line = self._lines[mark] = self._tail(mark) + END + "\n"
        return line

    def _abstract(self, text: str) -> str:
        """Word classes and numbers replaced by their symbols (also over many joined clauses)."""
        if self._abstracter is not None:
            return str(self._abstracter.abstract(text))
        if self._classes is not None:
            text = self._classes.sub(lambda m: self._words[m.group()], text)
        return self._numbers.sub(NUMBER, text)

    def batch(self, normalized: list[str]) -> list[list[tuple[int, int, str]]]:
        """``clause_texts`` for many turns at once: the substitutions run once over all clauses."""
        spans, texts = self.flat_batch(normalized)
        k = iter(texts)
        return [[(s, e, next(k)) for s, e, _ in row] for row in spans]

    def flat_batch(self, normalized: list[str]) -> tuple[list[tuple[Span, ...]], list[str]]:
        """``batch`` as each turn's clause spans (``Segmenter.spans``) and the feature texts of all their
        clauses one after another. The turns are joined once: the segmenter splits them all at once
        (``Segmenter.batch``), and a batch none of whose turns holds a quote or a clause mark (nearly every one)
        makes each clause's text without looking at each turn for them."""
        spans, texts, _ = self.flat_rows(normalized, None, None)
        return spans, texts

    def flat_rows(self, normalized: list[str], memo: Any,
                  score: Any) -> tuple[list[tuple[Span, ...]], list[str], bytearray | None]:
        """``flat_batch``, and given a speaker's ``memo`` (``hotline._kernels.features.ClauseMemo``, see
        ``ActModel.clause_batch``) and ``score`` (its ``SpeakerModel.fresh_rows``), the clauses' rows of act
        probabilities as float32 bytes, one after another: where ``_remembered`` would make the feature texts (a
        clause's text then depends on the clause and its mark only), ``ClauseMemo.batch`` reads both from the memo by
        the clause, making and scoring only the clauses it does not hold. None for the rows otherwise (no memo, a
        quote or a clause mark in a turn, a span the memo does not read): the caller's ``probabilities`` then."""
        joined = "\n".join(normalized)
        spans, quoted = self.segmenter.batch_quoted(normalized, joined)
        pieces: list[str] = []
        ends = self._ends
        if quoted or START in joined or END in joined:
            for text, row in zip(normalized, spans, strict=True):
                if not row:
                    continue
                if START in text or END in text or self._quotes.search(text):
                    pieces.extend([self._raw(text[s:e], m) for s, e, m in row])
                else:  # ``_raw`` of each clause, with nothing to unquote or strip
                    pieces.extend([f"{START}{text[s:e]}{ends.get(m) or self._end(m)}" for s, e, m in row])
        elif self._apart and joined.count("\n") == len(normalized) - 1:
            if memo is not None and self._abstracter is not None:
                got = memo.batch(normalized, spans, self._abstracter, score)
                if got is not None:
                    return spans, got[0], got[1]
            return spans, self._remembered(normalized, spans), None
        else:
            for text, row in zip(normalized, spans, strict=True):
                pieces.extend([f"{START}{text[s:e]}{ends.get(m) or self._end(m)}" for s, e, m in row])
        return spans, _CLAUSE.findall(self._abstract("".join(pieces))), None

    def _remembered(self, normalized: list[str], spans: list[tuple[Span, ...]]) -> list[str]:
        """``flat_batch``'s feature texts of turns that hold no quote mark, ``^``, ``$`` or newline: each clause's
        from ``_known`` (by the mark that closed it, then the clause), the others made at once, a newline apart, and
        read back by one split at the newlines instead of a regex match per clause. ``_apart`` says the
        substitutions find the same words in the joined texts as in each text alone, so a clause's feature text
        depends on the clause and its mark only (calls repeat most clauses)."""
        known = self._known
        if self._abstracter is not None:  # all of it in C (``features.c``: the same texts, the same ``_known``)
            return kernel_remembered(normalized, spans, known, self._abstracter, _KNOWN_MAX)
        texts: list[str] = []
        todo: list[int] = []  # the positions in ``texts`` of the clauses not known
        marks: list[str] = []  # the mark that closed each of them
        pieces: list[str] = []
        # the clauses' table of the mark read last: consecutive clauses mostly close with the same mark (the very
        # string: a mark is the separator read from the text, one object per ASCII character), so it is looked up
        # again only when the mark is another object (nothing is added to ``known`` before the walk ends)
        mark: str | None = None
        memo: dict[str, str] | None = None
        if len(normalized) != len(spans):
            raise ValueError("a row of spans per text")
        for k in range(len(normalized)):  # (compiled: no zip iterator called per turn)
            text = normalized[k]
            for s, e, m in spans[k]:
                clause = text[s:e]
                if m is not mark:
                    memo = known.get(m)
                    mark = m
                got = memo.get(clause) if memo is not None else None
                if got is None:
                    todo.append(len(texts))
                    marks.append(m)
                    texts.append(clause)  # (the clause, until its feature text is made)
                    pieces.append(START)
                    pieces.append(clause)
                    pieces.append(self._lines.get(m) or self._line(m))
                else:
                    texts.append(got)
        if todo:
            made = self._abstract("".join(pieces)).split("\n")
            if sum(map(len, known.values())) + len(todo) > _KNOWN_MAX:
                known.clear()
            for i, j in enumerate(todo):
                feature = made[i]
                known.setdefault(marks[i], {})[texts[j]] = feature
                texts[j] = feature
        return texts

    def clause_texts(self, normalized: str, windows: bool = True) -> list[tuple[int, int, str]]:
        """(start, end, feature text) of each clause of a normalised turn (and of the windows over a
        long run-on, unless ``windows`` is false)."""
        read = self.segmenter.read if windows else self.segmenter.clauses
        return [(c.start, c.end, self.feature_text(normalized[c.start:c.end], c.mark)) for c in read(normalized)]

    def record_text(self, normalized: str) -> str:
        """A corpus record's feature text: its clauses' feature texts one after another (a record is
        usually one clause; a run-on or a summary may be several)."""
        texts = self.clause_texts(normalized, windows=False)
        return "".join(t for _, _, t in texts) or self.feature_text(normalized)

    def _unquote(self, text: str) -> str:
        for pair in self.settings.segment.quote_pairs:
            opener, closer = pair[0], pair[-1]
            start = text.find(opener)
            while start != -1:
                end = text.find(closer, start + 1)
                if end == -1:
                    break
                text = text[:start + 1] + text[end:]
                start = text.find(opener, start + 2)
        return text

    def describe(self, ngram: str) -> str:
        """An n-gram as a user reads it: class symbols by name, the clause marks spelled out (``_describe``), once per
        n-gram (act evidence names the same few n-grams call after call; spelling one out makes a string per class)."""
        got = self._described.get(ngram)
        if got is None:
            got = self._describe(ngram)
            if len(self._described) >= _DESCRIBED_MAX:
                self._described.clear()
            self._described[ngram] = got
        return got

    def _describe(self, ngram: str) -> str:
        out = ngram.replace(NUMBER, "〈数字〉")
        for symbol, name in self.symbols.items():
            out = out.replace(symbol, f"〈{name}〉")
        if out.startswith(START):
            out = "〔句首〕" + out[1:]
        if out.endswith(END):
            out = out[:-1] + "〔句尾〕"
        return out


def _abstracter(words: dict[str, str], number: str) -> Any:
    """The C ``_abstract`` of ``words`` (word -> symbol), or None when the kernel is not built: it is given the words
    in ``class_regex``'s order (longest first, else as given), the first that matches at a position winning, as in
    the regex's alternation (the words of one first character grouped in that order)."""
    native = kernel()
    if native is None:
        return None
    ordered = sorted(words, key=len, reverse=True)
    try:
        return native.Abstracter(ordered, [words[w] for w in ordered], number)
    except (TypeError, ValueError):
        return None


def kernel_remembered(normalized: list[str], spans: list[tuple[Span, ...]], known: dict[str, dict[str, str]],
                      abstracter: Any, limit: int) -> list[str]:
    """``Featurizer._remembered`` in C (``features.c``'s ``remembered``)."""
    native = kernel()
    assert native is not None
    texts: list[str] = native.remembered(normalized, spans, known, abstracter, limit)
    return texts


def class_regex(words: list[str]) -> re.Pattern[str] | None:
    """The regex finding the class words: at each position the longest word there (a word that starts with a
    digit only where no digit is next to it), as ``plain_class_regex`` finds them, in ``by_first_character``'s
    form (a fast scan over the positions that start no word, one group tried at the others)."""
    pattern = by_first_character(sorted(words, key=len, reverse=True), digit_guard=True)
    return compile_pattern(pattern) if pattern else None


def plain_class_regex(words: list[str]) -> re.Pattern[str] | None:
    """``class_regex`` by its definition: every word, longest first, in one alternation."""
    parts = [f"(?<![0-9]){re.escape(w)}(?![0-9])" if w[0].isdigit() else re.escape(w)
             for w in sorted(words, key=len, reverse=True)]
    return compile_pattern("|".join(parts)) if parts else None


def ngrams(feature_text: str, low: int = 1, high: int = MAX_N) -> Iterator[str]:
    """Every n-gram (``low``–``high`` characters) of a feature text (of one or several clauses),
    except a bare clause mark and anything spanning two clauses."""
    n_chars = len(feature_text)
    for i in range(n_chars):
        for n in range(low, high + 1):
            j = i + n
            if j > n_chars:
                break
            gram = feature_text[i:j]
            if END in gram[:-1] or START in gram[1:]:
                break
            if gram not in (START, END):
                yield gram
