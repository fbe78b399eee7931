"""Exam assembly (mix, reproducibility), grading with explanations, certificates."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from hotline.curriculum import CurriculumError
from hotline.curriculum.exams import assemble, build_paper, grade_exam, matches, quiz_questions
from hotline.curriculum.grading import AnswerResult, grade_choice
from hotline.curriculum.html import certificate_html
from hotline.curriculum.schema import ExamSection, ExamSpec


def _always_right(q, text):
    return AnswerResult(q.id, True, text, "", q.explanation)


@pytest.mark.parametrize("exam_id", ["basic", "advanced", "taboo-special"])
def test_assembly_respects_the_mix(cur, exam_id):
    spec = cur.exam(exam_id)
    exam = assemble(spec, cur.questions, seed=11)
    assert len({item.question.id for item in exam.items}) == len(exam.items)  # no repeats
    per_section = Counter(item.section for item in exam.items)
    for sec in spec.sections:
        assert per_section[sec.title] == sec.count
        for item in (i for i in exam.items if i.section == sec.title):
            assert matches(item.question, sec)
            assert item.points == sec.points


def test_same_seed_same_paper_other_seed_other_paper(cur):
    spec = cur.exam("basic")
    first = [(i.question.id, tuple(i.question.options)) for i in build_paper(spec, cur.questions, 3).items]
    again = [(i.question.id, tuple(i.question.options)) for i in build_paper(spec, cur.questions, 3).items]
    other = [(i.question.id, tuple(i.question.options)) for i in build_paper(spec, cur.questions, 4).items]
    assert first == again and first != other


def test_sections_spread_over_topics(cur):
    exam = assemble(cur.exam("basic"), cur.questions, seed=1)
    singles = [i.question.topic for i in exam.items if i.section == "单项选择题"]
    assert max(Counter(singles).values()) <= 2


def test_too_few_questions_is_a_clear_error(cur):
    spec = ExamSpec(id="x", title="测试", time_limit_minutes=5, pass_mark=60,
                    sections=[ExamSection(title="判断", types=["true_false"], topics=["taboo"], count=50, points=1)])
    with pytest.raises(CurriculumError, match="需要 50 题.*只有 \\d+ 题"):
        assemble(spec, cur.questions, 0)


def test_grading_all_right_passes_with_full_marks(cur, answer_key):
    exam = build_paper(cur.exam("basic"), cur.questions, 9)
    choice_only = {i.question.id: answer_key(i.question) for i in exam.items if i.question.type != "rewrite"}
    result = grade_exam(exam, choice_only, grade_choice, elapsed_seconds=60)
    rewrite_points = sum(i.points for i in exam.items if i.question.type == "rewrite")
    assert result.points == exam.total_points - rewrite_points
    assert result.passed is (result.percent >= exam.spec.pass_mark)
    assert not result.over_time
    assert all(r.explanation for r in result.results)


def test_grading_counts_missing_answers_wrong_and_reports_failed_rules(cur):
    exam = build_paper(cur.exam("taboo-special"), cur.questions, 2)
    result = grade_exam(exam, {}, grade_choice, elapsed_seconds=exam.time_limit_seconds + 1)
    assert result.points == 0 and result.percent == 0 and not result.passed and result.over_time
    assert all(not r.answered for r in result.results)
    linked = Counter(r for i in exam.items for r in i.question.rules)
    assert result.failed_rules() == dict(linked)
    assert sum(t for _, t in result.by_topic.values()) == len(exam.items)


def test_all_answered_right(cur, answer_key):
    """The product's own grader (choices, and rewrites judged by the engine and sentence similarity):
    the answer key scores 100, and the same paper with every answer wrong scores 0."""
    from hotline.curriculum.rewrite import grader_for

    exam = build_paper(cur.exam("basic"), cur.questions, 5)
    grader = grader_for(cur.settings.rewrite)
    assert any(i.question.type == "rewrite" for i in exam.items)
    result = grade_exam(exam, {i.question.id: answer_key(i.question) for i in exam.items}, grader)
    assert result.percent == 100.0 and result.passed
    wrong = {i.question.id: (i.question.bad or "") if i.question.type == "rewrite" else "Z" for i in exam.items}
    result = grade_exam(exam, wrong, grader)
    assert result.points == 0 and not result.passed


def test_quiz_questions_filters_and_shuffles(cur):
    qs = quiz_questions(cur.questions, "taboo", 5, difficulty=[1], seed=4)
    assert len(qs) == 5 and all(q.topic == "taboo" and q.difficulty == 1 for q in qs)
    assert [q.id for q in qs] == [q.id for q in quiz_questions(cur.questions, "taboo", 5, [1], seed=4)]
    with pytest.raises(CurriculumError):
        quiz_questions(cur.questions, "nope", 5)


def test_certificate_for_a_pass_only(cur, answer_key):
    exam = build_paper(cur.exam("basic"), cur.questions, 5)
    passed = grade_exam(exam, {i.question.id: answer_key(i.question) for i in exam.items}, _always_right)
    html = certificate_html(passed, "张三", "某市 12345 培训中心", "合格证书", day=date(2026, 3, 1))
    assert "张三" in html and "2026年03月01日" in html and "@media print" in html
    assert "某市 12345 培训中心" in html and f"basic-{exam.seed}" in html
    failed = grade_exam(exam, {}, grade_choice)
    with pytest.raises(CurriculumError, match="未通过"):
        certificate_html(failed, "张三", "x", "y")
    with pytest.raises(CurriculumError, match="姓名"):
        certificate_html(passed, " ", "x", "y")


def test_certificate_escapes_names(cur, answer_key):
    exam = build_paper(cur.exam("basic"), cur.questions, 5)
    passed = grade_exam(exam, {i.question.id: answer_key(i.question) for i in exam.items}, _always_right)
    assert "<script>" not in certificate_html(passed, "<script>x</script>", "i", "t")


def test_pass_mark_boundary(cur):
    spec = ExamSpec(id="b", title="边界", time_limit_minutes=5, pass_mark=50,
                    sections=[ExamSection(title="判断", types=["true_false"], count=4, points=1)])
    exam = build_paper(spec, cur.questions, 1)
    ids = [i.question.id for i in exam.items]

    def half_right(q, text):
        return AnswerResult(q.id, q.id in ids[:2], text, "", q.explanation)

    result = grade_exam(exam, dict.fromkeys(ids, "对"), half_right)
    assert result.percent == 50.0 and result.passed
    just_below = grade_exam(exam, dict.fromkeys(ids, "对"), lambda q, t: AnswerResult(q.id, q.id == ids[0], t, "", ""))
    assert just_below.percent == 25.0 and not just_below.passed
