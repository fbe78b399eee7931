"""Whole calls, written for these tests, through ``extract``: request type, first-level category,
urgency, name, address and department kind. One row per call; the calls cover every first-level
category and request type, emergencies, past danger, abuse with a real matter, and a bare name answer."""

import pytest
from wo_helpers import make_call

from hotline.workorder.bodies import same_kind
from hotline.workorder.order import extract

A = "坐席：您好，12345政务服务便民热线，很高兴为您服务。"

CALLS = {
    "elevator_stuck_now": [
        A, "市民：喂，快点，我们单元电梯卡在九楼和十楼中间了，我老公和孩子被困在里面，已经二十分钟了！",
        "坐席：您先别急，请问是哪个小区？", "市民：江北区白沙街道翠竹园8栋1单元。",
        "坐席：好的，我马上联系物业和电梯维保单位，同时通知119，请让里面的人不要扒门。您怎么称呼？", "市民：姓何。",
    ],
    "pension_question": [
        A, "市民：你好，我想问一下，我下个月满六十周岁，退休手续要去哪里办，需要带什么材料？",
        "坐席：您是企业职工吗？", "市民：是的，在一家机械厂上了三十年班。", "坐席：好的，您可以到参保地的社保经办机构办理。",
        "市民：好的，谢谢你。",
    ],
    "market_scale": [
        A, "市民：我要投诉南门菜市场一个卖牛肉的摊位，秤有问题，我买了两斤，回家一称少了三两多。",
        "坐席：请问您还记得是哪个摊位吗？", "市民：进门左手第三家，老板是个胖子。我去找他理论，他还不承认。",
        "坐席：好的，我给您登记，转市场监管部门处理。请问您贵姓？", "市民：免贵姓钟。",
    ],
    "rental_subsidy": [
        A, "市民：我们家是低收入家庭，去年批了住房租赁补贴，可是这个季度的钱到现在还没发下来，想问问什么原因。",
        "坐席：请问您是在哪个区申请的？", "市民：东城区。", "坐席：好的，我帮您转区住房保障中心核实。",
    ],
    "square_dance": [
        A, "市民：我要反映一下，我们楼下广场每天晚上有人跳广场舞，音响开得特别大，一直跳到十点多，老人孩子都休息不好。",
        "坐席：请问是哪个广场？", "市民：河西区滨湖路的文化广场。", "市民：跟她们说过好几次了，根本不听。",
    ],
    "abusive_with_matter": [
        A, "市民：你们这帮吃干饭的！我家门口那条路挖开一个多月了，到处是坑，也不填，天天堵车，你们管不管？",
        "坐席：先生，请您文明用语，我们会认真记录。请问具体是哪条路？", "市民：新华路和解放路路口，废物！",
        "坐席：请您不要辱骂，否则我只能结束通话。这个情况我登记转城管部门。", "市民：赶紧让他们来修！",
    ],
    "child_missing": [
        A, "市民：救命啊，我儿子在公园里走丢了，才五岁，找了半个小时都找不到！",
        "坐席：您先别慌，请问是哪个公园？", "市民：南山区人民公园，东门附近。",
        "坐席：我马上帮您转接110，请您不要挂机，同时留意孩子的衣服颜色告诉民警。",
    ],
    "praise_nurse": [
        A, "市民：我想表扬一下区人民医院儿科的护士小刘，我孩子半夜发烧，她一直守着，特别细心。",
        "坐席：谢谢您的表扬，请问您怎么称呼？", "市民：陈晓燕。",
    ],
    "suggest_bus_stop": [
        A, "市民：我提个建议，新开的地铁站出口离公交站有八百米，能不能把公交站往地铁口挪一挪？",
        "坐席：请问是哪个地铁站？", "市民：五号线的科技园站。",
    ],
    "report_illegal_building": [
        A, "市民：我要举报，我们小区顶楼那户在楼顶私自加盖了一层彩钢房，正在施工，别说是我举报的。",
        "坐席：请问是哪个小区？", "市民：西湖区金桂苑12栋。", "坐席：好的，我会为您保密，转城管执法部门查处。",
    ],
    "sewage_river": [
        A, "市民：你好，我想反映村边的小河，上游有个养猪场把猪粪水直接排到河里，现在河水又黑又臭，鱼都死了。",
        "坐席：请问在哪个村？", "市民：青山镇石桥村，村口那座桥往上走。",
    ],
    "landless_compensation": [
        A, "市民：我们组的地去年被征了，说好的征地补偿款到现在一分钱没发，村里说上面还没拨下来。",
        "坐席：请问您是哪个镇哪个村的？", "市民：柳溪镇杨家村三组。",
    ],
    "fireworks_storage": [
        A, "市民：我们楼下的一个车库被人租去囤烟花爆竹了，堆得满满的，这要是着火整栋楼都完了。",
        "坐席：请问是哪个小区哪个车库？", "市民：北苑小区3栋地下车库。",
    ],
    "village_subsidy": [
        A, "市民：喂，我是王家村的，今年的种粮补贴别的村早就到账了，我们村到现在还没有，村干部也说不清楚。",
        "坐席：请问您贵姓？", "市民：王德顺。",
    ],
    "vaccine_question": [
        A, "市民：请问小孩打流感疫苗要不要预约，社区卫生服务中心周末开不开门？", "坐席：需要在公众号上预约。", "市民：好的。",
    ],
    "school_bus": [
        A, "市民：我要投诉实验小学的校车，一辆车塞了三十多个孩子，超载太严重了，出了事谁负责？",
        "坐席：请问是哪个区的实验小学？", "市民：城南区的。",
    ],
    "overtime_pay": [
        A, "市民：我想问一下，公司每天让我们加班到晚上十点，加班费一分不给，这合法吗？该怎么办？",
        "坐席：请问您和公司签了劳动合同吗？", "市民：签了。",
    ],
    "hall_service": [
        A, "市民：我投诉一下区政务服务中心，办个营业执照来回跑了四趟，每次都说材料不对，也不一次说清楚。",
        "坐席：请问是哪个区的政务服务中心？", "市民：开发区的。",
    ],
    "hotel_deposit": [
        A, "市民：我在景区旁边的一家民宿住了两晚，退房的时候老板扣了我两百押金，说床单脏了，根本没有的事。",
        "坐席：请问是哪个景区的民宿？", "市民：龙潭峡景区门口的山居民宿。",
    ],
    "wrong_number": [A, "市民：喂，是张师傅吗？我订的桶装水什么时候送？", "坐席：您好，这里是12345热线。", "市民：啊，不好意思，打错了。"],
}

#: id → (request type, first-level category, urgency, name, address fragment, kind of department)
EXPECTED = {
    "elevator_stuck_now": ("求助", "城乡建设", "非常紧急", "何", "翠竹园8栋1单元", "住房和城乡建设局"),
    "pension_question": ("咨询", "劳动和社会保障", "一般", "", "", "人力资源和社会保障局"),
    "market_scale": ("投诉", "市场监管", "一般", "钟", "", "市场监督管理局"),
    "rental_subsidy": ("求助", "住房保障", "一般", "", "东城区", "住房保障中心"),
    "square_dance": ("投诉", "公安政法", "一般", "", "滨湖路", "公安局"),
    "abusive_with_matter": ("投诉", "城乡建设", "一般", "", "新华路和解放路路口", "城市管理局"),
    "child_missing": ("求助", "公安政法", "紧急", "", "人民公园东门", "公安局"),
    "praise_nurse": ("表扬", "卫生健康", "一般", "陈晓燕", "", "卫生健康委员会"),
    "suggest_bus_stop": ("建议", "交通运输", "一般", "", "", "交通运输局"),
    "report_illegal_building": ("举报", "城乡建设", "一般", "", "金桂苑12栋", "城市管理局"),
    "sewage_river": ("举报", "环境保护", "一般", "", "石桥村", "生态环境局"),
    "landless_compensation": ("求助", "自然资源", "一般", "", "杨家村", "自然资源和规划局"),
    "fireworks_storage": ("举报", "应急管理", "一般", "", "北苑小区3栋", "应急管理局"),
    "village_subsidy": ("求助", "农业农村", "一般", "王德顺", "", "农业农村局"),
    "vaccine_question": ("咨询", "卫生健康", "一般", "", "", "卫生健康局"),
    "school_bus": ("投诉", "教育文体", "一般", "", "城南区", "教育局"),
    "overtime_pay": ("求助", "劳动和社会保障", "一般", "", "", "人力资源和社会保障局"),
    "hall_service": ("投诉", "其他", "一般", "", "", "政务服务和数据管理局"),
    "hotel_deposit": ("投诉", "商贸旅游", "一般", "", "龙潭峡景区", "文化广电和旅游局"),
    "wrong_number": ("无效", "", "一般", "", "", ""),
}


@pytest.mark.parametrize("call_id", list(CALLS))
def test_call(call_id: str) -> None:
    rtype, top, urgency, name, place, dept = EXPECTED[call_id]
    o = extract(make_call(CALLS[call_id], call_id=call_id)).order
    got = (o.request_type, o.category[0] if o.category else "", o.urgency, o.caller_name)
    assert got == (rtype, top, urgency, name)
    assert place in o.address.full()
    assert (same_kind(dept, o.department) if dept else o.department == ""), o.department
    if rtype != "无效":
        assert len(o.summary) <= 140 and "我" not in o.summary and "废物" not in o.summary
