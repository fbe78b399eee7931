"""Call factories for the work-order tests."""

from __future__ import annotations

from hotline.model import Call, Speaker, Turn


def make_call(lines: list[str], date: str | None = "2026-11-20 09:15", call_id: str = "c1") -> Call:
    """Lines start with 坐席： or 市民：."""
    turns = []
    for line in lines:
        who, _, text = line.partition("：")
        turns.append(Turn(Speaker.AGENT if who == "坐席" else Speaker.CITIZEN, text))
    return Call(call_id, turns, {"date": date} if date else {})


GAS_CALL = [
    "坐席：您好，12345政务服务便民热线，8号为您服务，请问有什么可以帮您？",
    "市民：你好，我姓王，我住在蜀山区稻香村街道梅山路18号3栋，昨天晚上十点多楼道里煤气味特别重，到现在还有，你们赶紧派人来看看！",
    "坐席：王先生您别着急，请问您的联系电话是多少？",
    "市民：幺三八零零零幺幺幺幺二",
    "坐席：好的，我跟您确认一下，电话13800011112，地址蜀山区梅山路18号3栋，对吗？",
    "市民：对，我叫王建国。",
    "坐席：好的王先生，已为您登记，燃气公司会在2小时内联系您，请问还有其他可以帮您的吗？",
    "市民：没有了，谢谢。",
    "坐席：感谢您的来电，再见。",
]

COMPLAINT_CALL = [
    "坐席：您好，12345政务服务便民热线，请问有什么可以帮您？",
    "市民：我要投诉楼下的烧烤店，每天晚上油烟直排，噪音也很大，说了好多次都不改。",
    "坐席：请问您贵姓，联系电话是多少？",
    "市民：我叫李秀英，电话一三九一二三四五六七八。",
    "坐席：请问具体地址是？",
    "市民：我家住在包河区望湖街道徽州大道100号。",
    "坐席：好的，您希望怎么处理呢？",
    "市民：希望有关部门尽快来查处，让他们装油烟净化器。",
    "坐席：好的，我们会转交相关部门处理，感谢您的来电，再见。",
]
