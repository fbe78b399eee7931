"""The scenario library: every file loads, the library is broad enough, bad files are reported precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.errors import ContentError
from hotline.simulate.errors import ScenarioNotFound
from hotline.simulate.library import load_library

GOOD = """\
title: 测试场景
domain: 噪音
difficulty: 1
summary: 测试用
persona: {name: 张三, age: 30, pdp: 老虎}
mood: {anger: 0.5}
slots:
  event: {value: 夜里施工, lines: [夜里施工吵。]}
expected_order: {request_type: 投诉, category: [环境保护], department: 市生态环境局}
norms: [listen.key_facts.v1]
"""


def test_every_bundled_scenario_loads(library):
    assert library.errors == []
    assert len(library.scenarios) >= 30


def test_library_covers_domains_colours_kinds_and_moods(library):
    scs = list(library.scenarios.values())
    domains = {s.domain for s in scs}
    for d in ("欠薪", "噪音", "物业", "社保", "公积金", "入学", "医保", "垃圾", "占道停车", "食品安全",
              "停水停气", "养老", "消费纠纷", "流浪犬", "道路破损"):
        assert d in domains, d
    assert {s.persona.colour for s in scs} == {"红", "黄", "蓝", "绿"}
    assert {s.kind for s in scs} == {"normal", "silent", "abusive", "wrong_number", "transfer", "elderly"}
    angers = [s.mood.anger for s in scs if s.kind == "normal"]
    assert min(angers) <= 0.1 and max(angers) >= 0.8


def test_transfer_scenarios_cover_110_119_120(library):
    aliases = " ".join(" ".join(s.expected_order.department_aliases) for s in library.filter(kind="transfer"))
    for number in ("110", "119", "120"):
        assert number in aliases


def test_pdp_type_sets_colour(tmp_path: Path):
    (tmp_path / "x.yaml").write_text(GOOD, encoding="utf-8")
    lib = load_library([tmp_path], strict=True, bundled=False)
    sc = lib.get("x")
    assert sc.persona.colour == "黄"
    assert sc.slots["event"].asked_by == ["ask_event"]  # standard slot defaults filled in
    assert sc.slots["event"].label == "事情经过"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("persona: {name: 张三, age: 30, pdp: 老虎}", "persona: {name: 张三, age: 30, pdp: 老虎, colour: 绿}"), "不一致"),
        (("persona: {name: 张三, age: 30, pdp: 老虎}", "persona: {name: 张三, age: 30}"), "colour"),
        (("difficulty: 1", "difficulty: 9"), "difficulty"),
        (("norms: [listen.key_facts.v1]", "norms: [listen.key_facts.v1]\nnotes: x"), "不认识的字段"),
        (("department: 市生态环境局}", "department: ''}"), "department"),
        (("request_type: 投诉, category: [环境保护], department: 市生态环境局", "request_type: 无效"), "invalid_reason"),
        (("  event: {value: 夜里施工, lines: [夜里施工吵。]}", "  event: {value: 夜里施工, lines: []}"), "slots.event.lines"),
        (("title: 测试场景", "title: [测试场景"), "YAML 语法错误"),
    ],
)
def test_bad_scenario_is_reported_with_file_and_path(tmp_path: Path, change, expected):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace(*change), encoding="utf-8")
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    lib = load_library([tmp_path], bundled=False)
    assert set(lib.scenarios) == {"good"}
    assert len(lib.errors) == 1
    message = str(lib.errors[0])
    assert "bad.yaml" in message and expected in message
    with pytest.raises(ContentError):
        load_library([tmp_path], strict=True, bundled=False)


def test_extra_folder_overrides_bundled_scenario(tmp_path: Path):
    (tmp_path / "wage-construction.yaml").write_text(GOOD, encoding="utf-8")
    assert load_library([tmp_path]).get("wage-construction").title == "测试场景"


def test_unknown_scenario_and_missing_folder(library, tmp_path: Path):
    with pytest.raises(ScenarioNotFound, match="hotline scenarios"):
        library.get("no-such-scenario")
    with pytest.raises(ContentError, match="场景目录不存在"):
        load_library([tmp_path / "missing"], bundled=False)


def test_filter(library):
    yellow = library.filter(colour="黄")
    assert yellow and all(s.persona.colour == "黄" for s in yellow)
    assert all(s.domain == "欠薪" for s in library.filter(domain="欠薪"))


def test_expected_categories_exist_in_the_work_order_taxonomy(library):
    import yaml

    from hotline.content import data_path

    path = data_path("workorder", "taxonomy.yaml")
    if not path.exists():
        pytest.skip("no 工单 taxonomy in this build")
    paths: set[tuple[str, ...]] = set()

    def walk(nodes: list, prefix: tuple[str, ...]) -> None:
        for node in nodes:
            name = node if isinstance(node, str) else node["name"]
            paths.add((*prefix, name))
            if isinstance(node, dict):
                walk(node.get("children") or [], (*prefix, name))

    walk(yaml.safe_load(path.read_text(encoding="utf-8"))["categories"], ())
    missing = [(s.id, s.expected_order.category) for s in library.scenarios.values()
               if s.expected_order.category and tuple(s.expected_order.category) not in paths]
    assert missing == []
