"""Rulebook loading: validation errors that name the file and the place, and city overrides."""

from pathlib import Path

import pytest

from hotline.errors import RulebookError
from hotline.inspect import load_engine
from hotline.norms import load_default, load_rulebook

EXAMPLE = Path(__file__).parents[2] / "examples" / "city-rulebook.yaml"


def test_default_rulebook_is_valid_and_versioned() -> None:
    rb = load_default()
    assert rb.version and len(rb.rules) >= 30
    assert sum(d.points for d in rb.scoring.dimensions) == 100


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("extends: default\nversion: x\nrules: [{id: greeting.standard.v1, pionts: 3}]\n", "pionts"),
        ("extends: default\nversion: x\nrules: [{id: Bad_ID, title: t, dimension: 服务规范, points: 1, kind: forbid, "
         "match: {detector: forbidden}, message: m}]\n", "格式应为 family.name.vN"),
        ("extends: default\nversion: x\nrules: [{id: a.b.v1, title: t, dimension: 不存在, points: 1, kind: forbid, "
         "match: {detector: forbidden}, message: m}]\n", "维度「不存在」不在评分表中"),
        ("extends: default\nversion: x\nrules: [{id: a.b.v1, title: t, dimension: 服务规范, points: 1, kind: forbid, "
         "match: {detector: nope}, message: m}]\n", "不存在的检测器「nope」"),
        ("extends: default\nversion: x\nrules: [{id: a.b.v1, title: t, dimension: 服务规范, points: 1, kind: forbid, "
         "match: {detector: forbidden, regex: {pattern: x}}, message: m}]\n", "恰好有一个操作符"),
        ("extends: default\nversion: x\nrules: [{id: a.b.v1, title: t, dimension: 服务规范, points: 1, kind: forbid, "
         "match: {regex: {pattern: '(unclosed'}}, message: m}]\n", "正则表达式无效"),
        ("extends: default\nversion: x\nscoring: {dimensions: [{name: 服务规范, points: 50}]}\n", "之和应为 100"),
        ("extends: default\nversion: x\ndisable: [no.such.v1]\n", "没有规则 no.such.v1"),
        ("extends: default\nversion: x\nlexicon_additions: {nope: [a]}\n", "没有词表「nope」"),
        ("extends: default\nrules: [\n", "YAML 语法错误"),
        ("extends: default\n", "version"),
    ],
)
def test_bad_rulebook_errors_name_file_and_problem(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "city.yaml"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(RulebookError) as exc:
        load_rulebook(p)
    assert "city.yaml" in str(exc.value) and message in str(exc.value)


def test_city_override_changes_disables_and_adds_rules() -> None:
    engine = load_engine(EXAMPLE)
    assert engine.rulebook.version == "示例市-2026.11"
    assert "audio.loudness.v1" not in engine.rule_ids()
    assert "service.own_slogan.v1" in engine.rule_ids()
    assert engine.rule("timing.reply_gap.v1").match.reply_gap.min_seconds == 4  # type: ignore[union-attr]
    assert "示例市民热线" in engine.rulebook.lexicons["hotline_name"]
    findings = engine.check_utterance("这事你别找我。")
    assert any(f.rule_id == "forbidden.phrase.v1" for f in findings)
    assert load_default().version != engine.rulebook.version  # the default is untouched
