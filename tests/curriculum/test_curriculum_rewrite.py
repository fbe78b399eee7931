"""Rewrite exercises: the engine judges compliance, embeddings judge whether the meaning is kept."""

from __future__ import annotations

import pytest

from hotline.curriculum import rewrite
from hotline.curriculum.rewrite import Similarity, grade_rewrite, judge_rewrite, meaning_kept
from hotline.model import Finding, Severity


class FakeEngine:
    """Flags '你' and '不知道'; recognises '理解' as empathy — enough to test the wiring."""

    def check_utterance(self, text: str) -> list[Finding]:
        out = []
        for word, rule in (("你", "polite.informal_you.v1"), ("不知道", "forbidden.flat_refusal.v1")):
            if word in text:
                i = text.index(word)
                out.append(Finding(rule, "服务规范", Severity.MINOR, 0, (i, i + len(word)), word, f"不要说“{word}”"))
        return out

    def acts(self, text: str, speaker=None) -> set[str]:  # noqa: ANN001
        return {"empathy"} if "理解" in text else set()


@pytest.fixture
def close_meaning(monkeypatch):
    monkeypatch.setattr(rewrite, "similarities", lambda q, text, policy: Similarity(0.95, 0.88, 0.89))


def _q(cur, **kw):
    return cur.question("emp-rw-01").model_copy(update=kw)


def test_policy_thresholds(cur):
    p = cur.settings.rewrite
    assert meaning_kept(Similarity(0.95, 0.90, 0.90), p)
    assert not meaning_kept(Similarity(p.min_similarity - 0.01, 0.5, 0.5), p)  # too far from references
    assert not meaning_kept(Similarity(0.93, 0.80, 0.95), p)  # closer to generic filler than to the answer


@pytest.mark.parametrize(
    ("text", "passed", "hint"),
    [("我理解您的心情，我们一起想办法。", True, "改写合格"),
     ("我理解你的心情。", False, "不要说“你”"),
     ("不知道，我理解。", False, "不要说“不知道”"),
     ("我们一起想办法。", False, "缺少同理心表达")],
)
def test_wiring_with_a_fake_engine(cur, close_meaning, text, passed, hint):
    res = grade_rewrite(_q(cur, keywords=[]), text, cur.settings.rewrite, FakeEngine())
    assert res.correct is passed
    assert any(hint in line for line in res.feedback), res.feedback


def test_missing_keywords_fail(cur, close_meaning):
    q = _q(cur, keywords=[["办法", "解决"]])
    verdict = judge_rewrite(q, "我理解您的心情。", cur.settings.rewrite, FakeEngine())
    assert verdict.compliant and verdict.missing_keywords == [["办法", "解决"]] and not verdict.passed


def test_unchanged_sentence_is_not_a_rewrite(cur):
    q = _q(cur, bad="我理解您的心情。", keywords=[])
    res = grade_rewrite(q, " 我理解您的心情。 ", cur.settings.rewrite, FakeEngine())
    assert not res.correct and any("没有改写" in line for line in res.feedback)


@pytest.mark.parametrize(
    ("qid", "text", "passed"),
    [("tab-rw-02", "这件事属于区市场监管局的职责，我帮您登记转过去，工作人员会联系您。", True),
     ("tab-rw-02", "这件事不归我们管，你去找市场监管局。", False),
     ("aff-rw-01", "您不要着急，慢慢讲，我帮您记录。", True),
     ("aff-rw-01", "您快点讲，后面还有人排队。", False),
     ("spc-rw-01", "感谢您的来电，再见。", False)],
)
def test_real_engine_and_embeddings(cur, qid, text, passed):
    assert grade_rewrite(cur.question(qid), text, cur.settings.rewrite).correct is passed


@pytest.mark.slow
def test_calibration_set(cur):
    """Every calibrated wrong rewrite is rejected; nearly all good ones are accepted."""
    from hotline.curriculum.calibrate import load_calibration, run

    samples = run(cur, load_calibration(cur))
    false_accepts = [(s.question_id, s.text) for s in samples if not s.expected and s.verdict.passed]
    assert false_accepts == []
    good = [s for s in samples if s.expected]
    rejected = [(s.question_id, s.text) for s in good if not s.verdict.passed]
    assert len(rejected) <= len(good) // 20, rejected
    assert len(samples) >= 150


@pytest.mark.slow
def test_every_reference_answer_passes(cur):
    for q in (q for q in cur.questions if q.type == "rewrite"):
        for ref in q.references:
            res = grade_rewrite(q, ref, cur.settings.rewrite)
            assert res.correct, (q.id, ref, res.feedback)


def test_words_that_change_the_meaning(cur, close_meaning):
    q = _q(cur, keywords=[], avoid=["下班"])
    res = grade_rewrite(q, "我理解您的心情，我们下班了。", cur.settings.rewrite, FakeEngine())
    assert not res.correct and any("改变了原意" in line and "下班" in line for line in res.feedback)
