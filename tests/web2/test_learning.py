"""学习 through HTTP: progress, quizzes and exams with explanations, certificates, cases."""

from __future__ import annotations

import re

from sqlalchemy import select
from web2_helpers import id_from, login, paper_answers

from hotline.curriculum import load_curriculum
from hotline.store.models import Attempt, LessonProgress, User
from hotline.web.learning import exam_paper, quiz_paper


def _attempt(client, attempt_id: int) -> Attempt:
    with client.app.state.factory() as db:
        return db.get_one(Attempt, attempt_id)


def test_reading_a_lesson_is_saved_for_that_trainee_only(client):
    csrf = login(client, "trainee")
    assert "已读 0 /" in client.get("/learn").text
    page = client.get("/learn/lessons/taboo").text
    assert "<h2>" in page and "话术对照" in page and "<script" not in page.split("<main>")[1].split("</main>")[0]
    assert "已读 0 /" in client.get("/learn").text  # opening a lesson (a GET) changes nothing
    done = client.post("/learn/lessons/taboo/read", data={"csrf_token": csrf})
    assert done.url.path == "/learn/lessons/taboo" and "已学完" in done.text and 'id="mark-read"' not in done.text
    assert "已读 1 /" in client.get("/learn").text
    assert client.post("/learn/lessons/nope/read", data={"csrf_token": csrf}).status_code == 404
    with client.app.state.factory() as db:
        rows = db.scalars(select(LessonProgress.lesson_id).join(User, User.id == LessonProgress.user_id).where(User.username == "trainee")).all()
    assert rows == ["taboo"]
    client.post("/logout", data={"csrf_token": csrf})
    login(client, "trainee2")
    assert "已读 0 /" in client.get("/learn").text


def test_quiz_graded_with_explanations_and_best_score(client):
    csrf = login(client, "trainee")
    resp = client.post("/learn/lessons/taboo/quiz", data={"csrf_token": csrf})
    attempt_id = id_from(resp.url)
    seed = _attempt(client, attempt_id).seed
    questions = quiz_paper(load_curriculum(), "taboo", seed)
    page = client.get(f"/learn/attempts/{attempt_id}").text
    assert page.count('class="card question"') == len(questions)
    answers = paper_answers([(q,) for q in questions])
    resp = client.post(f"/learn/attempts/{attempt_id}", data={"csrf_token": csrf, **answers})
    rewrite = sum(q.type == "rewrite" for q in questions)
    expected = round(100 * (len(questions) - rewrite) / len(questions))
    assert re.search(r'id="percent">(\d+)<', resp.text).group(1) == str(expected)
    for q in questions:
        assert q.explanation in resp.text
    assert f"{expected} 分（1 次）" in client.get("/learn").text
    again = client.post(f"/learn/attempts/{attempt_id}", data={"csrf_token": csrf, **answers})
    assert again.status_code == 400 and "已经交过" in again.text


def test_exam_pass_gives_a_printable_certificate_and_fail_does_not(client):
    csrf = login(client, "trainee")
    cur = load_curriculum()
    results = {}
    for label, right in (("pass", True), ("fail", False)):
        attempt_id = id_from(client.post("/learn/exams/basic", data={"csrf_token": csrf}).url)
        exam = exam_paper(cur, "basic", _attempt(client, attempt_id).seed)
        answers = paper_answers([(i.question,) for i in exam.items]) if right else {}
        client.post(f"/learn/attempts/{attempt_id}", data={"csrf_token": csrf, **answers})
        results[label] = attempt_id
    passed, failed = _attempt(client, results["pass"]), _attempt(client, results["fail"])
    assert passed.passed and passed.percent >= 80 and not failed.passed and failed.percent == 0
    cert = client.get(f"/learn/attempts/{results['pass']}/certificate")
    assert cert.status_code == 200 and "学员甲" in cert.text and "@media print" in cert.text
    assert client.get(f"/learn/attempts/{results['fail']}/certificate").status_code == 404


def test_another_trainees_attempt_is_not_shown(client):
    csrf = login(client, "trainee")
    attempt_id = id_from(client.post("/learn/lessons/taboo/quiz", data={"csrf_token": csrf}).url)
    client.post("/logout", data={"csrf_token": csrf})
    login(client, "trainee2")
    assert client.get(f"/learn/attempts/{attempt_id}").status_code == 404


def test_case_page_highlights_the_engines_findings(client):
    login(client, "trainee")
    listing = client.get("/learn/cases").text
    assert "c02_noise_shirking" in listing
    page = client.get("/learn/cases/c02_noise_shirking").text
    assert 'class="hl sev-' in page and "讲评" in page and 'id="f-1"' in page
    assert client.get("/learn/cases/nope").status_code == 404
    assert client.get("/learn/lessons/nope").status_code == 404
