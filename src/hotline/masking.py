"""Masking of citizens' phone numbers, ID numbers and detailed addresses (rules in ``data/masking.yaml``),
for every page, export and log: the web pages, ``hotline inspect`` (every format, serial, ``--jobs`` and
Spark) and the human-facing 工单 outputs. Masking keeps the text's length, so finding spans stay valid.

``mask_text`` runs one combined regular expression over a text (one pass, nothing copied when nothing
matches); ``mask_pair`` masks a whole (call, scorecard) — turns, evidence, messages, suggestions, the
citizen block's evidence, review reasons and the call's meta — where pairs become output rows."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator, model_validator

from hotline.content import Strict, data_path, load_yaml_model
from hotline.model import Call
from hotline.redact import MEMO_TEXTS, Masker
from hotline.regexcache import compile_pattern
from hotline.regexscan import starts

if TYPE_CHECKING:
    from hotline.model import Finding, Scorecard, WorkOrder

_MASK_GROUP = compile_pattern(r"\(\?P<mask>")


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
        build_masker(self)  # the combined pattern compiles (checked when the file is loaded)
        return self


def build_masker(rules: MaskingRules, memo_texts: int = MEMO_TEXTS) -> Masker:
    """The rules compiled for masking: one alternation of every pattern, in the file's order (the first that
    matches at a place wins); pattern i is the group ``p{i}``, its ``mask`` group (if any) ``m{i}``. When
    every pattern's first characters are known, sre is told them (``regexscan.scannable``): its scan then skips
    the places where no match can start instead of trying every pattern there (a lookahead for them before the
    alternation did that at ~3× the cost; nothing at all, ~5×); and the masker finds the first of them itself when the C
    set is built (``regexscan.starts``: ~5 instructions a character, not sre's ~60). ``memo_texts``: how many recurring texts the
    masker remembers (``Masker.mask_recurring``)."""
    parts = [f"(?P<p{i}>{_MASK_GROUP.sub(f'(?P<m{i}>', p.regex)})" for i, p in enumerate(rules.patterns)]
    # per pattern: the group to mask (None: the whole match), characters kept at its head and tail
    plan = [(f"m{i}" if "(?P<mask>" in p.regex else None, p.keep_head, p.keep_tail) for i, p in enumerate(rules.patterns)]
    regex = compile_pattern("|".join(parts), scan=True)
    return Masker(regex, plan, rules.mask_char, memo_texts, starts(regex))


def load_rules(path: Path | None = None) -> MaskingRules:
    return load_yaml_model(path or data_path("masking.yaml"), MaskingRules)


@lru_cache(maxsize=1)
def default_rules() -> MaskingRules:
    return load_rules()


@lru_cache(maxsize=1)
def _default_masker() -> Masker:
    return build_masker(default_rules())


_maskers: dict[int, tuple[MaskingRules, Masker]] = {}


def masker(rules: MaskingRules | None = None) -> Masker:
    if rules is None:
        return _default_masker()
    kept = _maskers.get(id(rules))
    if kept is None or kept[0] is not rules:
        kept = _maskers[id(rules)] = (rules, build_masker(rules))
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


# ── a call and its scorecard, as every output shows them (``hotline.redact``, compiled) ─────────────────
def mask_value(value: Any) -> Any:
    """Strings masked inside meta of any shape (dicts, lists); a number that masking would change (a
    phone number stored as an integer) becomes its masked text."""
    return _default_masker().mask_value(value)


def mask_pair(call: Call, card: Scorecard) -> tuple[Call, Scorecard]:
    """``call`` and ``card`` with citizens' details masked in every text an output shows; ids, speakers,
    times, spans, rule ids and scores unchanged. Nothing is changed in place: what needs masking is a
    copy (a turn or finding with nothing to mask is shared with the original)."""
    return _default_masker().pair(call, card)


def mask_findings(call: Call, findings: list[Finding]) -> list[Finding]:
    """Findings about ``call`` (e.g. of a 工单 check) with their evidence, message and suggestion masked."""
    masker = _default_masker()
    turns = [t.text for t in call.turns]
    masked = [masker.mask(t) for t in turns]
    return [masker.finding(f, turns, masked, masker.mask) for f in findings]


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
