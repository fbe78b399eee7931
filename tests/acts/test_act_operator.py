"""The act operator in a rulebook: a city moves thresholds in its override file, rules set their own,
unknown acts and acts of the other speaker are errors that name the rule, and the layer can be off."""

from pathlib import Path

import pytest

from hotline.errors import RulebookError
from hotline.inspect import Engine, load_engine
from hotline.norms import load_default, load_rulebook

PUSH = "你上网自己查嘛。"  # push-away in words no phrase list holds


def findings(engine: Engine, text: str) -> set[str]:
    return {f.rule_id for f in engine.check_utterance(text)}


def test_a_city_can_raise_an_act_threshold(tmp_path: Path) -> None:
    assert "shirking.no_way_forward.v1" in findings(load_engine(semantic=False), PUSH)
    city = tmp_path / "city.yaml"
    city.write_text("extends: default\nversion: city-1\nact_thresholds: {agent.dismiss: 0.9999}\n", encoding="utf-8")
    strict = load_engine(city, semantic=False)
    assert strict.rulebook.act_thresholds == {"agent.dismiss": 0.9999}
    assert "shirking.no_way_forward.v1" not in findings(strict, PUSH)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("act_thresholds: {agent.nope: 0.7}\n", "没有言语行为「agent.nope」"),
        ("act_thresholds: {agent.dismiss: 1.5}\n", "阈值应在 0 与 1 之间"),
        ("detectors:\n  x: {act: {name: agent.nope}}\n", "detectors.x：没有言语行为「agent.nope」"),
        ("detectors:\n  x: {act: {name: citizen.anger}}\n", "不能用在 speaker: agent"),
    ],
)
def test_act_errors_name_what_to_fix(tmp_path: Path, override: str, message: str) -> None:
    city = tmp_path / "city.yaml"
    city.write_text(f"extends: default\nversion: city-1\n{override}", encoding="utf-8")
    with pytest.raises(RulebookError, match=message):
        load_rulebook(city)


def test_the_act_layer_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    rb = load_default()
    off = Engine(rb.model_copy(update={"settings": rb.settings.model_copy(update={"acts": False})}))
    assert "shirking.no_way_forward.v1" not in findings(off, PUSH)
    monkeypatch.setenv("HOTLINE_ACTS", "0")
    assert "shirking.no_way_forward.v1" not in findings(Engine(rb), PUSH)


def test_an_act_finding_explains_itself() -> None:
    found = load_engine(semantic=False).check_utterance(PUSH)
    f = next(f for f in found if f.rule_id == "shirking.no_way_forward.v1")
    assert f.layer == "言语行为" and 0.5 <= (f.confidence or 0) <= 1
    assert "推给别人" in f.message and "依据「" in f.message and f.span == (0, len(PUSH) - 1)


def test_uncertain_act_evidence_does_not_veto() -> None:
    from hotline.model import Severity

    engine = load_engine(semantic=False)
    rule = engine.rule("forbidden.sarcasm.v1")
    strict = engine.rulebook.model_copy(update={"rules": [
        r.model_copy(update={"veto_confidence": 1.0}) if r.id == rule.id else r for r in engine.rulebook.rules]})
    f = next(f for f in Engine(strict).check_utterance("这种事还用问？") if f.rule_id == rule.id)
    assert not f.veto and f.severity is Severity.MAJOR and "建议人工复核" in f.message
    sure = next(f for f in engine.check_utterance("这种事还用问？") if f.rule_id == rule.id)
    assert sure.veto and sure.severity is Severity.CRITICAL
