"""Each 工单 check, called directly and through the engine's scorecard."""

from dataclasses import replace

import pytest
from wo_helpers import COMPLAINT_CALL, GAS_CALL, make_call

from hotline.model import Address, WorkOrder
from hotline.workorder import checks
from hotline.workorder.order import extract


def good_order() -> WorkOrder:
    """The order a careful agent writes for GAS_CALL."""
    return WorkOrder(
        caller_name="王建国", phone="138 0001 1112", address=Address("安徽省", "合肥市", "蜀山区", "稻香村街道", "梅山路18号3栋"),
        event_time="2026-11-19 22:00", summary="来电人王建国反映：11月19日22时起蜀山区梅山路18号3栋楼道内有煤气味，诉求：请燃气公司尽快上门检查。",
        request_type="求助", category=["城乡建设", "燃气", "燃气泄漏"], urgency="非常紧急",
        department="市燃气集团", deadline="2026-11-20 11:15",
    )


CALL = make_call(GAS_CALL)


@pytest.mark.parametrize("check", [checks.required_fields, checks.contradictions, checks.downgrade,
                                   checks.summary_quality, checks.routing, checks.urgency, checks.category])
def test_careful_order_passes_every_check(check) -> None:
    assert check(CALL, good_order()) == []


def test_extracted_order_passes_its_own_checks() -> None:
    order = extract(CALL).order
    for check in (checks.contradictions, checks.required_fields, checks.routing, checks.urgency, checks.category,
                  checks.summary_quality, checks.downgrade):
        assert check(CALL, order) == [], check.__name__


def test_missing_fields_point_at_what_the_caller_said() -> None:
    ev = checks.required_fields(CALL, replace(good_order(), phone="", address=Address()))
    by_msg = {e.message: e for e in ev}
    assert set(by_msg) == {"工单缺少必填要素：联系电话", "工单缺少必填要素：地址"}
    phone = by_msg["工单缺少必填要素：联系电话"]
    assert phone.turn_index == 3 and "幺三八零零零幺幺幺幺二" in phone.evidence


def test_required_fields_depend_on_request_type() -> None:
    consult = WorkOrder(phone="13800011112", summary="咨询落户材料", request_type="咨询", category=["公安政法"])
    assert checks.required_fields(CALL, consult) == []
    invalid = WorkOrder(request_type="无效", invalid_reason="生气")
    assert [e.message for e in checks.required_fields(CALL, invalid)] == ["无效原因应为 无声/骚扰/误拨 之一"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"phone": "13800011113"}, "工单联系电话 13800011113 ≠ 通话中 13800011112"),
        ({"caller_name": "李建国"}, "工单姓名「李建国」"),
        ({"event_time": "2026-11-18 22:00"}, "工单事发时间「2026-11-18 22:00」"),
        ({"event_time": "2026-11-19 15:00"}, "工单事发时间「2026-11-19 15:00」"),
        ({"address": Address(district="包河区", detail="梅山路18号3栋")}, "工单区县「包河区」≠ 通话中「蜀山区」"),
        ({"address": Address(district="蜀山区", detail="梅山路16号3栋")}, "工单地址门牌「16号」"),
        ({"address": Address(district="蜀山区", detail="黄山路18号3栋")}, "工单地址道路「黄山路」"),
    ],
)
def test_contradictions_show_both_sides(change: dict, fragment: str) -> None:
    ev = checks.contradictions(CALL, replace(good_order(), **change))
    assert len(ev) == 1 and fragment in ev[0].evidence
    assert ev[0].turn_index is not None and ev[0].span is not None


def test_address_typed_into_one_box_is_split_before_comparing() -> None:
    one_box = Address(detail="合肥市蜀山区梅山路16号3栋")
    ev = checks.contradictions(CALL, replace(good_order(), address=one_box))
    assert [e.evidence[:11] for e in ev] == ["工单地址门牌「16号」"]
    assert checks.contradictions(CALL, replace(good_order(), address=Address(detail="蜀山区梅山路18号3栋"))) == []


@pytest.mark.parametrize("written", ["2026年11月19日22时", "11月19日晚上10点", "2026-11-19"])
def test_equivalent_time_wordings_agree(written: str) -> None:
    assert checks.contradictions(CALL, replace(good_order(), event_time=written)) == []


def test_complaint_downgraded_to_consultation() -> None:
    call = make_call(COMPLAINT_CALL)
    order = replace(extract(call).order, request_type="咨询")
    ev = checks.downgrade(call, order)
    assert len(ev) == 1 and ev[0].message == "投诉被登记为咨询（诉求类型降级）"
    assert call.turns[ev[0].turn_index].text[ev[0].span[0] : ev[0].span[1]] == "投诉"
    assert checks.downgrade(call, replace(order, request_type="投诉")) == []
    assert checks.downgrade(call, replace(order, request_type="举报")) == []


@pytest.mark.parametrize(
    ("summary", "fragment"),
    [
        ("市民情绪激动，反映楼道有煤气味，要求上门检查。", "情绪激动"),
        ("来电人无理取闹，称楼道有煤气味，要求上门检查。", "无理取闹"),
        ("燃气公司明显是不作为，楼道有煤气味，要求上门检查。", "不作为"),
    ],
)
def test_summary_opinion_and_emotion(summary: str, fragment: str) -> None:
    ev = checks.summary_quality(CALL, replace(good_order(), summary=summary))
    assert any(fragment in e.message for e in ev)


def test_summary_may_quote_what_the_caller_said() -> None:
    call = make_call(["坐席：您好", "市民：物业太不作为了，电梯坏了一个月，希望尽快修好"])
    order = WorkOrder(summary="来电人反映物业不作为，电梯坏了一个月，希望尽快修好。")
    assert checks.summary_quality(call, order) == []


def test_summary_that_drops_the_request() -> None:
    ev = checks.summary_quality(CALL, replace(good_order(), summary="来电人反映楼道里煤气味特别重。"))
    assert [e.message for e in ev] == ["工单摘要漏掉了市民的诉求"]
    assert ev[0].turn_index == 1 and "赶紧派人来看看" in ev[0].evidence


def test_wrong_department() -> None:
    ev = checks.routing(CALL, replace(good_order(), department="市水务集团"))
    assert len(ev) == 1 and "应为市燃气集团" in ev[0].message and "该部门不承办这类事项" in ev[0].evidence


@pytest.mark.parametrize(
    ("category", "department", "ok"),
    [
        # district and city bodies are both valid where the table has a {district} route …
        (["城乡建设", "城管执法"], "蜀山区城市管理局", True),
        (["城乡建设", "城管执法"], "市城市管理局", True),
        (["城乡建设", "城管执法"], "蜀山区综合行政执法局", True),  # same kind of body, other name
        (["卫生健康", "医疗服务"], "蜀山区卫健委", True),
        (["卫生健康", "医疗服务"], "市卫生健康委员会", True),
        # … but not another district's office, a city-only service at district level, or another kind
        (["城乡建设", "城管执法"], "包河区城市管理局", False),
        (["住房保障", "住房公积金"], "蜀山区住房公积金管理中心", False),
        (["卫生健康", "医疗服务"], "蜀山区城市管理局", False),
        (["城乡建设", "物业管理"], "蜀山区市场监督管理局", True),  # also: 电梯 safety
    ],
)
def test_department_plausible_for_category_and_district(category: list[str], department: str, ok: bool) -> None:
    order = replace(good_order(), category=category, department=department)
    assert (checks.routing(CALL, order) == []) is ok


def test_findings_land_in_the_scorecard() -> None:
    bad = replace(good_order(), phone="13800011113", department="市水务集团", summary="市民情绪激动。", request_type="咨询",
                  urgency="一般")
    found = checks.check_order(bad, CALL)
    assert {f.rule_id for f in found} == {"workorder.contradiction.v1", "workorder.routing.v1", "workorder.urgency.v1",
                                          "workorder.summary.v1", "workorder.downgrade.v1"}
    assert all(f.dimension == "工单" and f.points > 0 for f in found)
    assert checks.check_order(good_order(), CALL) == []


def test_without_an_order_the_rules_do_not_apply() -> None:
    from hotline.inspect import default_engine

    card = default_engine().inspect(CALL)
    outcomes = {o.rule_id: o.status for o in card.outcomes if o.rule_id.startswith("workorder.")}
    assert outcomes and set(outcomes.values()) == {"na"}


def test_id_number_extracted_and_checked() -> None:
    call = make_call(["坐席：请问您的身份证号？", "市民：三四零一零四一九九零零一零一一二三叉"])
    assert extract(call).order.id_number == "34010419900101123X"
    ev = checks.contradictions(call, WorkOrder(id_number="340104199001011234"))
    assert len(ev) == 1 and "≠ 通话中 34010419900101123X" in ev[0].evidence


def test_routing_without_a_district_accepts_any_district_office_of_the_right_kind() -> None:
    from hotline.model import Call, Speaker, Turn, WorkOrder
    from hotline.workorder.checks import routing

    call = Call("r", [Turn(Speaker.CITIZEN, "老板拖欠我三个月工资。")])
    category = ["劳动和社会保障", "工资支付", "拖欠工资"]
    assert routing(call, WorkOrder(category=category, department="城东区人力资源和社会保障局")) == []
    wrong = routing(call, WorkOrder(category=category, department="城东区住房和城乡建设局"))
    assert wrong and "人力资源和社会保障局" in wrong[0].message


FAINTED_GAS = [
    "坐席：您好，12345政务服务便民热线，请问有什么可以帮您？",
    "市民：快来人，我们单元三楼一股天然气味，我婆婆晕倒在厨房了，叫她也不应！",
    "坐席：请马上开窗，不要开关电器，我帮您转燃气抢修和120。地址是哪里？",
    "市民：梧桐路6号2单元301。",
]


@pytest.mark.parametrize(
    ("lines", "written", "expected"),
    [
        (FAINTED_GAS, "一般", "非常紧急"),
        (FAINTED_GAS, "紧急", "非常紧急"),
        (["坐席：请讲", "市民：我家停水两天了，家里有个瘫痪的老人，做饭喝水都没办法。"], "一般", "紧急"),
    ],
)
def test_urgency_lower_than_the_cues(lines: list[str], written: str, expected: str) -> None:
    call = make_call(lines)
    ev = checks.urgency(call, WorkOrder(request_type="求助", urgency=written))
    assert len(ev) == 1 and ev[0].message == f"紧急程度低于通话所述，应为{expected}"
    assert ev[0].turn_index == 1 and ev[0].span is not None
    assert checks.urgency(call, WorkOrder(request_type="求助", urgency=expected)) == []


def test_past_danger_does_not_raise_urgency() -> None:
    call = make_call(["坐席：请讲", "市民：上个月有人被困在电梯里，现在电梯还是三天两头坏，物业也不管。"])
    assert checks.urgency(call, WorkOrder(request_type="投诉", urgency="一般")) == []


def test_category_inconsistent_with_the_summary() -> None:
    call = make_call(["坐席：请讲", "市民：我在超市买的牛奶过期三天了还在卖，保质期都过了。"])
    order = WorkOrder(request_type="举报", summary="来电人举报：超市销售过期牛奶，保质期已过仍在货架销售。",
                      category=["教育文体", "基础教育"])
    ev = checks.category(call, order)
    assert len(ev) == 1 and ev[0].message == "事项分类与摘要不符，更像「市场监管」"
    assert "过期" in ev[0].evidence and ev[0].turn_index == 1
    assert checks.category(call, replace(order, category=["市场监管", "食品安全"])) == []
    found = {f.rule_id for f in checks.check_order(order, call)}  # through the engine's scorecard
    assert "workorder.category.v1" in found


def test_unknown_category_is_reported() -> None:
    ev = checks.category(CALL, replace(good_order(), category=["卫生计生", "食品药品监管"]))
    assert [e.message for e in ev] == ["事项分类「卫生计生」不在分类目录中"]


def test_department_named_by_the_agent_is_quoted() -> None:
    call = make_call(["坐席：请讲", "市民：楼下饭馆油烟直排进我家。", "坐席：好的，我帮您转给蜀山区住房和城乡建设局。"])
    order = WorkOrder(request_type="投诉", summary="饭馆油烟直排。", category=["环境保护", "大气污染"],
                      department="蜀山区住房和城乡建设局", address=Address(district="蜀山区"))
    ev = checks.routing(call, order)
    assert len(ev) == 1 and ev[0].turn_index == 2 and "坐席说转「蜀山区住房和城乡建设局」" in ev[0].evidence
