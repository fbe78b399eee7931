"""What happened and what the caller wants: the citizen's clauses, split into event and request
(the summary is built from them in ``summary``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.model import Call
from hotline.workorder.numbers import digit_runs
from hotline.workorder.schema import ExtractionCues, load_extraction

_CLAUSE = re.compile(r"[^，,。！？；!?;\n]+")
_PUNCT = "，,。！？；!?;、 …~～"


@dataclass(slots=True)
class Sentence:
    turn_index: int
    start: int
    end: int
    text: str


def citizen_clauses(call: Call) -> list[Sentence]:
    """The citizen's words cut at commas and sentence ends, with their positions."""
    out = []
    for i in call.citizen_turn_indexes():
        for m in _CLAUSE.finditer(call.turns[i].text):
            text = m.group(0).strip()
            if text:
                out.append(Sentence(i, m.start(), m.end(), text))
    return out


_MASKED_PHONE = re.compile(r"\d{3}\*{2,}\d{2,}|电话(号码)?(是|就是)?\d")


def _is_chitchat(text: str, cues: ExtractionCues) -> bool:
    core = text.strip(_PUNCT)
    parts = [p for p in re.split(r"[，,、 ]", core) if p]
    return not core or all(p in cues.chitchat or p in cues.affirmations for p in parts)


def _is_personal(text: str, cues: ExtractionCues) -> bool:
    """A clause that only gives the caller's name, phone or address (stated apart in the summary)."""
    if digit_runs(text) or _MASKED_PHONE.search(text):
        return True
    core = text.strip(_PUNCT)
    if any(core.startswith(w) for w in cues.name_intro + cues.surname_intro) and len(core) <= 8:
        return True
    # "我住在梧桐里5栋" gives the address; "住在养老院" says what the matter is about
    intro = any(core.startswith(w) for w in cues.address_intro if len(w) >= 2)
    return intro and any(m in core for m in cues.address_markers)


def is_request(text: str, cues: ExtractionCues | None = None) -> bool:
    cues = cues or load_extraction()
    return any(m in text for m in cues.request_markers)


def event_and_request(call: Call, cues: ExtractionCues | None = None) -> tuple[list[Sentence], list[Sentence]]:
    """Clauses describing the event, and clauses asking for something."""
    cues = cues or load_extraction()
    event: list[Sentence] = []
    request: list[Sentence] = []
    for s in citizen_clauses(call):
        if _is_chitchat(s.text, cues) or _is_personal(s.text, cues):
            continue
        (request if is_request(s.text, cues) else event).append(s)
    return event, request
