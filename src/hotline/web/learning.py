"""Helpers the learning pages share: lesson Markdown to HTML, papers rebuilt from their seed,
answers read from a form, and engine findings shaped for part 1's highlighting."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from hotline.curriculum.schema import Question

LETTERS = "ABCDEFGH"
TYPE_NAMES = {"single": "单选题", "multiple": "多选题", "true_false": "判断题", "scenario": "情景题", "rewrite": "改写题"}
QUIZ_SIZE = 5


@lru_cache(maxsize=64)
def lesson_html(body: str) -> Markup:
    """Lesson Markdown as HTML; raw HTML in the source is not passed through."""
    from markdown_it import MarkdownIt

    from hotline.curriculum.console import unwrap_cjk

    return Markup(MarkdownIt("commonmark", {"html": False}).enable("table").render(unwrap_cjk(body)))  # noqa: S704


def quiz_paper(cur: Any, topic: str, seed: int) -> list[Question]:
    from hotline.curriculum.exams import quiz_questions

    return quiz_questions(cur.questions, topic, QUIZ_SIZE, seed=seed)


def exam_paper(cur: Any, exam_id: str, seed: int) -> Any:
    from hotline.curriculum.exams import build_paper

    return build_paper(cur.exam(exam_id), cur.questions, seed)


def response_of(q: Question, form: Any) -> str:
    """The answer text the graders expect: letters (``AC``), 对/错, or the rewrite."""
    values = [v for v in form.getlist(f"q-{q.id}") if isinstance(v, str)]
    if q.type == "multiple":
        return "".join(sorted(v for v in values if v in LETTERS))
    return values[0].strip() if values else ""


@dataclass(slots=True)
class ShownFinding:
    """An engine finding with the attributes part 1's ``highlight.segments`` and call page read."""

    id: int
    rule_id: str
    dimension: str
    severity: str
    turn_index: int | None
    span_start: int | None
    span_end: int | None
    evidence: str
    message: str
    suggestion: str
    points: float
    veto: bool


def shown_findings(findings: list[Any]) -> list[ShownFinding]:
    out = []
    for i, f in enumerate(findings, start=1):
        span = f.span if hasattr(f, "span") else f.get("span")
        get = (lambda k, f=f: getattr(f, k)) if hasattr(f, "rule_id") else (lambda k, f=f: f.get(k))
        out.append(ShownFinding(
            i, get("rule_id"), get("dimension"), str(get("severity")), get("turn_index"),
            span[0] if span else None, span[1] if span else None, get("evidence") or "", get("message") or "",
            get("suggestion") or "", float(get("points") or 0), bool(get("veto")),
        ))
    return out


def highlighted_turns(turns: list[tuple[str, str]], findings: list[ShownFinding]) -> list[tuple[int, str, Any]]:
    """(index, speaker, segments) per turn, as the call page draws them."""
    from hotline.web.highlight import segments, turn_findings

    by_turn = turn_findings(findings)  # type: ignore[arg-type]
    return [(i, speaker, segments(text, by_turn.get(i, []))) for i, (speaker, text) in enumerate(turns)]  # type: ignore[arg-type]
