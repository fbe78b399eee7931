"""What happened and what the caller wants, from the citizen's turns, and an objective summary:
who, when, where, what, what is asked — without opinion or emotion words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.model import Call
from hotline.workorder.numbers import digit_runs
from hotline.workorder.schema import ExtractionCues, SummaryLexicon, load_extraction, load_summary_lexicon

_CLAUSE = re.compile(r"[^，,。！？；!?;\n]+")
_PUNCT = "，,。！？；!?;、 …~～"
_PARTICLES = re.compile(r"[啊呀吧呢嘛哦噢哈啦]+(?=[，。！？；,!?;]|$)")


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


def _is_chitchat(text: str, cues: ExtractionCues) -> bool:
    core = text.strip(_PUNCT)
    parts = [p for p in re.split(r"[，,、 ]", core) if p]
    return not core or all(p in cues.chitchat or p in cues.affirmations for p in parts)


def _is_personal(text: str, cues: ExtractionCues) -> bool:
    """A clause that only gives the caller's name, phone or address (stated apart in the summary)."""
    if digit_runs(text):
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


def objective(text: str, lexicon: SummaryLexicon | None = None, cues: ExtractionCues | None = None) -> str:
    """Citizen words made report-like: emotional clauses dropped, first person → 来电人, particles cut."""
    lexicon = lexicon or load_summary_lexicon()
    cues = cues or load_extraction()
    words = lexicon.always + lexicon.unless_said
    clauses = [c for c in re.split(r"[，,！!？?。；;]", text) if c.strip()]
    kept = [c.strip() for c in clauses if not any(w in c for w in words)]
    out = "，".join(kept)
    for src, dst in sorted(cues.pronouns.items(), key=lambda kv: len(kv[0]), reverse=True):
        out = out.replace(src, dst)
    out = _PARTICLES.sub("", out)
    return out.replace("你们", "有关部门").strip("，")


_TO_AGENT = re.compile(r"你(?!们)|姑娘|小伙子|听得见|听不清|大点声|记一下")


def _join(clauses: list[Sentence], budget: int) -> str:
    """Objective forms of the clauses, in order, without repeats, up to ``budget`` characters."""
    out: list[str] = []
    for s in clauses:
        if _TO_AGENT.search(s.text):
            continue  # talk addressed to the agent, not facts of the case
        text = objective(s.text)
        if len(text) >= 2 and text not in out:
            if sum(map(len, out)) + len(text) > budget and out:
                break
            out.append(text)
    return "，".join(out)


def compose_summary(
    name: str, phone: str, when: str, where: str, event: list[Sentence], request: list[Sentence]
) -> str:
    """来电人X（电话）反映：时间，在地址，事件。诉求：…。"""
    who = f"来电人{name}" if name else "来电人"
    if phone:
        who += f"（联系电话 {phone}）"
    facts, asks = _join(event, 90), _join(request, 60)
    lead = "，".join(p for p in (when, f"在{where}" if where else "") if p)
    body = f"{lead}，{facts}" if lead and facts else (lead or facts)
    summary = f"{who}反映：{body or '（未说明事件）'}。"
    return summary + (f"诉求：{asks}。" if asks else "")
