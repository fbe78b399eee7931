"""A city's rulebook errors point into the city file itself — its line and the rule id — never into
the merged rulebook; a rule overridden twice, a key written twice, and YAML syntax are errors too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotline.errors import RulebookError
from hotline.norms import load_rulebook

HEAD = "extends: default\nversion: 示例市-1\n"
NEW_RULE = ("  - id: city.slogan.v1\n    title: 本市口号\n    dimension: {dim}\n    points: 1\n    kind: require\n"
            "    match: {{phrases: {{{src}}}}}\n    message: 未使用本市口号\n")


@pytest.mark.parametrize(
    ("body", "line", "rule_id", "message"),
    [
        # a typo in an override of a default rule: the line of the typo, the rule's id
        ("rules:\n  - id: timing.reply_gap.v1\n    message: 超过 4 秒\n  - id: listen.restate.v1\n    pointz: 3\n",
         7, "listen.restate.v1", "rules[1].pointz：不认识的字段"),
        ("rules:\n  - id: listen.restate.v1\n    points: 很多\n", 5, "listen.restate.v1", "rules[0].points：应为数字"),
        # a new rule of the city: missing field, unknown dimension, unknown lexicon
        ("rules:\n  - id: city.slogan.v1\n    title: 本市口号\n    dimension: 服务规范\n    kind: require\n"
         "    match: {phrases: {phrases: [祝您愉快]}}\n    message: m\n", 4, "city.slogan.v1", "rules[0].points：缺少必填项"),
        ("rules:\n" + NEW_RULE.format(dim="不存在的维度", src="phrases: [祝您愉快]"), 6, "city.slogan.v1",
         "维度「不存在的维度」不在评分表中"),
        ("rules:\n" + NEW_RULE.format(dim="服务规范", src="lexicon: 没有这个词表"), 9, "city.slogan.v1",
         "引用了不存在的词表「没有这个词表」"),
        # the same rule overridden twice
        ("rules:\n  - id: listen.restate.v1\n    points: 3\n  - id: timing.dead_air.v1\n    points: 1\n"
         "  - id: listen.restate.v1\n    points: 4\n", 8, "listen.restate.v1", "在本文件中覆盖了两次（另一处在第 4 行）"),
        ("disable: [audio.loudness.v1, audio.loudness.v1]\n", 3, "audio.loudness.v1", "disable 中规则 audio.loudness.v1 写了两次"),
        ("disable: [audio.loudness.v1, no.such.v1]\n", 3, "no.such.v1", "disable：默认规则库没有规则 no.such.v1"),
        ("rules:\n  - title: 没有 id\n", 4, None, "规则缺少 id"),
        # file-level problems at their lines
        ("rules: []\nversion: 示例市-2\n", 4, None, "键「version」写了两次（第 2 行与第 4 行）"),
        ("lexicon_additions:\n  没有这个词表: [a]\n", 4, None, "lexicon_additions：默认规则库没有词表「没有这个词表」"),
        ("rulez: []\n", 3, None, "rulez：不认识的字段"),
        ("detectors:\n  greeting_core: {phrases: {lexicon: 没有}}\n", 4, None, "detectors.greeting_core：引用了不存在的词表「没有」"),
        ("rules: [\n", 4, None, "YAML 语法错误"),
    ],
)
def test_city_errors_name_the_city_line_and_rule(tmp_path: Path, body: str, line: int, rule_id: str | None,
                                                 message: str) -> None:
    path = tmp_path / "示例市.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(RulebookError) as exc:
        load_rulebook(path)
    err = exc.value
    assert err.source == str(path) and message in err.message, str(err)
    assert err.location is not None and err.location.startswith(f"第 {line} 行"), str(err)
    if rule_id:
        assert f"（规则 {rule_id}）" in err.location
    assert not re.search(r"rules\[\d{2,}\]", str(err)), "an index into the merged rulebook leaked out"


def test_web_editor_errors_keep_the_line(tmp_path: Path) -> None:
    from hotline.store.rulebooks import engine_for_text

    with pytest.raises(RulebookError) as exc:
        engine_for_text(HEAD + "rules:\n  - id: listen.restate.v1\n    points: 3\n  - id: listen.restate.v1\n    points: 4\n")
    assert exc.value.source == "网页编辑的规则库" and exc.value.location == "第 6 行（规则 listen.restate.v1）"
