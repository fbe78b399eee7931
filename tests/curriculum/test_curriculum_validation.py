"""Bad content files fail validation with messages naming the file, the record and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.curriculum import CurriculumError, load_curriculum
from hotline.curriculum.cases import load_cases
from hotline.curriculum.loader import load_question_file, read_lesson

GOOD_SINGLE = """
  - id: x-01
    type: single
    topic: taboo
    difficulty: 1
    stem: 题干
    options: [甲, 乙, 丙]
    answer: A
    explanation: 解析
"""


def _bank(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text("questions:" + GOOD_SINGLE + body, encoding="utf-8")
    return path


BAD_QUESTIONS = [
    ("single-two-answers", "type: single\n    options: [甲, 乙, 丙]\n    answer: [A, B]", "恰有一个正确答案"),
    ("single-out-of-range", "type: single\n    options: [甲, 乙, 丙]\n    answer: D", "不是有效选项"),
    ("single-two-options", "type: single\n    options: [甲, 乙]\n    answer: A", "至少需要 3 个选项"),
    ("multiple-one-answer", "type: multiple\n    options: [甲, 乙, 丙, 丁]\n    answer: [B]", "至少要有两个正确答案"),
    ("multiple-all-correct", "type: multiple\n    options: [甲, 乙, 丙, 丁]\n    answer: [A, B, C, D]", "不能所有选项都正确"),
    ("duplicate-options", "type: single\n    options: [甲, 甲, 丙]\n    answer: A", "选项有重复"),
    ("tf-not-bool", "type: true_false\n    answer: 对", "true 或 false"),
    ("scenario-without-scenario", "type: scenario\n    options: [甲, 乙, 丙]\n    answer: A", "scenario"),
    ("rewrite-one-reference", "type: rewrite\n    bad: 你快点讲\n    references: [您慢慢说]\n    rules: [forbidden.rushing.v1]",
     "至少需要两条 references"),
    ("rewrite-no-target", "type: rewrite\n    bad: 你快点讲\n    references: [您慢慢说, 您别着急]", "rules"),
    ("unknown-field", "type: single\n    options: [甲, 乙, 丙]\n    answer: A\n    answr: B", "不认识的字段"),
    ("bad-difficulty", "type: single\n    options: [甲, 乙, 丙]\n    answer: A\n    difficulty: 5", "difficulty"),
]


@pytest.mark.parametrize(("name", "fields", "expected"), BAD_QUESTIONS, ids=[b[0] for b in BAD_QUESTIONS])
def test_bad_question_is_reported_with_file_line_and_id(tmp_path, name, fields, expected):
    extra = "" if "difficulty: 5" in fields else "\n    difficulty: 1"
    body = f"""  - id: bad-{name}
    topic: taboo{extra}
    stem: 题干
    explanation: 解析
    {fields}
"""
    path = _bank(tmp_path, body)
    loaded = load_question_file(path)
    assert [q.id for q in loaded.items] == ["x-01"]  # the good record survives
    assert len(loaded.problems) == 1
    message = str(loaded.problems[0])
    assert str(path) in message and "第 10 行" in message and f"bad-{name}" in message
    assert expected in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text("questions:\n  - id: a\n    stem: [未闭合\n", encoding="utf-8")
    with pytest.raises(CurriculumError, match=r"bank\.yaml 第 \d+ 行"):
        load_question_file(path)


def test_question_file_without_questions_key(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text("items: []\n", encoding="utf-8")
    assert "questions" in str(load_question_file(path).problems[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# 没有头信息\n正文", "必须以 --- 开头"),
        ("---\nid: x\ntitle: t\n", "没有以 --- 结束"),
        ("---\nid: [x\n---\n正文\n", "YAML 语法错误"),
        ("---\nid: x\ntitle: t\n---\n正文\n", "缺少必填项"),
        ("---\nid: Bad-Id\ntitle: t\norder: 1\nsummary: s\nobjectives: [o]\npairs: [{bad: b, good: g, why: w}]\n"
         "self_check: [q]\n---\n正文\n", "id"),
        ("---\nid: x\ntitle: t\norder: 1\nsummary: s\nobjectives: [o]\npairs: [{bad: b, good: g, why: w}]\n"
         "self_check: [q]\n---\n\n", "正文为空"),
    ],
)
def test_bad_lesson_files(tmp_path, text, expected):
    path = tmp_path / "lesson.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CurriculumError, match=expected) as info:
        read_lesson(path)
    assert str(path) in str(info.value)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_cross_references_are_checked(content):
    _edit(content / "questions" / "taboo.yaml", "topic: taboo", "topic: no_such_topic")
    _edit(content / "lessons" / "05_taboo.md", "  - tab-03", "  - tab-99")
    cur = load_curriculum(content)
    messages = "\n".join(str(p) for p in cur.problems)
    assert "no_such_topic" in messages and "tab-99" in messages
    assert len(cur.questions) >= 150  # the rest of the bank still loads


def test_duplicate_question_id(content):
    _edit(content / "questions" / "mindset.yaml", "id: mind-01", "id: tab-01")
    cur = load_curriculum(content)
    assert any("tab-01 重复" in str(p) for p in cur.problems)


def test_bad_exam_settings_fail_with_the_file(content):
    _edit(content / "questions" / "exams.yaml", "pass_mark: 80", "pass_mark: 180")
    with pytest.raises(CurriculumError, match=r"exams\.yaml.*pass_mark"):
        load_curriculum(content)


def test_case_problems(content):
    folder = content / "cases"
    _edit(folder / "c02_noise_shirking.yaml", "  - turn: 7", "  - turn: 70")
    (folder / "c03_noise_dispatch.txt").unlink()
    _edit(folder / "c05_silent_protocol.yaml", "kind: good", "kind: great")
    loaded = load_cases(folder)
    messages = "\n".join(str(p) for p in loaded.problems)
    assert "c02_noise_shirking" in messages and "第 70 句" in messages
    assert "c03_noise_dispatch.yaml" in messages and "没有对应的通话转写" in messages
    assert "c05_silent_protocol.yaml" in messages and "kind" in messages
    assert len(loaded.items) == 23  # the good cases are still there


def test_rewrite_reference_may_not_contain_an_avoided_word(tmp_path):
    body = """  - id: rw-avoid
    type: rewrite
    topic: taboo
    difficulty: 1
    stem: 题干
    explanation: 解析
    bad: 你快点讲
    references: [您慢慢说, 您别着急慢慢说]
    rules: [forbidden.rushing.v1]
    avoid: [着急]
"""
    loaded = load_question_file(_bank(tmp_path, body))
    assert "avoid" in str(loaded.problems[0]) and "着急" in str(loaded.problems[0])
