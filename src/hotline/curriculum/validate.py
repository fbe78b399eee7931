"""One check over all curriculum content, for ``hotline learn check`` and the tests."""

from __future__ import annotations

import re
from typing import Any

from hotline.curriculum.cases import load_cases
from hotline.curriculum.library import Curriculum, check_rule_links
from hotline.curriculum.loader import CurriculumError
from hotline.curriculum.schema import ExamsFile, Question


def check_all(cur: Curriculum) -> tuple[list[CurriculumError], str]:
    """Every problem in lessons, questions, exams, cases and rule links, plus a one-line summary."""
    from hotline.inspect import default_engine

    engine = default_engine()
    problems = list(cur.problems)
    problems += check_rule_links(cur, set(engine.rule_ids()), set(engine.detector_names()))
    problems += check_exam_pools(cur.settings, cur.questions)
    cases = load_cases(cur.root / "cases")
    problems += cases.problems
    topics = set(cur.topic_ids())
    for case in cases.items:
        for t in case.commentary.topics:
            if t not in topics:
                problems.append(CurriculumError(f"案例 {case.id} 的课程 {t!r} 不存在", source=str(case.path)))
        noted = [r for note in case.commentary.notes for r in note.rules]
        for rule in [*case.commentary.illustrates_failed, *case.commentary.illustrates_passed, *noted]:
            if rule not in engine.rule_ids():
                problems.append(CurriculumError(f"案例 {case.id} 引用了不存在的规则 {rule!r}", source=str(case.path)))
    problems += check_claims(cur)
    problems += check_numbers(cur)
    summary = (f"课程 {len(cur.lessons)} 课，题目 {len(cur.questions)} 道，考试 {len(cur.settings.exams)} 套，"
               f"案例 {len(cases.items)} 个，问题 {len(problems)} 处。")
    return problems, summary


def check_claims(cur: Curriculum) -> list[CurriculumError]:
    """What a lesson says about a rule (一票否决, severity) must be what the rulebook does."""
    from hotline.inspect import default_engine

    engine = default_engine()
    labels = {"minor": "轻微", "major": "一般", "critical": "严重"}
    problems = []
    for lesson in cur.lessons:
        for claim in lesson.meta.claims:
            if claim.rule not in engine.rule_ids():
                continue  # reported by check_rule_links
            rule = engine.rule(claim.rule)
            if claim.veto is not None and claim.veto != rule.veto:
                said = "是" if claim.veto else "不是"
                problems.append(CurriculumError(
                    f"课程 {lesson.id} 说规则 {rule.id}（{rule.title}）{said}一票否决，规则库里{'是' if rule.veto else '不是'}",
                    source=str(lesson.path)))
            if claim.severity is not None and claim.severity != rule.severity.value:
                problems.append(CurriculumError(
                    f"课程 {lesson.id} 说规则 {rule.id}（{rule.title}）严重程度为{labels[claim.severity]}，"
                    f"规则库里是{labels[rule.severity.value]}", source=str(lesson.path)))
            for key, claimed in claim.numbers.items():
                actual = rule_number(rule, key)
                if actual is None:
                    problems.append(CurriculumError(
                        f"课程 {lesson.id} 说规则 {rule.id} 有阈值 {key}，规则库里没有", source=str(lesson.path)))
                elif abs(actual - claimed) > 1e-9:
                    problems.append(CurriculumError(
                        f"课程 {lesson.id} 说规则 {rule.id}（{rule.title}）的 {key} 是 {claimed:g}，规则库里是 {actual:g}",
                        source=str(lesson.path)))
    return problems


def rule_number(rule: Any, key: str) -> float | None:
    """A threshold of a rule's match, named ``operator.field`` (speech_rate.max_cpm)."""
    from hotline.norms.schema import iter_nodes

    op, _, field = key.partition(".")
    for node in iter_nodes(rule.match) if rule.match is not None else []:
        value = getattr(getattr(node, op, None), field, None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


# speech-rate figures in teaching text: 每分钟 120 字, 每分钟 100–300 字, 120 字/分钟
CPM = re.compile(r"每分钟\s*(\d+)\s*(?:[–\-~～至到]\s*(\d+)\s*)?字|(\d+)\s*字\s*/\s*分钟")


def check_numbers(cur: Curriculum) -> list[CurriculumError]:
    """Every speech-rate figure a lesson or an explanation teaches must be a threshold of the rulebook: the
    lesson claims it (``claims.numbers``, checked above), or the question links a rule that has it."""
    from hotline.inspect import default_engine

    engine = default_engine()
    problems = []
    for lesson in cur.lessons:
        claimed = {v for c in lesson.meta.claims for k, v in c.numbers.items() if k.endswith("_cpm")}
        text = "\n".join([lesson.body, *lesson.meta.objectives, *(p.good for p in lesson.meta.pairs)])
        for n in _cpm_figures(text) - claimed:
            problems.append(CurriculumError(
                f"课程 {lesson.id} 讲到每分钟 {n:g} 字，规则库没有这个语速阈值（在 claims 的 numbers 里写明所依据的规则阈值）",
                source=str(lesson.path)))
    known = set(engine.rule_ids())
    for q in cur.questions:
        limits = {rule_number(engine.rule(r), k) for r in q.rules if r in known for k in CPM_FIELDS}
        for n in _cpm_figures(q.explanation) - limits:
            problems.append(CurriculumError(
                f"题目 {q.id} 的解析讲到每分钟 {n:g} 字，它链接的规则没有这个语速阈值", source=q.id))
    return problems


CPM_FIELDS = ("speech_rate.min_cpm", "speech_rate.max_cpm")


def _cpm_figures(text: str) -> set[float]:
    out: set[float] = set()
    for m in CPM.finditer(text):
        out.update(float(x) for x in m.groups() if x)
    return out


def check_exam_pools(settings: ExamsFile, bank: list[Question]) -> list[CurriculumError]:
    """Every exam must be assemblable from the bank."""
    from hotline.curriculum.exams import assemble

    problems = []
    for spec in settings.exams:
        try:
            assemble(spec, bank, seed=0)
        except CurriculumError as exc:
            problems.append(exc)
    return problems
