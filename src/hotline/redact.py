"""Masking as the outputs run it, call after call: the masker and the masking of a (call, scorecard). The other
half of ``hotline.masking``, which loads and checks the rules (pydantic models) and builds the masker from them;
apart from it because this half is compiled with the engine (``hotline.native``) and a compiled module holds no
pydantic model. ``hotline.masking`` is the module to import: it names everything here."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from hotline import regexscan
from hotline.model import Call, Finding, Scorecard, Turn

MEMO_TEXTS, MEMO_CHARS = 4096, 400  # recurring texts remembered by a Masker: how many, how long at most


class Masker:
    """The rules compiled for masking (``masking.build_masker``): one alternation of every pattern, in the file's
    order (the first that matches at a place wins); pattern i is the group ``p{i}``, its ``mask`` group (if any)
    ``m{i}``; ``plan[i]`` is the group to mask (None: the whole match) and the characters kept at its head and
    tail."""

    def __init__(self, regex: re.Pattern[str], plan: list[tuple[str | None, int, int]], mask_char: str,
                 memo_texts: int = MEMO_TEXTS, starts: Any = None, heads: Any = False) -> None:
        self.regex = regex
        # the characters a match may begin with (``regexscan.starts``, a C set), or None (not known, not built)
        self.starts: Any = starts
        # the places a match may begin at, read closer (``regexscan.heads``: each rule's first characters, a few
        # more, the one before): read off the regex when it is told ``starts`` (False), or given (None: not used)
        self.heads: Any = (regexscan.heads(regex) if starts is not None else None) if heads is False else heads
        self.plan = plan
        self.mask_char = mask_char
        self.memo: dict[str, str | None] = {}
        self.memo_texts = memo_texts
        self.memo_chars = MEMO_CHARS  # (an attribute: compiled, no lookup in the module's globals at each text)

    def mask(self, text: str) -> str:
        if self.heads is not None:
            return self.mask_at_heads(text)
        starts = self.starts
        if starts is None:
            first = self.regex.search(text)
        else:  # searched from where a match may first begin: none in a text without such a character (a third of them)
            at: int = starts.find(text)
            first = None if at < 0 else self.regex.search(text, at)
        if first is None:  # most texts: one search, nothing made
            return text
        pieces: list[str] = []
        last = 0
        plan = self.plan
        for m in self.regex.finditer(text, first.start()):  # the matches from the first on, as from the start
            start, end = _masked_span(m, plan)
            if end > start:
                pieces.append(text[last:start])
                pieces.append(self.mask_char * (end - start))
                last = end
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def mask_at_heads(self, text: str) -> str:
        """``mask`` with ``heads``: the alternation is matched (sre's ``match``) only at the places ``heads.find`` gives,
        each from the end of the match before (or the place after where none matched): the matches ``finditer``
        finds, as no match begins elsewhere (``regexscan.heads``), and the alternation's match at a place is the one
        its search finds there (the first of its rules that matches, as that rule matches). Most texts: one scan in C,
        no call of sre; a place sre is asked about is most often a match (a number before 号楼, a phone number)."""
        heads = self.heads
        at: int = heads.find(text, 0)
        if at < 0:
            return text
        regex = self.regex
        plan = self.plan
        pieces: list[str] = []
        last = 0
        while at >= 0:
            m = regex.match(text, at)
            if m is None:
                at = heads.find(text, at + 1)
                continue
            start, end = _masked_span(m, plan)
            if end > start:
                pieces.append(text[last:start])
                pieces.append(self.mask_char * (end - start))
                last = end
            at = heads.find(text, m.end())  # (a match takes a character or more: heads refuses a pattern that may not)
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def mask_recurring(self, text: str) -> str:
        """``mask(text)`` for texts that recur from call to call (rules' messages and suggestions, review
        reasons), remembered: the same result, found once. Bounded (long texts are not kept, and the
        memory starts over when full); a text with nothing to mask comes back as the very object given."""
        if not text or len(text) > self.memo_chars:
            return self.mask(text) if text else text
        memo = self.memo
        got = memo.get(text, "")  # one lookup; "" reads as not remembered (were it a remembered answer, it is found again)
        if got == "":
            masked = self.mask(text)
            if len(memo) >= self.memo_texts:
                memo.clear()
            got = memo[text] = None if masked is text else masked
        return text if got is None else got

    def mask_value(self, value: Any) -> Any:
        """Strings masked inside meta of any shape (dicts, lists); a number that masking would change (a
        phone number stored as an integer) becomes its masked text. A string by ``mask_recurring``: the same text,
        and meta values recur from call to call (an agent's id in every call of theirs)."""
        if isinstance(value, str):
            return self.mask_recurring(value)
        if isinstance(value, dict):
            return {k: self.mask_value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.mask_value(v) for v in value]
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1_000_000:
            text = str(value)
            masked = self.mask(text)
            return value if masked == text else masked
        return value

    def quote(self, text: str, turn: int | None, span: tuple[int, int] | None, turns: list[str],
              masked: list[str]) -> str:
        """A quote of a turn masked as the turn itself is (so a number cut by the quote's edge is masked as in
        the whole turn); a quote found nowhere in its turn is masked alone, by ``mask_recurring`` (the same text:
        such quotes are a finding's words about the whole call, 市民说「…」之后, and recur from call to call)."""
        if not text:
            return text
        if turn is not None and 0 <= turn < len(turns):
            original = turns[turn]
            if masked[turn] is original and text in original:
                return text  # nothing to mask in this turn, nor in a piece of it
            if span is not None and original[span[0]:span[1]] == text:
                got = masked[turn][span[0]:span[1]]
            else:
                at = original.find(text)
                got = masked[turn][at:at + len(text)] if at >= 0 else self.mask_recurring(text)
            return text if got == text else got  # a quote of the turn's unmasked part is the very text given
        return self.mask_recurring(text)

    def finding(self, f: Finding, turns: list[str], masked: list[str],
                mask: Callable[[str], str] | None = None) -> Finding:
        """A finding with its evidence (a quote of its turn), message and suggestion masked (by ``mask``; None:
        ``mask_recurring``, called directly); the very finding when nothing in it needs masking."""
        evidence = self.quote(f.evidence, f.turn_index, f.span, turns, masked)
        if mask is None:
            message, suggestion = self.mask_recurring(f.message), self.mask_recurring(f.suggestion)
        else:
            message, suggestion = mask(f.message), mask(f.suggestion)
        if evidence is f.evidence and message is f.message and suggestion is f.suggestion:
            return f
        return with_texts(f, evidence, message, suggestion)

    def pair(self, call: Call, card: Scorecard) -> tuple[Call, Scorecard]:
        """``masking.mask_pair``: ``call`` and ``card`` with citizens' details masked in every text an output
        shows; ids, speakers, times, spans, rule ids and scores unchanged. Nothing is changed in place: what
        needs masking is a copy (a turn or finding with nothing to mask is shared with the original)."""
        turns = [t.text for t in call.turns]
        masked = [self.mask(t) for t in turns]
        new_call = Call(call.id, [t if m is t.text else with_text(t, m) for t, m in zip(call.turns, masked, strict=True)],
                        self.mask_value(call.meta))
        changes: dict[str, Any] = {}
        findings = [self.finding(f, turns, masked) for f in card.findings]
        if any(f is not before for f, before in zip(findings, card.findings, strict=True)):
            changes["findings"] = findings
        notice = self.mask_recurring(card.notice)
        if notice is not card.notice:
            changes["notice"] = notice
        if card.pending:
            changes["pending"] = [dataclasses.replace(p, evidence=self.quote(p.evidence, p.turn_index, None, turns,
                                                                              masked))
                                  for p in card.pending]
        if card.citizen is not None and card.citizen.escalation:
            changes["citizen"] = dataclasses.replace(card.citizen, escalation=[
                (kind, t, self.quote(ev, t, None, turns, masked)) for kind, t, ev in card.citizen.escalation])
        if card.review is not None and card.review.reasons:
            reasons = [self.mask_recurring(r) for r in card.review.reasons]
            if any(r is not before for r, before in zip(reasons, card.review.reasons, strict=True)):
                changes["review"] = dataclasses.replace(card.review, reasons=reasons)
        # a scorecard with nothing to mask is shared, as an unchanged turn or finding is
        return new_call, dataclasses.replace(card, **changes) if changes else card


def _masked_span(m: re.Match[str], plan: list[tuple[str | None, int, int]]) -> tuple[int, int]:
    """What a match of the alternation masks: its rule's group (``plan``), less the characters kept at its head and
    tail (empty when nothing is left)."""
    lastgroup = m.lastgroup  # the outer group p{i} closes last
    assert lastgroup is not None
    group, head, tail = plan[int(lastgroup[1:])]
    start, end = m.span(group) if group else m.span()
    return start + head, end - tail


def with_text(turn: Turn, text: str) -> Turn:
    """``dataclasses.replace(turn, text=text)``, made directly (several times faster; a test holds the two
    alike, field for field)."""
    return Turn(turn.speaker, text, turn.start, turn.end)


def with_texts(f: Finding, evidence: str, message: str, suggestion: str) -> Finding:
    """``dataclasses.replace(f, evidence=evidence, message=message, suggestion=suggestion)``, made directly (a test
    holds the two alike, field for field)."""
    return Finding(f.rule_id, f.dimension, f.severity, f.turn_index, f.span, evidence, message, suggestion, f.points,
                   f.veto, f.layer, f.confidence, f.threshold)
