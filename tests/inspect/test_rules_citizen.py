"""同理心与情绪安抚 over the whole call: bringing an upset citizen back to calm earns points, a call that
starts calm and ends with the citizen upset loses them — both read from the citizen's emotion
(``hotline.citizen``), not from words in a list."""

import re

import pytest
from helpers import call, status

from hotline.inspect import default_engine

GREET = "坐席：您好，12345政务服务便民热线，工号2031为您服务，请问有什么可以帮您？"
ANGRY = "市民：你们到底管不管啊！楼下烧烤店天天半夜吵，我都打了三回电话了，一点用都没有！"
SOOTHE = "坐席：非常抱歉让您多次来电，我理解您的心情，这次我帮您加急转到区城管局，三个工作日内会有人联系您。"
CLOSE = ["坐席：请问还有其他可以帮您的吗？", "市民：没有了，谢谢你。", "坐席：感谢您的来电，再见。"]
CALM = "市民：你好，我想问一下小区门口的路灯坏了找哪里修。"
RUDE = "坐席：这个不归我们管，你自己找物业去。"
FURIOUS = "市民：什么态度啊你！我找了物业没人理才打的！你们就是这么为人民服务的？"


@pytest.mark.parametrize(
    ("turns", "calmed", "escalated"),
    [
        # upset, soothed, and the citizen accepts: credit
        ([GREET, ANGRY, SOOTHE, "市民：那行，麻烦你了，谢谢。", *CLOSE], "awarded", "passed"),
        # upset at the start and silent resignation at the end is not calm
        ([GREET, ANGRY, "坐席：那你等着吧。", "市民：好吧……", "坐席：还有事吗？", "市民：没有了。"], "passed", "passed"),
        # calm all along: neither rule applies (a call where nothing happened earns no empathy points)
        ([GREET, CALM, "坐席：路灯报修可以找区城管局，我帮您登记转办。", *CLOSE], "na", "na"),
        # calm at the start, furious at the end
        ([GREET, CALM, RUDE, FURIOUS, "坐席：那我也没办法。", "市民：我要投诉你！你工号多少！"], "passed", "failed"),
    ],
)
def test_calmed_and_escalated(turns: list[str], calmed: str, escalated: str) -> None:
    sc = default_engine().inspect(call(*turns))
    assert (status(sc, "empathy.calmed.v1"), status(sc, "empathy.escalated.v1")) == (calmed, escalated)


def test_escalated_points_at_the_last_citizen_turn_with_the_emotion_numbers() -> None:
    turns = [GREET, CALM, RUDE, FURIOUS, "坐席：那我也没办法。", "市民：我要投诉你！你工号多少！"]
    sc = default_engine().inspect(call(*turns))
    (f,) = [f for f in sc.findings if f.rule_id == "empathy.escalated.v1"]
    assert f.turn_index == 5 and f.layer == "情绪走势"
    start, end = re.search(r"开始 ([0-9.]+)，峰值 [0-9.]+，结束 ([0-9.]+)", f.message).groups()
    assert float(start) < 0.3 <= 0.6 <= float(end)


def test_the_award_counts_in_the_dimension() -> None:
    won = default_engine().inspect(call(GREET, ANGRY, SOOTHE, "市民：那行，麻烦你了，谢谢。", *CLOSE))
    (o,) = [o for o in won.outcomes if o.rule_id == "empathy.calmed.v1"]
    assert o.points == 3


def test_no_citizen_words_is_not_applicable() -> None:
    sc = default_engine().inspect(call(GREET, "坐席：喂？您好？", "坐席：感谢您的来电，再见。"))
    assert status(sc, "empathy.calmed.v1") == "na"
    assert status(sc, "empathy.escalated.v1") == "na"
