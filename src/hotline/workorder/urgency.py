"""Urgency (一般/紧急/非常紧急) from danger cues in what the citizen said (data: urgency.yaml):
danger happening now, vulnerable people, group events, same-day needs. A cue marked ``now_only``
does not fire in a sentence that tells of the past (上周五有人被困过)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.model import Call
from hotline.workorder.schema import UrgencyCue, UrgencyRules, load_urgency


@dataclass(frozen=True, slots=True)
class UrgencyHit:
    cue_id: str
    label: str
    level: str
    turn_index: int | None
    span: tuple[int, int]
    said: str


def _positions(text: str, phrase: str) -> list[int]:
    out, pos = [], text.find(phrase)
    while pos >= 0:
        out.append(pos)
        pos = text.find(phrase, pos + 1)
    return out


def _negated(text: str, pos: int, unless: list[str]) -> bool:
    before = text[max(0, pos - 8) : pos]
    return any(u in before for u in unless)


def _match_any(cue: UrgencyCue, text: str) -> tuple[int, int] | None:
    for phrase in cue.any:
        for pos in _positions(text, phrase):
            if not _negated(text, pos, cue.unless):
                return (pos, pos + len(phrase))
    return None


def _match_all(cue: UrgencyCue, text: str) -> tuple[int, int] | None:
    groups = [[(p, p + len(ph)) for ph in group for p in _positions(text, ph)] for group in cue.all]
    if not groups or any(not g for g in groups):
        return None
    for anchor in groups[0]:
        if _negated(text, anchor[0], cue.unless):
            continue
        spans = [anchor]
        for group in groups[1:]:
            near = [s for s in group if abs(s[0] - anchor[0]) <= cue.within]
            if not near:
                break
            spans.append(near[0])
        else:
            return (min(s[0] for s in spans), max(s[1] for s in spans))
    return None


_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")


def _in_the_past(text: str, span: tuple[int, int], rules: UrgencyRules) -> bool:
    """The sentence up to the end of the clause holding ``span`` tells of the past, and neither it
    nor a short clause right after it (昨晚起有煤气味，到现在还有) says it goes on now. 上个月有人被困，
    现在电梯还是三天两头坏: the trapping was last month."""
    for m in _SENTENCE.finditer(text):
        if m.start() <= span[0] < m.end():
            clauses = list(re.finditer(r"[^，,]+", text[span[0] : m.end()]))
            told = text[m.start() : span[0] + clauses[0].end()] if clauses else text[m.start() : m.end()]
            after = clauses[1].group(0) if len(clauses) > 1 and len(clauses[1].group(0)) <= 8 else ""
            past = any(w in told for w in rules.past_markers)
            return past and not any(w in told + after for w in rules.now_markers)
    return False


def match_cues(text: str, rules: UrgencyRules | None = None, turn_index: int | None = None) -> list[UrgencyHit]:
    """Danger cues found in ``text``."""
    rules = rules or load_urgency()
    hits = []
    for cue in rules.cues:
        span = _match_any(cue, text) if cue.any else _match_all(cue, text)
        if span is None or any(w in text[max(0, span[0] - 6) : span[0]] for w in rules.hypothetical):
            continue
        if not (cue.now_only and _in_the_past(text, span, rules)):
            hits.append(UrgencyHit(cue.id, cue.label, cue.level, turn_index, span, text[span[0] : span[1]]))
    return hits


def assess(text: str, rules: UrgencyRules | None = None) -> tuple[str, list[UrgencyHit]]:
    """The highest urgency level whose cues appear in ``text``, and the cues that fired."""
    rules = rules or load_urgency()
    return _highest(match_cues(text, rules), rules)


def assess_call(call: Call, rules: UrgencyRules | None = None) -> tuple[str, list[UrgencyHit]]:
    """Urgency from the citizen's turns (each hit points at its turn)."""
    rules = rules or load_urgency()
    hits = [h for i in call.citizen_turn_indexes() for h in match_cues(call.turns[i].text, rules, i)]
    return _highest(hits, rules)


def _highest(hits: list[UrgencyHit], rules: UrgencyRules) -> tuple[str, list[UrgencyHit]]:
    level = rules.levels[0]
    for hit in hits:
        if rules.levels.index(hit.level) > rules.levels.index(level):
            level = hit.level
    return level, hits
