"""Extracting work-order fields from a call: who, which phone and ID (here), where (``address``)
and when (``timex``).

Every fact keeps the turn and character span where it was said, so checks can quote both sides."""

from __future__ import annotations

import re

from hotline.model import Call, Speaker
from hotline.workorder.address import find_addresses, parse_address
from hotline.workorder.facts import Fact, call_time, turn_order
from hotline.workorder.numbers import classify_run, digit_runs
from hotline.workorder.schema import ExtractionCues, load_extraction
from hotline.workorder.timex import find_times

__all__ = ["Fact", "call_time", "find_addresses", "find_names", "find_numbers", "find_times", "parse_address"]

_CJK = "\u4e00-\u9fff"
_STOP = set("的了啊呀吧呢是在住家电话，。！？、,. ")


def find_numbers(call: Call) -> dict[str, list[Fact]]:
    """Phone numbers and ID numbers said in the call (spoken digits normalised)."""
    out: dict[str, list[Fact]] = {"phone": [], "id_number": []}
    for i in turn_order(call):
        turn = call.turns[i]
        for run in digit_runs(turn.text):
            kind = classify_run(run)
            if kind is None:
                continue
            name = "id_number" if kind == "id" else "phone"
            said = turn.text[run.start : run.end]
            out[name].append(Fact(name, run.digits, i, (run.start, run.end), said, turn.speaker))
    return out


def find_names(call: Call, cues: ExtractionCues | None = None) -> list[Fact]:
    """The caller's name: self-introductions first, then how the agent addressed them (王先生)."""
    cues = cues or load_extraction()
    facts = _self_intro_names(call, cues)
    facts += _honorific_names(call, cues)
    return facts


def _surname_of(text: str, surnames: list[str]) -> str:
    for s in sorted(surnames, key=len, reverse=True):
        if text.startswith(s):
            return s
    return ""


def _self_intro_names(call: Call, cues: ExtractionCues) -> list[Fact]:
    facts: list[Fact] = []
    intros = sorted(cues.name_intro, key=len, reverse=True)
    sur_intros = sorted(cues.surname_intro, key=len, reverse=True)
    for i in call.citizen_turn_indexes():
        text = call.turns[i].text
        for m in re.finditer("|".join(map(re.escape, intros + sur_intros)), text):
            rest = text[m.end() :]
            surname = _surname_of(rest, cues.surnames)
            if not surname:
                continue
            if m.group(0) in sur_intros:
                value = surname
            else:
                value = _cut_name(rest, surname)
                if len(value) == len(surname):
                    continue
            start = m.end()
            facts.append(Fact("caller_name", value, i, (start, start + len(value)), value))
    return facts


def _cut_name(rest: str, surname: str) -> str:
    name = surname
    for ch in rest[len(surname) : len(surname) + 2]:
        if ch in _STOP or not re.match(f"[{_CJK}]", ch):
            break
        name += ch
    return name


def _honorific_names(call: Call, cues: ExtractionCues) -> list[Fact]:
    facts: list[Fact] = []
    pattern = re.compile(
        "(" + "|".join(sorted(map(re.escape, cues.surnames), key=len, reverse=True)) + ")"
        "(" + "|".join(map(re.escape, cues.honorifics)) + ")"
    )
    for i in call.agent_turn_indexes():
        text = call.turns[i].text
        for m in pattern.finditer(text):
            if m.start() > 0 and re.match(f"[{_CJK}]", text[m.start() - 1]) and text[m.start() - 1] not in "的好是，":
                continue
            facts.append(Fact("caller_name", m.group(0), i, m.span(), m.group(0), Speaker.AGENT))
    return facts


