"""One check over all curriculum content, for ``hotline learn check`` and the tests."""

from __future__ import annotations

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
    return problems


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
