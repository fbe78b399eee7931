"""The taxonomy, its correspondence with the old 15-class set, the routing table and the body kinds:
the data hold together, and the translation works both ways."""

import pytest
from wo_helpers import make_call

from hotline.workorder.bodies import district_of, kinds, named_departments, plausible, same_kind
from hotline.workorder.legacy import is_legacy_label, legacy_view, to_current, to_legacy
from hotline.workorder.routing import department_for, find_route
from hotline.workorder.schema import WorkOrderError, load_legacy, load_routing, load_taxonomy

CURRENT_FIRST_LEVEL = ["市场监管", "住房保障", "公安政法", "民政", "城乡建设", "环境保护", "交通运输", "劳动和社会保障", "教育文体",
                       "卫生健康", "商贸旅游", "农业农村", "自然资源", "应急管理", "其他"]


def test_first_level_follows_current_practice() -> None:
    names = load_taxonomy().top_names()
    assert sorted(names) == sorted(CURRENT_FIRST_LEVEL)
    assert not {"卫生计生", "政法", "国土资源", "农村农业"} & set(names)


def test_every_category_has_words_and_every_first_level_a_route() -> None:
    tax, table = load_taxonomy(), load_routing()
    for cat in tax.categories:
        assert cat.description and cat.keywords and len(cat.examples) >= 5, cat.name
        # 其他 without a sub-category goes to manual dispatch; every other first level has a body
        assert (find_route([cat.name], "", table) is None) is (cat.name == "其他"), cat.name
    known = {tuple(p) for p in tax.paths()}
    missing = [r.category for r in table.routes if tuple(r.category) not in known]
    assert missing == []
    limits = [t.category for t in table.time_limits if t.category and tuple(t.category) not in known]
    assert limits == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (["卫生计生"], ["卫生健康"]),
        (["卫生计生", "食品药品监管", "食品安全"], ["市场监管", "食品安全"]),
        (["城乡建设", "住房保障与房地产", "住房公积金"], ["住房保障", "住房公积金"]),
        (["城乡建设", "住房保障与房地产", "物业服务"], ["城乡建设", "物业管理"]),
        (["商贸旅游", "市场监管", "传销"], ["市场监管", "市场秩序"]),
        (["政法", "户籍证件"], ["公安政法", "户政管理"]),
        (["城乡建设", "城市建设和市政管理", "公共汽车"], ["交通运输", "公共交通"]),
        (["党务政务"], ["其他", "政务服务"]),
        (["没有这一类"], []),
    ],
)
def test_old_paths_to_current(old: list[str], new: list[str]) -> None:
    assert to_current(old) == new


@pytest.mark.parametrize(
    ("new", "old_top"),
    [
        (["卫生健康", "医疗服务"], "卫生计生"),
        (["市场监管", "食品安全", "过期变质食品"], "卫生计生"),  # food safety was under 卫生计生
        (["市场监管", "消费维权"], "商贸旅游"),  # the rest of 市场监管 under 商贸旅游
        (["住房保障", "保障性住房"], "城乡建设"),
        (["交通运输", "公共交通"], "交通运输"),  # reverse: false — most bus matters were 交通运输
        (["应急管理", "消防安全"], "政法"),
        (["公安政法", "犬只管理"], "政法"),
        (["其他"], ""),
    ],
)
def test_current_paths_to_old(new: list[str], old_top: str) -> None:
    assert (to_legacy(new) or [""])[0] == old_top


def test_legacy_view_answers_in_old_classes() -> None:
    from hotline.workorder.classify import ZeroShotClassifier

    view = legacy_view()
    assert {c.name for c in view.categories} == set(load_legacy().classes)
    clf = ZeroShotClassifier(semantic=False)
    labels = ["城乡建设", "卫生计生", "商贸旅游", "劳动和社会保障"]
    assert clf.predict("超市卖的面包过了保质期", labels).label == "卫生计生"
    assert clf.predict("公积金贷款额度怎么算", labels).label == "城乡建设"
    assert clf.predict("健身房办的会员卡退不了钱", labels).label == "商贸旅游"
    assert is_legacy_label("卫生计生") and not is_legacy_label("城乡建设") and not is_legacy_label("市场监管")


def test_legacy_file_is_checked_against_the_taxonomy(tmp_path) -> None:
    bad = tmp_path / "legacy.yaml"
    bad.write_text("version: '1'\nclasses: [城乡建设]\nmap:\n  - {old: [城乡建设], new: [城乡建设, 不存在]}\n", encoding="utf-8")
    with pytest.raises(WorkOrderError, match="事项分类中没有「城乡建设 › 不存在」"):
        load_legacy(bad)
    worse = tmp_path / "legacy2.yaml"
    worse.write_text("version: '1'\nclasses: [城乡建设]\nmap:\n  - {old: [政法], new: [公安政法]}\n", encoding="utf-8")
    with pytest.raises(WorkOrderError, match="一级类别「政法」不在 classes 中"):
        load_legacy(worse)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("云溪区综合行政执法局", "市城市管理局", True),
        ("北湾区劳动保障监察大队", "市人力资源和社会保障局", True),
        ("区卫健委", "市卫生健康委员会", True),
        ("市急救中心（120）", "120急救", True),
        ("市市场监督管理局", "市住房和城乡建设局", False),
        ("市交通运输局", "市公交集团", False),
    ],
)
def test_body_kinds(a: str, b: str, same: bool) -> None:
    assert same_kind(a, b) is same
    assert kinds(a)


@pytest.mark.parametrize(
    ("name", "district"),
    [("云溪区城市管理局", "云溪区"), ("高新区住房保障中心", "高新区"), ("市生态环境局", ""), ("属地区住房保障中心", ""),
     ("社区居委会", "")],
)
def test_district_of_a_department(name: str, district: str) -> None:
    assert district_of(name) == district


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("坐席：好的，我马上转给云溪区综合行政执法局，今晚会有人到现场。", "云溪区综合行政执法局"),
        ("坐席：这个我给您转市交通运输局客运管理处，7个工作日内答复。", "市交通运输局客运管理处"),
        ("坐席：我给你转交通运输局。", "交通运输局"),
        ("坐席：我现在一键帮您转接120，请不要挂机。", "市急救中心（120）"),
        ("坐席：转给岚江公交集团，由他们转达给师傅。", "岚江公交集团"),
        ("坐席：您可以自己去找环保局问问。", None),  # not a transfer
        ("坐席：这个我们转不了。", None),
        ("坐席：我会转给相关部门处理。", None),  # no body named
    ],
)
def test_departments_the_agent_names(line: str, named: str | None) -> None:
    found = named_departments(make_call(["市民：你好", line]))
    assert [d.value for d in found][:1] == ([named] if named else [])
    if named:
        d = found[0]
        assert d.turn_index == 1 and d.span[1] > d.span[0]


def test_scenario_orders_name_plausible_departments() -> None:
    from hotline.simulate.library import load_library

    bad = []
    for sid, sc in load_library().scenarios.items():
        exp = sc.expected_order
        if exp.category:
            verdict = plausible(exp.department, exp.category, district_of(exp.department))
            if not verdict.ok:
                bad.append((sid, exp.department, exp.category, verdict.reason))
    assert bad == []


def test_department_for_fills_the_district_or_falls_back_to_the_city() -> None:
    assert department_for(["民政", "养老服务"], "松岭区") == "松岭区民政局"
    assert department_for(["民政", "养老服务"], "") == "市民政局"
    assert department_for(["公安政法", "犬只管理", "流浪犬"], "") == "市城市管理局"
