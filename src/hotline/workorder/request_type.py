"""Request type (诉求类型: 咨询/求助/投诉/举报/建议/表扬, or 无效 with a reason) from what the
citizen said — never the agent's script. Every feature is data (request_types.yaml): weighted cue
phrases (the caller's opening statement counts more), patterns of phrases said together, and the
urgency of the call. Silent and abusive calls are recognised by the inspection engine's detectors, so
there is one definition of a silent call.

Speech acts are the seam for a richer model: ``classify_call(call, acts={act: probability})`` adds
``probability × weight`` for each act listed under ``acts`` in the data file (complaint about a body
→ 投诉, reporting someone else's violation → 举报). Nothing here imports the act layer; whoever has act
probabilities passes them in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.model import Call
from hotline.workorder.prediction import Prediction, from_probabilities, softmax
from hotline.workorder.schema import Cue, RequestTypes, load_request_types

INVALID = "无效"
SUBSTANCE_MIN = 2.0  # category keyword weight that makes a call about a matter (one core keyword, or two plain)
_NEGATIONS = ("不是", "不想", "没有", "不用", "不要", "并非")

Hit = dict[str, Any]


def _first_match(text: str, cue: Cue) -> int:
    pos = text.find(cue.phrase)
    while pos >= 0:
        after = text[pos + len(cue.phrase) : pos + len(cue.phrase) + 1]
        negated = any(text[max(0, pos - 3) : pos].endswith(n) for n in _NEGATIONS)
        if not negated and not (after and after in cue.unless_next):
            return pos
        pos = text.find(cue.phrase, pos + 1)
    return -1


def _cue_hits(text: str, types: RequestTypes, turn_index: int | None, factor: float = 1.0) -> list[Hit]:
    hits: list[Hit] = []
    for rt in types.types:
        for cue in rt.cues:
            pos = _first_match(text, cue)
            if pos >= 0:
                hits.append({"type": rt.name, "cue": cue.phrase, "weight": cue.weight * factor, "base": cue.weight,
                             "source": "cue",
                             "turn_index": turn_index, "span": [pos, pos + len(cue.phrase)]})
    return hits


def _distinct(hits: list[Hit]) -> list[Hit]:
    """Each cue once per call, with its strongest occurrence; overlapping cues of one type in one
    turn (想问 and 问一下 in 想问一下) count once."""
    best: dict[tuple[str, str], Hit] = {}
    kept: list[Hit] = []
    for h in sorted(hits, key=lambda h: -float(h["weight"])):
        a, b = h["span"]
        if any(k["type"] == h["type"] and k["turn_index"] == h["turn_index"] and a < k["span"][1] and k["span"][0] < b
               for k in kept):
            continue
        kept.append(h)
        key = (h["type"], h["cue"])
        if key not in best:
            best[key] = h
    return list(best.values())


def _pattern_hits(texts: list[tuple[int, str]], types: RequestTypes) -> list[Hit]:
    hits: list[Hit] = []
    for p in types.patterns:
        found = []
        for group in p.all:
            where = next(((i, t.find(w), w) for i, t in texts for w in group if w in t), None)
            if where is None:
                break
            found.append(where)
        else:
            i, pos, word = found[-1]
            hits.append({"type": p.type, "cue": p.label, "weight": p.weight, "source": "pattern",
                         "turn_index": i, "span": [pos, pos + len(word)]})
    return hits


def citizen_hits(call: Call, types: RequestTypes | None = None) -> list[Hit]:
    """Cue and pattern hits in the citizen's turns; the first turn with a cue is the opening."""
    types = types or load_request_types()
    texts = [(i, call.turns[i].text) for i in call.citizen_turn_indexes()]
    hits: list[Hit] = []
    opening = True
    for i, text in texts:
        found = _cue_hits(text, types, i, types.opening_factor if opening else 1.0)
        opening = opening and not found
        hits += found
    return _distinct(hits) + _pattern_hits(texts, types)


def _scores(hits: list[Hit], types: RequestTypes, extra: Mapping[str, float]) -> dict[str, float]:
    scores = {t.name: types.prior.get(t.name, 0.0) for t in types.types}
    for h in hits:
        scores[str(h["type"])] += float(h["weight"])
    for name, value in extra.items():
        scores[name] += value
    return scores


def _predict(hits: list[Hit], types: RequestTypes, semantic: dict[str, float] | None,
             extra: Mapping[str, float] | None = None) -> Prediction:
    scores = _scores(hits, types, extra or {})
    if semantic:
        top = max(semantic.values())
        for name, sim in semantic.items():
            scores[name] += 40.0 * (sim - top)
    pred = from_probabilities(softmax(scores, temperature=1.5))
    pred.evidence = sorted((h for h in hits if h["type"] == pred.label), key=lambda h: -float(h["weight"]))
    return pred


def _semantic_scores(text: str, types: RequestTypes) -> dict[str, float]:
    from hotline.inspect.semantic import max_similarity

    return {t.name: max_similarity(text, [t.description, *t.examples]) for t in types.types}


def context_hits(types: RequestTypes, urgency: str = "", acts: Mapping[str, float] | None = None) -> list[Hit]:
    """What the call's urgency and (when given) its speech acts add, as hits with their source."""
    hits: list[Hit] = [{"type": name, "cue": f"紧急程度：{urgency}", "weight": w, "source": "urgency",
                        "turn_index": None, "span": None} for name, w in types.urgency.get(urgency, {}).items()]
    for act, prob in (acts or {}).items():
        hits += [{"type": name, "cue": f"言语行为：{act}", "weight": prob * w, "source": "act",
                  "turn_index": None, "span": None} for name, w in types.acts.get(act, {}).items()]
    return hits


def classify_text(text: str, *, semantic: bool = False, types: RequestTypes | None = None) -> Prediction:
    """Request type of a piece of citizen text; ``semantic`` adds sentence-embedding similarity."""
    types = types or load_request_types()
    hits = _cue_hits(text, types, None) + _pattern_hits([(0, text)], types)
    return _predict(hits, types, _semantic_scores(text, types) if semantic else None)


def classify_call(call: Call, *, semantic: bool = False, types: RequestTypes | None = None,
                  urgency: str | None = None, acts: Mapping[str, float] | None = None) -> Prediction:
    """Request type of a call: 无效 (with the reason) for silent, abusive or misdialled calls.
    ``urgency`` is computed from the call when not given; ``acts`` are speech-act probabilities."""
    types = types or load_request_types()
    if urgency is None:
        from hotline.workorder.urgency import assess_call

        urgency = assess_call(call)[0]
    hits = citizen_hits(call, types) + context_hits(types, urgency, acts)
    reason = invalid_reason(call, types, hits)
    if reason:
        return Prediction(INVALID, 1.0, [], [INVALID, reason], [{"reason": reason}])
    text = "。".join(call.turns[i].text for i in call.citizen_turn_indexes())
    return _predict(hits, types, _semantic_scores(text, types) if semantic else None)


def invalid_reason(call: Call, types: RequestTypes | None = None, hits: list[Hit] | None = None) -> str:
    """无声 / 骚扰 / 误拨, or "" for a valid call."""
    from hotline.inspect import default_engine

    types = types or load_request_types()
    said = [call.turns[i].text for i in call.citizen_turn_indexes()]
    if not any(_has_words(t) for t in said):
        return "无声"
    eng = default_engine()
    if eng.detect(call, "silent_explain"):
        return "无声"
    if _has_substance(hits or [], said):
        return ""  # an abusive caller with a real matter keeps the matter's type
    if eng.detect(call, "citizen_abuse") and eng.detect(call, "harassment_warning"):
        return "骚扰"
    if len(said) <= 6 and _misdialled(said, types):
        return "误拨"
    return ""


def _misdialled(said: list[str], types: RequestTypes) -> bool:
    for text in said:
        for cue in types.misdial_cues:
            pos = text.find(cue)
            if pos >= 0 and not any(u in text[max(0, pos - 4) : pos] for u in types.misdial_unless):
                return True
    return False


def _has_substance(hits: list[Hit], said: list[str]) -> bool:
    """The caller states a matter: an emergency, a clear request, or words of a category of the
    taxonomy (a misdialled or harassing caller says none of these)."""
    if any(h["source"] in ("urgency", "pattern") or float(h.get("base", 0)) >= 3 for h in hits):
        return True
    from hotline.workorder.classify import default_classifier
    from hotline.workorder.features import Segment

    scores = default_classifier(semantic=False).keyword_scores([Segment(t) for t in said])
    return max(scores.values(), default=0.0) >= SUBSTANCE_MIN


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
