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
        for m in _MASKED_MOBILE.finditer(turn.text):  # a transcript already masked by the recording system
            out["phone"].append(Fact("phone", m.group(0), i, m.span(), m.group(0), turn.speaker))
    return out


_MASKED_MOBILE = re.compile(r"(?<!\d)1[3-9]\d\*{4}\d{4}(?!\d)")


def find_names(call: Call, cues: ExtractionCues | None = None) -> list[Fact]:
    """The caller's name: self-introductions first, then how the agent addressed them (王先生)."""
    cues = cues or load_extraction()
    facts = _self_intro_names(call, cues)
    facts += _answered_names(call, cues, facts)
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


_ANSWER_LEAD = re.compile(r"^(?:[哦噢嗯啊呃哎喔]+[，,、…]*|我?姓|我?叫|免贵姓)*")


def _answered_names(call: Call, cues: ExtractionCues, known: list[Fact]) -> list[Fact]:
    """A bare answer to 您贵姓 / 您怎么称呼 / 您叫什么名字: 张丽。 / 姓周。 / 周，电话……"""
    facts: list[Fact] = []
    turns = call.turns
    for i in call.citizen_turn_indexes():
        prev = next((j for j in range(i - 1, -1, -1) if turns[j].speaker is Speaker.AGENT), None)
        if prev is None or not any(q in turns[prev].text for q in cues.name_questions):
            continue
        if any(f.turn_index == i for f in known):
            continue  # 我叫…/我姓… already read
        text = turns[i].text
        lead = _ANSWER_LEAD.match(text)
        start = lead.end() if lead else 0
        first = re.match(r"[^，,。！？!?、\s]{1,4}", text[start:])
        surname = _surname_of(text[start:], cues.surnames)
        if not first or not surname or first.group(0) in cues.chitchat:
            continue
        said_surname = "姓" in text[:start]
        value = surname if said_surname else _cut_name(text[start:], surname)
        if not said_surname and len(first.group(0)) > len(value):
            continue  # 张家界 is not an answer made of a name
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


