"""Request type (诉求类型: 咨询/求助/投诉/举报/建议/表扬, or 无效 with a reason) from what the
citizen said. Cues are data (request_types.yaml); silent and abusive calls are recognised by the
inspection engine's detectors, so there is one definition of a silent call."""

from __future__ import annotations

from hotline.model import Call
from hotline.workorder.prediction import Prediction, from_probabilities, softmax
from hotline.workorder.schema import RequestTypes, load_request_types

INVALID = "无效"
_NEGATIONS = ("不是", "不想", "没有", "不用", "不要", "并非")
_PRIOR = "求助"


def _cue_hits(text: str, types: RequestTypes, turn_index: int | None) -> list[dict[str, object]]:
    hits: list[dict[str, object]] = []
    for rt in types.types:
        for cue in rt.cues:
            pos = text.find(cue.phrase)
            while pos >= 0:
                if not any(text[max(0, pos - 3) : pos].endswith(n) for n in _NEGATIONS):
                    hits.append({"type": rt.name, "cue": cue.phrase, "weight": cue.weight,
                                 "turn_index": turn_index, "span": [pos, pos + len(cue.phrase)]})
                pos = text.find(cue.phrase, pos + 1)
    return hits


def _predict(hits: list[dict[str, object]], types: RequestTypes, semantic: dict[str, float] | None) -> Prediction:
    scores = {t.name: 0.0 for t in types.types}
    scores[_PRIOR] = 0.5
    for h in hits:
        scores[str(h["type"])] += float(h["weight"])  # type: ignore[arg-type]
    if semantic:
        top = max(semantic.values())
        for name, sim in semantic.items():
            scores[name] += 40.0 * (sim - top)
    pred = from_probabilities(softmax(scores, temperature=1.5))
    pred.evidence = [h for h in hits if h["type"] == pred.label]
    return pred


def _semantic_scores(text: str, types: RequestTypes) -> dict[str, float]:
    from hotline.inspect.semantic import max_similarity

    return {t.name: max_similarity(text, [t.description, *t.examples]) for t in types.types}


def classify_text(text: str, *, semantic: bool = False, types: RequestTypes | None = None) -> Prediction:
    """Request type of a piece of citizen text; ``semantic`` adds sentence-embedding similarity."""
    types = types or load_request_types()
    hits = _cue_hits(text, types, None)
    return _predict(hits, types, _semantic_scores(text, types) if semantic else None)


def classify_call(call: Call, *, semantic: bool = False, types: RequestTypes | None = None) -> Prediction:
    """Request type of a call: 无效 (with the reason) for silent, abusive or misdialled calls."""
    types = types or load_request_types()
    reason = invalid_reason(call, types)
    if reason:
        return Prediction(INVALID, 1.0, [], [INVALID, reason], [{"reason": reason}])
    hits = [h for i in call.citizen_turn_indexes() for h in _cue_hits(call.turns[i].text, types, i)]
    text = "。".join(call.turns[i].text for i in call.citizen_turn_indexes())
    return _predict(hits, types, _semantic_scores(text, types) if semantic else None)


def invalid_reason(call: Call, types: RequestTypes | None = None) -> str:
    """无声 / 骚扰 / 误拨, or "" for a valid call."""
    from hotline.inspect import default_engine

    types = types or load_request_types()
    said = [call.turns[i].text for i in call.citizen_turn_indexes()]
    if not any(_has_words(t) for t in said):
        return "无声"
    eng = default_engine()
    if eng.detect(call, "silent_explain"):
        return "无声"
    if eng.detect(call, "citizen_abuse") and eng.detect(call, "harassment_warning"):
        return "骚扰"
    if len(said) <= 6 and any(c in t for t in said for c in types.misdial_cues):
        return "误拨"
    return ""


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
