"""The bundled sample calls hold the inspection engine to a human inspector's verdicts.

``data/samples/expected.yaml`` says, per sample, which rules the agent broke (``fail``), clearly
satisfied (``pass``) and must never be blamed for (``not_failed``: passed or not applicable).
Known engine misses are listed there too and run as strict xfails, so a fix shows up at once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from pydantic import Field

from hotline.content import Strict, data_path, load_yaml_model
from hotline.formats import read_call
from hotline.model import Call, Scorecard, Speaker

CALLS_DIR = data_path("samples", "calls")
EXPECTED_FILE = data_path("samples", "expected.yaml")
UNCOVERED_PREFIXES = ("workorder.", "audio.", "goal.")  # need work orders, audio metrics or goals, not transcripts
MIN_SAMPLES = 36
MIN_TIMED = 12


class Expectation(Strict):
    fail: list[str] = Field(default_factory=list)
    passed: list[str] = Field(default_factory=list, alias="pass")
    not_failed: list[str] = Field(default_factory=list)
    award: list[str] = Field(default_factory=list)  # rules that award points (kind: award) the agent earned
    engine_misses: dict[str, str] = Field(default_factory=dict)

    def wanted(self) -> list[tuple[str, str]]:
        return ([(r, "failed") for r in self.fail] + [(r, "passed") for r in self.passed]
                + [(r, "not_failed") for r in self.not_failed] + [(r, "awarded") for r in self.award])


class Expected(Strict):
    samples: dict[str, Expectation]


EXPECTED = load_yaml_model(EXPECTED_FILE, Expected).samples


def _sample_paths() -> list[Path]:
    return sorted(CALLS_DIR.glob("*.txt"))


def _cases() -> list[object]:
    cases: list[object] = []
    for stem, exp in EXPECTED.items():
        for rule_id, want in exp.wanted():
            marks = []
            if rule_id in exp.engine_misses:
                marks.append(pytest.mark.xfail(strict=True, reason=exp.engine_misses[rule_id]))
            cases.append(pytest.param(stem, rule_id, want, marks=marks, id=f"{stem}-{rule_id}-{want}"))
    return cases


@cache
def _call(stem: str) -> Call:
    return read_call(CALLS_DIR / f"{stem}.txt")


@cache
def _card(stem: str) -> Scorecard:
    from hotline.inspect import default_engine

    return default_engine().inspect(_call(stem))


def _rule_ids() -> list[str]:
    from hotline.inspect import default_engine

    return list(default_engine().rule_ids())


def _explain(card: Scorecard, rule_id: str) -> str:
    found = [f"第{f.turn_index}轮「{f.evidence}」{f.message}" for f in card.findings if f.rule_id == rule_id]
    return "；".join(found) or "无发现"


@pytest.mark.parametrize(("stem", "rule_id", "want"), _cases())
def test_sample_outcome(stem: str, rule_id: str, want: str) -> None:
    card = _card(stem)
    status = {o.rule_id: o.status for o in card.outcomes}.get(rule_id)
    detail = f"{stem} {rule_id}: 引擎判为 {status}，人工判为 {want}（{_explain(card, rule_id)}）"
    if want == "not_failed":
        assert status in ("passed", "na"), detail
    else:
        assert status == want, detail


def test_every_sample_has_expectations() -> None:
    stems = {p.stem for p in _sample_paths()}
    assert len(stems) >= MIN_SAMPLES
    assert stems == set(EXPECTED), f"无预期的样例 {stems - set(EXPECTED)}；无文件的预期 {set(EXPECTED) - stems}"


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_expectation_is_consistent(stem: str) -> None:
    exp = EXPECTED[stem]
    listed = [r for r, _ in exp.wanted()]
    assert len(listed) == len(set(listed)), f"{stem}: 同一规则出现在多个列表"
    assert set(exp.engine_misses) <= set(listed), f"{stem}: engine_misses 中的规则未出现在预期中"
    unknown = set(listed) - set(_rule_ids())
    assert not unknown, f"{stem}: 规则库中没有这些规则 {sorted(unknown)}"


def test_every_rule_is_expected_to_fail_and_to_pass_somewhere() -> None:
    from hotline.inspect import default_engine

    # an award rule is "failed" by no one: it is expected to be earned somewhere and not earned elsewhere
    failed = {r for exp in EXPECTED.values() for r in [*exp.fail, *exp.award]}
    passed = {r for exp in EXPECTED.values() for r in exp.passed}
    awards = {r.id for r in default_engine().rulebook.rules if r.kind == "award"}
    assert not [r for exp in EXPECTED.values() for r in exp.fail if r in awards], "加分规则不能写在 fail 里，请写在 award 里"
    rules = [r for r in _rule_ids() if not r.startswith(UNCOVERED_PREFIXES)]
    assert rules, "规则库为空"
    assert not [r for r in rules if r not in failed], "没有样例违反这些规则"
    assert not [r for r in rules if r not in passed], "没有样例做到这些规则"


@pytest.mark.parametrize("path", _sample_paths(), ids=lambda p: p.stem)
def test_sample_is_well_formed(path: Path) -> None:
    call = read_call(path)
    assert {"title", "agent_id", "date"} <= set(call.meta), f"{path.name}: 缺少元数据"
    assert call.turns[0].speaker is Speaker.AGENT, f"{path.name}: 应由坐席开头"
    silent = any(t.speaker is Speaker.CITIZEN and not t.text for t in call.turns)
    assert 5 <= len(call.turns) <= 30 if silent else 8 <= len(call.turns) <= 30
    if silent:
        assert call.has_times, f"{path.name}: 无声电话必须带时间"


def test_enough_samples_carry_times() -> None:
    timed = [p.stem for p in _sample_paths() if read_call(p).has_times]
    assert len(timed) >= MIN_TIMED, timed
