"""The bundled content: enough of it, every question well-formed, every link resolvable."""

from __future__ import annotations

from collections import Counter

import pytest

from hotline.curriculum import load_curriculum
from hotline.curriculum.cases import load_cases
from hotline.curriculum.library import check_rule_links
from hotline.curriculum.schema import LETTERS
from hotline.curriculum.validate import check_all

COURSE_TOPICS = {
    "philosophy", "five_hearts", "affinity", "polite_language", "listening", "empathy",
    "personality", "special_calls", "work_orders", "mindset",
}


def test_bundled_content_has_no_problems(cur):
    assert cur.problems == []
    problems, summary = check_all(cur)
    assert problems == [], [str(p) for p in problems]
    assert "问题 0 处" in summary


def test_every_course_topic_has_a_lesson(cur):
    assert set(cur.topic_ids()) >= COURSE_TOPICS


def test_bank_size_and_mix(cur):
    assert len(cur.questions) >= 150
    by_type = Counter(q.type for q in cur.questions)
    assert set(by_type) == {"single", "multiple", "true_false", "scenario", "rewrite"}
    assert by_type["rewrite"] >= 20
    by_topic = Counter(q.topic for q in cur.questions)
    assert min(by_topic[t] for t in cur.topic_ids()) >= 10
    assert set(Counter(q.difficulty for q in cur.questions)) == {1, 2, 3}


def test_every_question_has_exactly_the_right_number_of_correct_answers(cur):
    for q in cur.questions:
        letters = q.correct_letters()
        valid = set(LETTERS[: len(q.options)])
        if q.type in ("single", "scenario"):
            assert len(letters) == 1 and letters[0] in valid, q.id
        elif q.type == "multiple":
            assert 2 <= len(set(letters)) < len(q.options) and set(letters) <= valid, q.id
        elif q.type == "true_false":
            assert isinstance(q.answer, bool) and not q.options, q.id
        else:
            assert q.answer is None and len(q.references) >= 2 and q.bad, q.id


def test_lessons_link_only_existing_rules(cur, engine):
    ids = set(engine.rule_ids())
    for lesson in cur.lessons:
        assert lesson.meta.rules, lesson.id
        assert set(lesson.meta.rules) <= ids, lesson.id
    assert check_rule_links(cur, ids, set(engine.detector_names())) == []


def test_lesson_claims_agree_with_the_rulebook(cur):
    from hotline.curriculum.validate import check_claims

    assert check_claims(cur) == []
    assert sum(len(lesson.meta.claims) for lesson in cur.lessons) >= 5


def test_a_lesson_claiming_the_wrong_veto_is_reported(cur):
    import dataclasses

    from hotline.curriculum.schema import RuleClaim
    from hotline.curriculum.validate import check_claims

    lesson = next(les for les in cur.lessons if les.meta.claims)
    wrong = lesson.meta.model_copy(update={"claims": [RuleClaim(rule="forbidden.rushing.v1", veto=True),
                                                     RuleClaim(rule="forbidden.retort.v1", severity="minor")]})
    broken = dataclasses.replace(cur, lessons=[dataclasses.replace(lesson, meta=wrong)])
    problems = [str(p) for p in check_claims(broken)]
    assert any("forbidden.rushing.v1" in p and "一票否决" in p for p in problems)
    assert any("forbidden.retort.v1" in p and "严重程度" in p for p in problems)


def _affinity_with(cur, **changes):  # noqa: ANN001, ANN202 - a Curriculum with lesson 3 changed
    import dataclasses

    lesson = cur.lesson("affinity")
    meta = lesson.meta.model_copy(update={k: v for k, v in changes.items() if k != "body"})
    changed = dataclasses.replace(lesson, meta=meta, body=changes.get("body", lesson.body))
    return dataclasses.replace(cur, lessons=[changed if x.id == "affinity" else x for x in cur.lessons])


def test_lesson_numbers_agree_with_the_rule_thresholds(cur):
    """The speech-rate lesson states the band timing.speech_rate.v1 flags (100–300 字/分钟) and the relative
    pace of timing.relative_pace.v1 (1.5 倍); every figure it teaches is one the rulebook uses."""
    from hotline.curriculum.validate import check_claims, check_numbers, rule_number
    from hotline.inspect import default_engine

    lesson = cur.lesson("affinity")
    claims = {c.rule: c.numbers for c in lesson.meta.claims}
    assert claims["timing.speech_rate.v1"] == {"speech_rate.min_cpm": 100, "speech_rate.max_cpm": 300}
    rule = default_engine().rule("timing.speech_rate.v1")
    assert (rule_number(rule, "speech_rate.min_cpm"), rule_number(rule, "speech_rate.max_cpm")) == (100, 300)
    assert "100–300 字" in lesson.body and "120 字" not in lesson.body
    assert check_claims(cur) == [] and check_numbers(cur) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"body": "语速适中。常见的参考是每分钟 120 字左右。"}, "每分钟 120 字"),
    ({"body": "语速保持在 150 字/分钟。"}, "每分钟 150 字"),
    ({"claims": "250"}, "speech_rate.max_cpm 是 250，规则库里是 300"),
    ({"claims": "missing"}, "规则库里没有"),
])
def test_a_lesson_number_the_rulebook_does_not_use_is_reported(cur, change, expected):
    from hotline.curriculum.schema import RuleClaim
    from hotline.curriculum.validate import check_claims, check_numbers

    claims = {"250": [RuleClaim(rule="timing.speech_rate.v1", numbers={"speech_rate.max_cpm": 250})],
              "missing": [RuleClaim(rule="timing.speech_rate.v1", numbers={"speech_rate.max_seconds": 3})]}
    if "claims" in change:
        change = {"claims": claims[change["claims"]]}
    broken = _affinity_with(cur, **change)
    problems = [str(p) for p in check_claims(broken) + check_numbers(broken)]
    assert any(expected in p for p in problems), problems


def test_a_question_explaining_a_speed_its_rule_does_not_use_is_reported(cur):
    import dataclasses

    from hotline.curriculum.validate import check_numbers

    q = cur.question("aff-04")
    wrong = q.model_copy(update={"explanation": "常见参考约每分钟 120 字。"})
    broken = dataclasses.replace(cur, questions=[wrong if x.id == q.id else x for x in cur.questions])
    assert any("aff-04" in str(p) and "120" in str(p) for p in check_numbers(broken))


def test_every_lesson_that_mentions_veto_says_which_rules(cur):
    """Text that teaches 一票否决 comes with claims the rulebook check can hold it to."""
    for lesson in cur.lessons:
        if "一票否决" in lesson.body:
            assert any(c.veto for c in lesson.meta.claims), lesson.id


def test_rule_links_catch_a_missing_rule(cur):
    problems = check_rule_links(cur, set(), set())
    assert problems and any("forbidden.phrase.v1" in str(p) for p in problems)


def test_self_check_questions_belong_to_their_lesson(cur):
    for lesson in cur.lessons:
        assert {cur.question(q).topic for q in lesson.meta.self_check} == {lesson.id}


@pytest.mark.parametrize("lesson_id", sorted(COURSE_TOPICS | {"taboo"}))
def test_flagged_wording_pairs_agree_with_the_engine(cur, engine, lesson_id):
    """A pair marked ``flags`` shows the bad wording the engine catches and a good one it does not."""
    for pair in cur.lesson(lesson_id).meta.pairs:
        if pair.flags:
            assert pair.flags in {f.rule_id for f in engine.check_utterance(pair.bad)}, pair.bad
            assert pair.flags not in {f.rule_id for f in engine.check_utterance(pair.good)}, pair.good


def test_rewrite_references_are_compliant(cur, engine):
    always = set(cur.settings.rewrite.always_check_rules)
    for q in (q for q in cur.questions if q.type == "rewrite"):
        assert q.rules or q.require_acts
        for ref in q.references:
            bad = [f.rule_id for f in engine.check_utterance(ref) if f.rule_id in always | set(q.rules)]
            assert bad == [], (q.id, ref, bad)
            missing = set(q.require_acts) - engine.acts(ref)
            assert not missing, (q.id, ref, missing)
            assert all(any(w in ref for w in group) for group in q.keywords), (q.id, ref)


def test_rewrite_bad_sentences_are_caught(cur, engine):
    """Each sentence to rewrite is itself judged non-compliant (else the exercise teaches nothing)."""
    always = set(cur.settings.rewrite.always_check_rules)
    for q in (q for q in cur.questions if q.type == "rewrite"):
        rules = {f.rule_id for f in engine.check_utterance(q.bad or "")} & (always | set(q.rules))
        missing = set(q.require_acts) - engine.acts(q.bad or "")
        assert rules or missing, q.id


def test_case_library_size_and_balance(cur):
    loaded = load_cases()
    assert loaded.problems == []
    assert len(loaded.items) >= 24
    kinds = Counter(c.commentary.kind for c in loaded.items)
    assert kinds["good"] >= 8 and kinds["bad"] >= 8
    covered = {t for c in loaded.items for t in c.commentary.topics}
    assert covered == set(cur.topic_ids())


def test_load_from_a_content_folder(content):
    cur = load_curriculum(content)
    assert len(cur.questions) >= 150 and cur.problems == []
