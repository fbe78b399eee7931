"""Review triage (复核分流): risky and uncertain calls go to people first, with the reason; the random
sample is fixed per call id, so re-inspecting a call never moves it."""

import pytest

from hotline.citizen import load_settings, triage
from hotline.model import CitizenBlock, Finding, Scorecard, Severity

S = load_settings().review.model_copy(update={"sample_rate": 0.0})


def finding(severity: Severity = Severity.MAJOR, *, veto: bool = False, confidence: float | None = None,
            threshold: float | None = None) -> Finding:
    return Finding("forbidden.phrase.v1", "服务禁语", severity, 1, (0, 2), "x", "m", veto=veto,
                   confidence=confidence, threshold=threshold)


def card(*findings: Finding, total: float = 95.0, vetoed: bool = False) -> Scorecard:
    return Scorecard("c1", total, {}, list(findings), "t", vetoed=vetoed)


def block(dissatisfaction: float = 0.1, risk: float = 0.0) -> CitizenBlock:
    return CitizenBlock(dissatisfaction=dissatisfaction, escalation_risk=risk,
                        escalation=[("媒体", 3, "我去电视台曝光")] if risk else [])


@pytest.mark.parametrize(
    ("sc", "blk", "level", "reason"),
    [
        (card(), block(), "auto_pass", None),
        (card(finding(Severity.CRITICAL, veto=True), total=0.0, vetoed=True), block(), "mandatory", "一票否决"),
        (card(finding(Severity.CRITICAL), total=79.0), block(), "mandatory", "严重问题"),
        (card(), block(risk=0.9), "mandatory", "升级风险（媒体）0.90"),
        (card(), block(dissatisfaction=0.85), "mandatory", "预测不满意 0.85"),
        (card(), block(dissatisfaction=0.6), "sample", "预测不满意 0.60"),
        (card(total=70.0), block(), "sample", "低于合格线（70 分）"),
        # an act finding just over its threshold is uncertain: a person should look
        (card(finding(confidence=0.65, threshold=0.6)), block(), "sample", "把握不足的发现：forbidden.phrase.v1"),
        (card(finding(confidence=0.95, threshold=0.6)), block(), "auto_pass", None),
        # uncertain and critical (a veto the engine did not dare to apply) must be seen
        (card(finding(Severity.CRITICAL, confidence=0.62, threshold=0.6), total=79.0), block(), "mandatory",
         "把握不足的发现：forbidden.phrase.v1"),
        (card(), None, "auto_pass", None),  # no words read: judged on the scorecard alone
    ],
)
def test_levels_and_reasons(sc: Scorecard, blk: CitizenBlock | None, level: str, reason: str | None) -> None:
    review = triage(sc, blk, S, pass_mark=80)
    assert review.level == level
    if reason is not None:
        assert reason in review.reasons
    else:
        assert review.reasons == []


def test_below_pass_mark_can_be_left_to_auto_pass() -> None:
    off = S.model_copy(update={"sample_below_pass_mark": False})
    assert triage(card(total=70.0), block(), off, pass_mark=80).level == "auto_pass"


def test_the_random_sample_is_fixed_per_call_and_near_its_rate() -> None:
    half = S.model_copy(update={"sample_rate": 0.3})
    drawn = [triage(Scorecard(f"call-{i}", 95.0, {}, [], "t"), block(), half).level for i in range(2000)]
    again = [triage(Scorecard(f"call-{i}", 95.0, {}, [], "t"), block(), half).level for i in range(2000)]
    assert drawn == again
    share = drawn.count("sample") / len(drawn)
    assert 0.26 < share < 0.34
    assert triage(Scorecard("call-1", 95.0, {}, [], "t"), block(), S).level == "auto_pass"  # rate 0


def test_a_city_moves_thresholds_in_its_rulebook(tmp_path) -> None:  # noqa: ANN001
    from helpers import call  # tests/inspect/helpers.py

    from hotline.inspect import load_engine

    city = tmp_path / "city.yaml"
    city.write_text("extends: default\nversion: city-1\nreview: {sample_below_pass_mark: false, sample_rate: 0}\n",
                    encoding="utf-8")
    rude = call("坐席：喂。", "市民：我想问下公积金怎么提取。", "坐席：自己上网查。")
    assert load_engine(semantic=False).inspect(rude).review.level != "auto_pass"
    lenient = load_engine(city, semantic=False).inspect(rude).review
    assert "低于合格线" not in "；".join(lenient.reasons)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("review: {sample_rate: 1.5}\n", "review.sample_rate"),
        ("review: {sampel_rate: 0.1}\n", "review.sampel_rate：没有这个设置"),
    ],
)
def test_review_settings_errors_name_the_field(tmp_path, override: str, message: str) -> None:  # noqa: ANN001
    from hotline.errors import RulebookError
    from hotline.norms import load_rulebook

    city = tmp_path / "city.yaml"
    city.write_text(f"extends: default\nversion: city-1\n{override}", encoding="utf-8")
    with pytest.raises(RulebookError, match=message):
        load_rulebook(city)
