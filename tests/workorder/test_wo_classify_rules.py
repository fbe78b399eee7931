"""Request type, urgency and routing: table-driven over the package data."""

from datetime import datetime

import pytest
from wo_helpers import make_call

from hotline.workorder import routing
from hotline.workorder.classify import classify_category
from hotline.workorder.request_type import classify_call, classify_text
from hotline.workorder.urgency import assess, assess_call


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("我要投诉楼下饭店油烟扰民", "投诉"),
        ("我想咨询一下孩子落户需要什么材料", "咨询"),
        ("我举报有人在小区里违章搭建", "举报"),
        ("我建议在学校门口增设一个红绿灯", "建议"),
        ("特别感谢社区王主任，我想表扬她", "表扬"),
        ("我家停水了，麻烦帮帮忙", "求助"),
        ("我不是投诉，就是想问一下公积金怎么办理", "咨询"),
        ("我想问一下，老板三个月没给我发工资，我该怎么办", "求助"),
        ("我要反映楼上装修的事，跟他们说了好几次也不听", "投诉"),
        ("有人在河边偷偷烧电线，能不能别说是我反映的", "举报"),
        ("能不能在地铁口加开一趟接驳车", "建议"),
    ],
)
def test_request_type_of_text(text: str, label: str) -> None:
    pred = classify_text(text)
    assert pred.label == label
    assert 0 < pred.confidence <= 1 and len(pred.alternatives) == 3
    assert pred.confidence >= max(c for _, c in pred.alternatives)


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (["坐席：您好，12345热线，请问有什么可以帮您？", "市民：……", "坐席：喂，您好，请问能听到吗？",
          "坐席：对不起，您的电话没有声音，请您换一部电话再打来好吗？再见！"], "无声"),
        (["坐席：您好，12345热线，请问有什么可以帮您？", "市民：不好意思，打错了"], "误拨"),
        (["坐席：您好，12345热线，请问有什么可以帮您？", "市民：你们这帮废物，滚！",
          "坐席：请您文明用语，如果您继续辱骂，我将结束通话。", "市民：去你妈的", "坐席：感谢您的来电，再见。"], "骚扰"),
    ],
)
def test_invalid_calls(lines: list[str], reason: str) -> None:
    pred = classify_call(make_call(lines))
    assert (pred.label, pred.path) == ("无效", ["无效", reason])


@pytest.mark.parametrize(
    ("text", "level", "cue"),
    [
        ("楼道里煤气味很重", "非常紧急", "gas_leak"),
        ("家里停电了，我父亲一直在用呼吸机", "非常紧急", "power_medical"),
        ("小区门口好几十人聚集堵路", "紧急", "crowd"),
        ("我真的不想活了", "非常紧急", "suicide"),
        ("楼下有两个人拿着刀打起来了，还在打", "非常紧急", "violence"),
        ("我爸刚才突然晕倒了，叫不醒", "非常紧急", "medical_emergency"),
        ("停水两天了，家里有个瘫痪的老人", "紧急", "outage_vulnerable"),
        ("工地上三十多个工友半年没拿到工资了", "紧急", "group_wages"),
        ("现在都半夜十二点了，隔壁工地还在打桩", "紧急", "night_work_now"),
        ("两个七十岁的老人被旅行团扔在景区了，天快黑了", "紧急", "vulnerable_stranded"),
        ("停水两天了", "一般", None),
        ("上个月电梯里有人被困过，物业也不修", "一般", None),
        ("昨天晚上楼道里有一股煤气味", "一般", None),
        ("再不解决我就去找媒体曝光", "一般", None),
        ("路灯不亮了", "一般", None),
        ("我没有闻到煤气味，只是想问问", "一般", None),
    ],
)
def test_urgency_cues(text: str, level: str, cue: str | None) -> None:
    got, hits = assess(text)
    assert got == level
    assert (cue in {h.cue_id for h in hits}) if cue else not hits


def test_urgency_hits_point_into_turns() -> None:
    call = make_call(["坐席：您好", "市民：电梯里有人被困了，快来人"])
    level, hits = assess_call(call)
    assert level == "非常紧急"
    h = hits[0]
    assert call.turns[h.turn_index].text[h.span[0] : h.span[1]] == h.said == "被困"


@pytest.mark.parametrize(
    ("category", "district", "department"),
    [
        (["城乡建设", "燃气", "燃气泄漏"], "蜀山区", "市燃气集团"),
        (["城乡建设", "城管执法"], "蜀山区", "蜀山区城市管理局"),
        (["城乡建设", "市政设施"], "", "市城市管理局"),
        (["环境保护", "噪声污染"], "包河区", "市生态环境局包河区分局"),
        (["环境保护"], "", "市生态环境局"),
        (["住房保障", "住房公积金"], "蜀山区", "市住房公积金管理中心"),
        (["住房保障", "保障性住房"], "蜀山区", "蜀山区住房保障中心"),
        (["卫生健康", "院前急救"], "蜀山区", "市急救中心（120）"),
        (["没有这个分类"], "", "市12345热线工作机构（人工分拨）"),
    ],
)
def test_routing(category: list[str], district: str, department: str) -> None:
    assert routing.department_for(category, district) == department


@pytest.mark.parametrize(
    ("rtype", "urgency", "start", "due"),
    [
        ("求助", "非常紧急", datetime(2026, 9, 30, 10), datetime(2026, 9, 30, 12)),
        ("投诉", "一般", datetime(2026, 9, 30, 10), datetime(2026, 10, 15, 17, 30)),  # 国庆 + 调休
        ("咨询", "一般", datetime(2026, 11, 20, 9), datetime(2026, 11, 24, 17, 30)),  # skips the weekend
    ],
)
def test_deadlines(rtype: str, urgency: str, start: datetime, due: datetime) -> None:
    rule = routing.time_limit(rtype, urgency, ["环境保护"])
    assert routing.deadline(start, rule) == due


@pytest.mark.parametrize(
    ("text", "top"),
    [
        ("公司拖欠我们三个月工资，老板不给", "劳动和社会保障"),
        ("孩子学校乱收费，要交补课费", "教育文体"),
        ("出租车司机拒载还绕路", "交通运输"),
        ("附近工厂偷排废气，味道刺鼻", "环境保护"),
        ("便利店把过期的酸奶还摆在货架上卖", "市场监管"),
        ("公租房排了三年还没轮到我们家", "住房保障"),
        ("楼上邻居天天半夜打麻将", "公安政法"),
        ("养老院突然要涨护理费", "民政"),
        ("村里把我家的承包地强行流转出去了", "农业农村"),
        ("有人在河道里非法采砂", "自然资源"),
        ("楼道里堆满电动车，消防通道都堵了", "应急管理"),
        ("区政务服务中心窗口办事太慢", "其他"),
        ("医院挂号排了两个小时", "卫生健康"),
        ("旅行社导游强制我们进购物店", "商贸旅游"),
        ("这个事情我也说不清楚", "其他"),
    ],
)
def test_zero_shot_keywords_only(text: str, top: str) -> None:
    pred = classify_category(text, semantic=False)
    assert pred.path[0] == top
