"""The generated 工单 summary: objective, third person, request type first, no abuse, feelings or
talk to the agent, within the length a summary should have."""

import pytest
from wo_helpers import make_call

from hotline.workorder.order import extract
from hotline.workorder.summary import Summariser

ANGRY = [
    "坐席：您好，12345政务服务便民热线，请问有什么可以帮您？",
    "市民：我要投诉！我们小区门口的垃圾站五天没人清了，臭得要命，苍蝇到处飞，我真是受够了！",
    "坐席：非常抱歉给您带来不便，请问是哪个小区？",
    "市民：你们这帮废物，记不住啊？城北区柳岸小区南门！你们到底管不管？",
    "坐席：城北区柳岸小区南门，好的，我马上转城管部门。",
    "市民：希望今天就派人来清理。",
]


def test_summary_of_an_angry_call() -> None:
    o = extract(make_call(ANGRY)).order
    s = o.summary
    assert s.startswith("来电人投诉：城北区柳岸小区南门，") and s.endswith("诉求：希望今天就派人来清理。")
    assert "五天没人清" in s and "垃圾站" in s
    for word in ("我", "你", "废物", "受够了", "管不管"):
        assert word not in s, word
    assert len(s) <= 120


@pytest.mark.parametrize(
    ("raw", "worded"),
    [
        ("我们……我们是想表扬一下区图书馆的管理员", "区图书馆的管理员"),
        ("就是我家楼下那个那个烧烤店天天油烟直排", "来电人家楼下烧烤店天天油烟直排"),
        ("我妈住在松鹤松鹤养老院嘛", "来电人母亲住在松鹤养老院"),
        ("我想咨询一下公租房的申请条件", "公租房的申请条件"),
        ("我們小區停电了", "来电人所在小区停电了"),
    ],
)
def test_report_wording(raw: str, worded: str) -> None:
    assert Summariser().reword(raw) == worded


@pytest.mark.parametrize(
    ("clause", "dropped"),
    [("你耳朵聋了吗", True), ("你们到底管不管", True), ("我都快崩溃了", True), ("电梯已经坏了一个月", False),
     ("希望你们尽快派人来修", False)],
)
def test_what_a_summary_leaves_out(clause: str, dropped: bool) -> None:
    assert Summariser().dropped(clause) is dropped


def test_consultation_summary_is_the_question() -> None:
    call = make_call(["坐席：您好，请讲", "市民：你好，我想咨询一下，孩子在外地出生，回来上户口需要带什么材料？",
                      "坐席：需要出生医学证明和父母户口本。", "市民：好的，谢谢。"])
    o = extract(call).order
    assert o.request_type == "咨询" and o.summary.startswith("来电人咨询：")
    assert "上户口需要带什么材料" in o.summary and "诉求" not in o.summary and o.event_time == ""


def test_invalid_call_summary_names_the_reason() -> None:
    call = make_call(["坐席：您好，12345热线，请问有什么可以帮您？", "市民：不好意思，打错了"])
    assert extract(call).order.summary == "来电方拨错号码，无诉求。"
