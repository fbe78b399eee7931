"""Grading of rewrite exercises: the trainee rewrites a bad agent sentence.

A rewrite passes when (1) the inspection engine finds none of the targeted rules and no
服务禁语 in it, (2) the wording the exercise asks for is there (engine detectors), and
(3) the meaning is kept: the key content words survive and the sentence embedding is close to
a reference answer — closer by a margin than to generic polite filler, because e5 cosines of
any two Chinese sentences already sit around 0.8."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from hotline.curriculum.grading import AnswerResult
from hotline.curriculum.schema import Question, RewritePolicy
from hotline.model import Finding, Speaker


class Engine(Protocol):
    def check_utterance(self, text: str) -> list[Finding]: ...

    def acts(self, text: str, speaker: Speaker = ...) -> set[str]: ...


@dataclass(slots=True)
class Similarity:
    to_reference: float
    to_bad: float
    to_generic: float


@dataclass(slots=True)
class RewriteVerdict:
    findings: list[Finding] = field(default_factory=list)
    missing_acts: list[str] = field(default_factory=list)
    missing_keywords: list[list[str]] = field(default_factory=list)
    meaning_changers: list[str] = field(default_factory=list)
    similarity: Similarity | None = None
    meaning_kept: bool = False

    @property
    def compliant(self) -> bool:
        return not self.findings and not self.missing_acts

    @property
    def passed(self) -> bool:
        return self.compliant and not self.missing_keywords and not self.meaning_changers and self.meaning_kept


def similarities(q: Question, text: str, policy: RewritePolicy) -> Similarity:
    from hotline.inspect.semantic import embed

    refs, generic = list(q.references), list(policy.generic_sentences)
    vecs = embed([text, *refs, q.bad or "", *generic])
    sims = vecs[1:] @ vecs[0]
    n = len(refs)
    return Similarity(float(sims[:n].max()), float(sims[n]), float(sims[n + 1 :].max()))


def meaning_kept(sim: Similarity, policy: RewritePolicy) -> bool:
    return (
        sim.to_reference >= policy.min_similarity
        and sim.to_reference - sim.to_generic >= policy.min_margin_over_generic
        and sim.to_reference - sim.to_bad >= policy.min_margin_over_bad
    )


def judge_rewrite(q: Question, text: str, policy: RewritePolicy, engine: Engine | None = None) -> RewriteVerdict:
    """Full verdict on a rewrite; ``engine`` defaults to the default rulebook's engine."""
    eng = engine if engine is not None else _default_engine()
    text = text.strip()
    targeted = set(q.rules) | set(policy.always_check_rules)
    verdict = RewriteVerdict()
    verdict.findings = [f for f in eng.check_utterance(text) if f.rule_id in targeted]
    if q.require_acts:
        acts = eng.acts(text, speaker=Speaker.AGENT)
        verdict.missing_acts = [a for a in q.require_acts if a not in acts]
    verdict.missing_keywords = [group for group in q.keywords if not any(w in text for w in group)]
    verdict.meaning_changers = [w for w in q.avoid if w in text]
    if text and text != (q.bad or "").strip():
        verdict.similarity = similarities(q, text, policy)
        verdict.meaning_kept = meaning_kept(verdict.similarity, policy)
    return verdict


def grade_rewrite(q: Question, text: str, policy: RewritePolicy, engine: Engine | None = None) -> AnswerResult:
    verdict = judge_rewrite(q, text, policy, engine)
    return AnswerResult(q.id, verdict.passed, text.strip(), q.references[0], q.explanation,
                        feedback=feedback(verdict, policy), answered=bool(text.strip()))


def feedback(verdict: RewriteVerdict, policy: RewritePolicy) -> list[str]:
    """Chinese lines telling the trainee what is still wrong (or that the rewrite is good)."""
    lines = [f"仍有问题：{f.message}" + (f"（“{f.evidence}”）" if f.evidence else "") for f in verdict.findings]
    for act in verdict.missing_acts:
        lines.append(f"缺少{policy.act_labels.get(act, act)}")
    for group in verdict.missing_keywords:
        lines.append(f"原话的关键信息没有保留：应提到“{'/'.join(group)}”")
    if verdict.meaning_changers:
        lines.append(f"改写改变了原意：不应出现“{'、'.join(verdict.meaning_changers)}”")
    if verdict.similarity is None:
        lines.append("没有改写：请用规范用语重新表述这句话")
    elif not verdict.meaning_kept:
        lines.append("意思与原话出入较大：请在规范表达的同时保留原话要传达的内容")
    return lines or ["改写合格：用语规范，原意保留"]


def _default_engine() -> Any:
    from hotline.inspect import default_engine

    return default_engine()


def grader_for(policy: RewritePolicy, engine: Engine | None = None) -> Callable[[Question, str], AnswerResult]:
    """One grading function for every question type (rewrite questions go through the engine)."""
    from hotline.curriculum.grading import grade_choice

    def grade(q: Question, text: str) -> AnswerResult:
        if q.type == "rewrite":
            return grade_rewrite(q, text, policy, engine)
        return grade_choice(q, text)

    return grade
