import pytest
from wo_helpers import COMPLAINT_CALL, GAS_CALL, make_call

from hotline.workorder.extract import find_addresses, find_names, find_numbers, find_times
from hotline.workorder.order import extract


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("市民：我叫王建国，住在这里十年了", "王建国"),
        ("市民：你好，我是李秀英", "李秀英"),
        ("市民：免贵姓欧阳", "欧阳"),
        ("市民：我姓张", "张"),
    ],
)
def test_self_introduced_names(line: str, name: str) -> None:
    facts = find_names(make_call(["坐席：您好，请问有什么可以帮您？", line]))
    assert [f.value for f in facts] == [name]


def test_not_a_name() -> None:
    call = make_call(["坐席：您好", "市民：我是业主，我是这个小区的"])
    assert find_names(call) == []


def test_agent_honorific_and_full_name_preferred() -> None:
    ext = extract(make_call(GAS_CALL))
    assert ext.order.caller_name == "王建国"
    assert "王先生" in [f.value for f in ext.facts["caller_name"]]


def test_phone_spoken_digits_with_span() -> None:
    call = make_call(GAS_CALL)
    phone = find_numbers(call)["phone"][0]
    assert (phone.value, phone.turn_index, phone.said) == ("13800011112", 3, "幺三八零零零幺幺幺幺二")
    assert call.turns[3].text[phone.span[0] : phone.span[1]] == phone.said


def test_corrected_phone_uses_latest() -> None:
    call = make_call(["坐席：请问您的电话？", "市民：13800001111", "坐席：13800001111对吗？", "市民：不对，是13800001112"])
    assert extract(call).order.phone == "13800001112"


@pytest.mark.parametrize(
    ("line", "district", "detail_part"),
    [
        ("市民：我住在蜀山区稻香村街道梅山路18号3栋", "蜀山区", "梅山路18号3栋"),
        ("市民：地址是合肥市包河区滨湖世纪城春融苑5栋", "包河区", "滨湖世纪城春融苑"),
        ("市民：就在包河区望湖街道徽州大道100号门口", "包河区", "徽州大道100号"),
        ("市民：我家住在幸福小区5栋2单元", "", "幸福小区5栋2单元"),
    ],
)
def test_addresses(line: str, district: str, detail_part: str) -> None:
    facts = find_addresses(make_call(["坐席：请问您的地址？", line]))
    assert facts, line
    addr = facts[0].extra["address"]
    assert addr.district == district
    assert detail_part in addr.full()


@pytest.mark.parametrize(
    ("lines", "whole"),
    [
        (["坐席：请问具体地址？", "市民：海淀区安宁庄东路18号院3号楼502。"], "海淀区安宁庄东路18号院3号楼502"),
        (["坐席：请问在哪？", "市民：就在幸福小区北门的底商，一家烧烤店。"], "幸福小区北门底商"),
        (["坐席：请问事发在哪里？", "市民：青年路和长江路路口，“老街坊面馆”门口。"], "青年路和长江路路口老街坊面馆门口"),
        (["坐席：请问在哪个区？", "市民：东城区。"], "东城区"),
        (["坐席：您好", "市民：我妈住在康寿颐养院，他们乱收护理费。"], "康寿颐养院"),
        (["坐席：您好", "市民：我住在江南新村3栋2单元，家里停水了。"], "江南新村3栋2单元"),
    ],
)
def test_whole_addresses(lines: list[str], whole: str) -> None:
    order = extract(make_call(lines)).order
    assert whole in order.address.full()


def test_a_district_on_the_city_hotline_gets_no_other_province() -> None:
    addr = find_addresses(make_call(["坐席：请问在哪个区？", "市民：松岭区金桥新村。"]))[0].extra["address"]
    assert (addr.province, addr.city, addr.district) == ("", "", "松岭区")


def test_no_made_up_county_from_crossroads() -> None:
    facts = find_addresses(make_call(["坐席：请问在哪里？", "市民：在幸福路和长江路交口"]))
    assert all(f.extra["address"].district == "" for f in facts)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("昨天晚上十点", "2026-11-19 22:00"),
        ("前天下午三点", "2026-11-18 15:00"),
        ("11月18号", "2026-11-18"),
        ("今天早上", "2026-11-20 06:00"),
        ("上周三", "2026-11-11"),
    ],
)
def test_relative_times_resolved_against_call_date(said: str, expected: str) -> None:
    call = make_call(["坐席：请问什么时候的事？", f"市民：{said}我发现楼道里有煤气味"])
    facts = find_times(call)
    assert facts and facts[0].value == expected
    assert call.turns[1].text[facts[0].span[0] : facts[0].span[1]] == facts[0].said


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("我家是安宁庄东路18号院3号楼502，楼道里有煤气味", None),  # house numbers are not the 18th or the 3rd
        ("晚上楼道里有煤气味", None),  # a bare part of the day
        ("每天晚上都有人在楼下烧烤", None),  # a habit, not the event
        ("你们3个工作日内给我答复", None),  # a deadline
        ("２０２６年１１月３日下午三点，楼道里有煤气味", "2026-11-03 15:00"),  # full-width digits
        ("上周五晚上八点电梯把人关在里面了", "2026-11-13 20:00"),  # resolved against the call's date
    ],
)
def test_event_times(said: str, expected: str | None) -> None:
    facts = find_times(make_call(["坐席：请讲", f"市民：{said}"]))
    assert [f.value for f in facts][:1] == ([expected] if expected else [])


def test_relative_time_without_the_call_date_is_kept_as_said() -> None:
    facts = find_times(make_call(["坐席：请讲", "市民：昨天下午四点多我在超市买的油"], date=None))
    assert [f.value for f in facts] == ["昨天下午四点"] and "range" not in facts[0].extra
    assert find_times(make_call(["坐席：请讲", "市民：我打算明天下午去办"], date=None)) == []


@pytest.mark.parametrize(
    ("question", "answer", "name"),
    [("请问您贵姓？", "张丽。", "张丽"), ("您怎么称呼？", "姓周。", "周"), ("请问您叫什么名字？", "嗯，王建国，电话是……", "王建国"),
     ("请问您贵姓？", "不用了。", None), ("请问您贵姓？", "张家界那边的事情。", None)],
)
def test_names_from_bare_answers(question: str, answer: str, name: str | None) -> None:
    facts = find_names(make_call([f"坐席：{question}", f"市民：{answer}"]))
    assert [f.value for f in facts] == ([name] if name else [])


def test_phone_digits_and_greeting_number_are_not_times() -> None:
    facts = find_times(make_call(GAS_CALL))
    assert [f.said for f in facts] == ["昨天晚上十点"]


def test_deadline_words_are_not_event_time() -> None:
    call = make_call(["坐席：您好", "市民：你们三天之内给我答复，现在就处理"])
    assert find_times(call) == []


def test_full_extraction_gas_leak() -> None:
    o = extract(make_call(GAS_CALL)).order
    assert o.phone == "13800011112"
    assert o.address.district == "蜀山区" and o.address.street == "稻香村街道"
    assert o.event_time == "2026-11-19 22:00"
    assert o.urgency == "非常紧急"
    assert o.category == ["城乡建设", "燃气", "燃气泄漏"]
    assert o.department == "市燃气集团"
    assert o.deadline == "2026-11-20 11:15"
    assert o.request_type == "求助"


def test_full_extraction_complaint_summary_is_objective() -> None:
    ext = extract(make_call(COMPLAINT_CALL))
    o = ext.order
    assert (o.caller_name, o.phone, o.request_type) == ("李秀英", "13912345678", "投诉")
    assert o.category[0] == "环境保护"
    assert o.summary.startswith("来电人李秀英投诉：包河区望湖街道徽州大道100号，")
    assert "诉求：" in o.summary and "查处" in o.summary
    assert "我" not in o.summary and "13912345678" not in o.summary and len(o.summary) <= 120


def test_sample_calls_extract_without_errors() -> None:
    """The product's own sample calls: every call gives an order; special calls are recognised."""
    from hotline.content import data_path
    from hotline.formats import read_calls

    folder = data_path("samples", "calls")
    if not folder.is_dir():
        pytest.skip("示例通话不存在")
    orders = {c.id: extract(c).order for c in read_calls(folder)}
    assert len(orders) >= 10
    silent = [o for cid, o in orders.items() if "silent" in cid]
    assert silent and all((o.request_type, o.invalid_reason) == ("无效", "无声") for o in silent)
    for cid, o in orders.items():
        if "ranqi_leak" in cid:
            assert (o.urgency, o.department) == ("非常紧急", "市燃气集团")
        if o.request_type != "无效":
            assert o.category and o.department and o.deadline, cid
