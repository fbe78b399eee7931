"""The terminal front door: `hotline learn …` and `hotline cases …`, driven through CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hotline.cli import cli, main
from hotline.curriculum.exams import build_paper, quiz_questions


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # noqa: A002
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False, env={"COLUMNS": "120"})

    return invoke


def test_list_and_show(run):
    out = run("learn", "list").output
    assert "五心服务理念" in out and "工单制作" in out
    shown = run("learn", "show", "special_calls").output
    for part in ("学习目标", "无声电话", "话术对照", "special.silent_protocol.v1", "自测", "hotline learn quiz",
                 "相关案例", "c05_silent_protocol"):
        assert part in shown


def test_unknown_lesson_is_a_one_line_error(capsys):
    assert main(["learn", "show", "nope"]) == 2
    err = capsys.readouterr().err
    assert "没有课程 'nope'" in err and "Traceback" not in err


def test_quiz_with_right_answers(run, cur, answer_key):
    qs = quiz_questions(cur.questions, "taboo", 4, difficulty=[1], seed=8)
    answers = "\n".join(answer_key(q) for q in qs) + "\n"
    out = run("learn", "quiz", "taboo", "-n", "4", "--difficulty", "1", "--seed", "8", input=answers).output
    assert out.count("回答正确") == 4 and "答对 4/4 题" in out


def test_quiz_wrong_answer_shows_explanation_and_quit(run, cur):
    q = quiz_questions(cur.questions, "philosophy", 3, seed=2)[0]
    wrong = "对" if q.type == "true_false" and not q.answer else ("错" if q.type == "true_false" else "Z\nZ\nZ")
    out = run("learn", "quiz", "philosophy", "-n", "3", "--seed", "2", input=f"{wrong}\nq\n").output
    assert "解析：" in out and "答对 0/1 题" in out


def test_exam_pass_writes_certificate(run, cur, answer_key, tmp_path):
    paper = build_paper(cur.exam("taboo-special"), cur.questions, 21)
    answers = "\n".join(answer_key(i.question) for i in paper.items) + "\n"
    cert = tmp_path / "cert.html"
    record = tmp_path / "result.json"
    result = run("learn", "exam", "--exam", "taboo-special", "--seed", "21", "--name", "李四",
                 "--certificate", str(cert), "--json", str(record), input=answers)
    out = result.output
    assert result.exit_code == 0 and "得分 100.0" in out and "合格" in out and "证书已生成" in out
    assert "李四" in cert.read_text(encoding="utf-8")
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert saved["passed"] and saved["percent"] == 100.0 and saved["name"] == "李四"
    assert [a["question_id"] for a in saved["answers"]] == [i.question.id for i in paper.items]


def test_exam_fail_suggests_practice(run, tmp_path):
    out = run("learn", "exam", "--exam", "taboo-special", "--seed", "3", input="q\n").output
    assert "不合格" in out and "hotline learn practice --failed" in out and "未作答" in out


def test_exam_list(run):
    out = run("learn", "exam", "--list").output
    assert "basic" in out and "advanced" in out and "合格线" in out


def test_certificate_needs_a_name(capsys, tmp_path):
    assert main(["learn", "exam", "--certificate", str(tmp_path / "c.html")]) == 2
    assert "--name" in capsys.readouterr().err


def test_practice_from_a_report(run, tmp_path):
    report = tmp_path / "qa.json"
    report.write_text(json.dumps([{"findings": [{"rule_id": "special.harassment.v1"}], "outcomes": []}]),
                      encoding="utf-8")
    out = run("learn", "practice", "--report", str(report), "-n", "2", "--seed", "1", input="q\n").output
    assert "special.harassment.v1×1" in out


def test_rewrite_command_exit_codes_and_listed_ids(run, cur):
    good = run("learn", "rewrite", "aff-rw-01", "您别着急，慢慢说，我都在听。")
    assert good.exit_code == 0 and "回答正确" in good.output and "改写合格" in good.output
    bad = run("learn", "rewrite", "aff-rw-01", "你快点讲！")
    assert bad.exit_code == 1 and "回答错误" in bad.output and "仍有问题" in bad.output
    listed = run("learn", "list", "--rewrite").output
    rewrite_ids = [q.id for q in cur.questions if q.type == "rewrite"]
    assert rewrite_ids and all(qid in listed for qid in rewrite_ids)
    assert not any(q.id in listed for q in cur.questions if q.type != "rewrite")


def test_rewrite_of_a_choice_question_names_the_list(capsys):
    assert main(["learn", "rewrite", "tab-01", "随便"]) == 2
    assert "hotline learn list --rewrite" in capsys.readouterr().err


def test_skipped_and_invalid_answers_are_said_to_be_unanswered(run, cur):
    qs = [q for q in quiz_questions(cur.questions, "taboo", 5, seed=3) if q.type in ("single", "multiple")]
    assert qs
    seed_qs = quiz_questions(cur.questions, "taboo", 5, seed=3)
    first = seed_qs[0]
    bad = "Z" if first.type != "true_false" else "也许"
    out = run("learn", "quiz", "taboo", "-n", "5", "--seed", "3", input=f"{bad}\n{bad}\n{bad}\n跳过\nq\n").output
    assert "连续 3 次输入无效，本题记为未作答" in out and "已跳过：本题记为未作答" in out
    assert out.count("✘ 未作答") == 2 and "答对 0/2 题" in out


def test_check_command(run):
    out = run("learn", "check").output
    assert "全部通过校验" in out and "案例 26 个" in out


def test_check_reports_a_broken_content_folder(content, capsys):
    bank = content / "questions" / "taboo.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("answer: [A, B, C]", "answer: [A]", 1), encoding="utf-8")
    assert main(["learn", "--content", str(content), "check"]) == 2
    captured = capsys.readouterr()
    out = captured.out
    assert "2 处问题" in captured.err
    assert "taboo.yaml" in out and "tab-01" in out and "至少要有两个正确答案" in out


@pytest.mark.parametrize("flag", ["--html", "-o"])
def test_cases_list_show_and_html(run, tmp_path, flag):
    out = run("cases", "list", "--kind", "bad").output
    assert "c02_noise_shirking" in out and "c03_noise_dispatch" not in out
    page = tmp_path / "case.html"
    out = run("cases", "show", "c04_silent_threat", flag, str(page)).output
    assert "再不说话我就挂了" in out and "讲评" in out and "讨论" in out
    assert "<mark>" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("how", [["-o"], ["--output"], []])
def test_cases_report_uses_the_inspection_report(run, tmp_path, how):
    path = tmp_path / "cases.html"
    out = run("cases", "report", *how, str(path)).output
    assert "26 个案例" in out
    html = path.read_text(encoding="utf-8")
    assert "c13_repeat_apology" in html


def test_cases_report_without_a_file_says_how(capsys):
    assert main(["cases", "report"]) == 2
    assert "-o" in capsys.readouterr().err


def test_exam_time_limit_hands_in(run, monkeypatch, cur, answer_key):
    import hotline.cli.learn_cmd as learn_cmd

    clock = iter([0.0, 1.0, 99999.0, 99999.0, 99999.0])
    monkeypatch.setattr(learn_cmd.time, "monotonic", lambda: next(clock))
    paper = build_paper(cur.exam("taboo-special"), cur.questions, 5)
    out = run("learn", "exam", "--exam", "taboo-special", "--seed", "5",
              input=answer_key(paper.items[0].question) + "\n").output
    skipped = len(paper.items) - 1
    assert "考试时间到" in out and "超时" in out and out.count("✘ 未作答") == skipped
    assert "未作答：第 " + "、".join(str(i) for i in range(2, skipped + 2)) + " 题" in out


def test_practice_rejects_unknown_rules(capsys):
    assert main(["learn", "practice", "--failed", "no.such.rule=2"]) == 2
    assert "no.such.rule" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--json", "-o"])
def test_exam_result_feeds_adaptive_practice(run, tmp_path, flag):
    record = tmp_path / "result.json"
    failed = run("learn", "exam", "--exam", "taboo-special", "--seed", "4", flag, str(record), input="q\n")
    assert failed.exit_code == 1  # a failed exam exits 1
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert not saved["passed"] and saved["failed_rules"]
    out = run("learn", "practice", "--report", str(record), "-n", "1", "--seed", "2", input="q\n").output
    assert "根据未通过的规则出题" in out and "薄弱课程：" in out and "正确率 0%" in out
