"""Masking of citizens' phone numbers, ID numbers and detailed addresses (rules in ``data/masking.yaml``),
for every page, export and log: the web pages, ``hotline inspect`` (every format, serial, ``--jobs`` and
Spark) and the human-facing 工单 outputs. Masking keeps the text's length, so finding spans stay valid.

``mask_text`` runs one combined regular expression over a text (one pass, nothing copied when nothing
matches); ``mask_pair`` masks a whole (call, scorecard) — turns, evidence, messages, suggestions, the
citizen block's evidence, review reasons and the call's meta — where pairs become output rows."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from re import _constants as _c  # type: ignore[attr-defined]  # the parsed form of a pattern, for first_chars
from re import _parser  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator, model_validator

from hotline.content import Strict, data_path, load_yaml_model
from hotline.model import Call, Turn

if TYPE_CHECKING:
    from hotline.model import Finding, Scorecard, WorkOrder

_MASK_GROUP = re.compile(r"\(\?P<mask>")
MEMO_TEXTS, MEMO_CHARS = 4096, 400  # recurring texts remembered by a Masker: how many, how long at most
_UNSEEN = object()
_CATEGORIES = {_c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_WORD: r"\w", _c.CATEGORY_SPACE: r"\s"}


class MaskPattern(Strict):
    name: str
    regex: str
    keep_head: int = Field(0, ge=0)
    keep_tail: int = Field(0, ge=0)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"正则表达式无效：{exc}") from None
        if set(compiled.groupindex) - {"mask"}:
            raise ValueError("只能有一个命名分组 mask（其余分组请用 (?:…)）")
        if re.search(r"\\[1-9]|\(\?P=", value):
            raise ValueError("不能使用反向引用（\\1、(?P=…)）：各条规则会合并成一个正则一次扫描")
        return value


class MaskingRules(Strict):
    roles_may_unmask: list[str] = Field(default_factory=list)
    mask_char: str = Field("*", min_length=1, max_length=1)
    patterns: list[MaskPattern] = Field(min_length=1)
    agent_code_in_suggestion: str = ""

    @model_validator(mode="after")
    def _combines(self) -> MaskingRules:
        Masker(self)  # the combined pattern compiles (checked when the file is loaded)
        return self


class Masker:
    """The rules compiled for masking: one alternation of every pattern, in the file's order (the first that
    matches at a place wins); pattern i is the group ``p{i}``, its ``mask`` group (if any) ``m{i}``. When
    every pattern's first character is known, a lookahead for those characters comes first: the scan then
    skips the places where no match can start instead of trying every pattern there (about 3× faster).
    A plain object: attributes of a pydantic model's private state cost microseconds to read."""

    __slots__ = ("mask_char", "memo", "plan", "regex")

    def __init__(self, rules: MaskingRules) -> None:
        parts = [f"(?P<p{i}>{_MASK_GROUP.sub(f'(?P<m{i}>', p.regex)})" for i, p in enumerate(rules.patterns)]
        firsts = [first_chars(p.regex) for p in rules.patterns]
        ahead = "" if None in firsts else f"(?=[{''.join(dict.fromkeys(f for f in firsts if f))}])"
        self.regex = re.compile(f"{ahead}(?:{'|'.join(parts)})")
        # per pattern: the group to mask (None: the whole match), characters kept at its head and tail
        self.plan = [(f"m{i}" if "(?P<mask>" in p.regex else None, p.keep_head, p.keep_tail)
                     for i, p in enumerate(rules.patterns)]
        self.mask_char = rules.mask_char
        self.memo: dict[str, str | None] = {}

    def mask(self, text: str) -> str:
        first = self.regex.search(text)
        if first is None:  # most texts: one search, nothing made
            return text
        pieces: list[str] = []
        last = 0
        plan = self.plan
        for m in self.regex.finditer(text, first.start()):  # the matches from the first on, as from the start
            group, head, tail = plan[int(m.lastgroup[1:])]  # type: ignore[index]  # the outer group p{i} closes last
            start, end = m.span(group) if group else m.span()
            start, end = start + head, end - tail
            if end > start:
                pieces += (text[last:start], self.mask_char * (end - start))
                last = end
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def mask_recurring(self, text: str) -> str:
        """``mask(text)`` for texts that recur from call to call (rules' messages and suggestions, review
        reasons), remembered: the same result, found once. Bounded (long texts are not kept, and the
        memory starts over when full); a text with nothing to mask comes back as the very object given."""
        if not text or len(text) > MEMO_CHARS:
            return self.mask(text) if text else text
        got = self.memo.get(text, _UNSEEN)
        if got is _UNSEEN:
            masked = self.mask(text)
            if len(self.memo) >= MEMO_TEXTS:
                self.memo.clear()
            got = self.memo[text] = None if masked is text else masked
        return text if got is None else got  # type: ignore[return-value]


def first_chars(regex: str) -> str | None:
    """The characters a match of ``regex`` can begin with, as the inside of a character class, or None
    when that is not known (a pattern that may match the empty string, a negated class, ``.``…)."""
    parsed = _parser.parse(regex)
    return None if parsed.state.flags & re.IGNORECASE else _first_of_items(parsed)


def _first_of_items(items: Any) -> str | None:
    for op, av in items:
        if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):
            continue  # takes no character: the next item's first character is the match's
        if op is _c.LITERAL:
            return re.escape(chr(av))
        if op is _c.IN:
            return _first_of_class(av)
        if op is _c.SUBPATTERN:
            return _first_of_items(av[3]) if av[3].getwidth()[0] > 0 else None
        if op is _c.BRANCH:
            alts = [_first_of_items(alt) if alt.getwidth()[0] > 0 else None for alt in av[1]]
            return None if None in alts else "".join(a for a in alts if a)
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            return _first_of_items(av[2]) if av[0] > 0 else None
        return None
    return None


def _first_of_class(members: Any) -> str | None:
    out = []
    for op, av in members:
        if op is _c.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is _c.RANGE:
            out.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is _c.CATEGORY and av in _CATEGORIES:
            out.append(_CATEGORIES[av])
        else:
            return None
    return "".join(out)


def load_rules(path: Path | None = None) -> MaskingRules:
    return load_yaml_model(path or data_path("masking.yaml"), MaskingRules)


@lru_cache(maxsize=1)
def default_rules() -> MaskingRules:
    return load_rules()


@lru_cache(maxsize=1)
def _default_masker() -> Masker:
    return Masker(default_rules())


_maskers: dict[int, tuple[MaskingRules, Masker]] = {}


def masker(rules: MaskingRules | None = None) -> Masker:
    if rules is None:
        return _default_masker()
    kept = _maskers.get(id(rules))
    if kept is None or kept[0] is not rules:
        kept = _maskers[id(rules)] = (rules, Masker(rules))
    return kept[1]


def mask_text(text: str, rules: MaskingRules | None = None) -> str:
    """``text`` with every match of the masking patterns replaced by the mask character (same length)."""
    return (masker(rules) if rules is not None else _default_masker()).mask(text)


def may_unmask(role: str, rules: MaskingRules | None = None) -> bool:
    return role in (rules or default_rules()).roles_may_unmask


def agent_suggestion(text: str, agent_code: str | None, rules: MaskingRules | None = None) -> str:
    """A suggested wording with the agent's own 工号 in place of the example one."""
    pattern = (rules or default_rules()).agent_code_in_suggestion
    if not text or not agent_code or not pattern or not agent_code.isdigit():
        return text
    return re.sub(pattern, agent_code, text)


# ── a call and its scorecard, as every output shows them ────────────────────────────────────────
def mask_value(value: Any) -> Any:
    """Strings masked inside meta of any shape (dicts, lists); a number that masking would change (a
    phone number stored as an integer) becomes its masked text."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1_000_000:
        text = str(value)
        masked = mask_text(text)
        return value if masked == text else masked
    return value


def _quote(text: str, turn: int | None, span: tuple[int, int] | None, turns: list[str], masked: list[str]) -> str:
    """A quote of a turn masked as the turn itself is (so a number cut by the quote's edge is masked as in
    the whole turn); a quote found nowhere in its turn is masked alone."""
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
            got = masked[turn][at:at + len(text)] if at >= 0 else mask_text(text)
        return text if got == text else got  # a quote of the turn's unmasked part is the very text given
    return mask_text(text)


def mask_pair(call: Call, card: Scorecard) -> tuple[Call, Scorecard]:
    """``call`` and ``card`` with citizens' details masked in every text an output shows; ids, speakers,
    times, spans, rule ids and scores unchanged. Nothing is changed in place: what needs masking is a
    copy (a turn or finding with nothing to mask is shared with the original)."""
    masker = _default_masker()
    mask, recurring = masker.mask, masker.mask_recurring
    turns = [t.text for t in call.turns]
    masked = [mask(t) for t in turns]
    new_call = Call(call.id, [t if m is t.text else _with_text(t, m) for t, m in zip(call.turns, masked, strict=True)],
                    mask_value(call.meta))
    changes: dict[str, Any] = {}
    findings = [_finding(f, turns, masked, recurring) for f in card.findings]
    if any(f is not before for f, before in zip(findings, card.findings, strict=True)):
        changes["findings"] = findings
    notice = recurring(card.notice)
    if notice is not card.notice:
        changes["notice"] = notice
    if card.pending:
        changes["pending"] = [dataclasses.replace(p, evidence=_quote(p.evidence, p.turn_index, None, turns, masked))
                              for p in card.pending]
    if card.citizen is not None and card.citizen.escalation:
        changes["citizen"] = dataclasses.replace(card.citizen, escalation=[
            (kind, t, _quote(ev, t, None, turns, masked)) for kind, t, ev in card.citizen.escalation])
    if card.review is not None and card.review.reasons:
        reasons = [recurring(r) for r in card.review.reasons]
        if any(r is not before for r, before in zip(reasons, card.review.reasons, strict=True)):
            changes["review"] = dataclasses.replace(card.review, reasons=reasons)
    # a scorecard with nothing to mask is shared, as an unchanged turn or finding is
    return new_call, dataclasses.replace(card, **changes) if changes else card


def _with_text(turn: Turn, text: str) -> Turn:
    """``dataclasses.replace(turn, text=text)``, made directly (several times faster; a test holds the two
    alike, field for field)."""
    return Turn(turn.speaker, text, turn.start, turn.end)


def mask_findings(call: Call, findings: list[Finding]) -> list[Finding]:
    """Findings about ``call`` (e.g. of a 工单 check) with their evidence, message and suggestion masked."""
    turns = [t.text for t in call.turns]
    masked = [mask_text(t) for t in turns]
    return [_finding(f, turns, masked) for f in findings]


def _finding(f: Finding, turns: list[str], masked: list[str], mask: Callable[[str], str] = mask_text) -> Finding:
    evidence = _quote(f.evidence, f.turn_index, f.span, turns, masked)
    message, suggestion = mask(f.message), mask(f.suggestion)
    if evidence is f.evidence and message is f.message and suggestion is f.suggestion:
        return f
    return dataclasses.replace(f, evidence=evidence, message=message, suggestion=suggestion)


def mask_order(order: WorkOrder) -> WorkOrder:
    """A 工单 as people see it (terminal, Excel): the phone and ID number masked even where they do not look
    like one (every digit but the last four), house numbers in the address and the summary masked."""
    address = dataclasses.replace(order.address, street=mask_text(order.address.street),
                                  detail=mask_text(order.address.detail))
    return dataclasses.replace(order, phone=_mask_number(order.phone), id_number=_mask_number(order.id_number),
                               address=address, summary=mask_text(order.summary))


def _mask_number(value: str) -> str:
    masked = mask_text(value)
    if masked != value:
        return masked
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    hidden = set(digits[:-4])
    return "".join(default_rules().mask_char if i in hidden else ch for i, ch in enumerate(value))


def masked_pairs(pairs: Iterable[tuple[Call, Scorecard]], unmask: bool = False) -> Iterator[tuple[Call, Scorecard]]:
    """The pairs as outputs show them: masked, unless an audited ``--unmask`` asked for the originals."""
    if unmask:
        yield from pairs
        return
    for call, card in pairs:
        yield mask_pair(call, card)
