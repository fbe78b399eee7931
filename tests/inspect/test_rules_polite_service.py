"""Polite service talk the act model reads as misconduct, and the guards in the rulebook that keep it apart
from real misconduct: a troubleshooting step is not a polite deflection, a concrete channel (网址、菜单路径、
号码) is a way forward, and pointing to the complaint channel's path is not daring the citizen to complain.
Every hard negative here is one the act layer fires on (see ``test_the_act_layer_fires``), so each case pins
its guard; every positive must still be found."""

import pytest
from helpers import call, status

from hotline.acts import explain
from hotline.inspect import default_engine

GREET = "坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"

# (agent turn, rule, the act that fires on it)
HARD_NEGATIVES = [
    # a step the citizen can take at once (check, refresh) answers the matter; nobody else is named
    ("建议您可以检查一下阀门。", "shirking.no_way_forward.v1", "agent.deflect"),
    ("建议您可以再刷新一下页面。", "shirking.no_way_forward.v1", "agent.deflect"),
    # a concrete channel with its number is a way forward
    ("您可以致电12333咨询一下。", "shirking.no_way_forward.v1", "agent.deflect"),
    # the complaint channel's menu path: showing the way, not a dare
    ("您要投诉的话可以进入政务网>投诉专区>我要投诉提交。", "forbidden.retort.v1", "agent.retort"),
    ("想投诉可以点击首页-投诉举报-在线投诉提交。", "forbidden.retort.v1", "agent.retort"),
]

POSITIVES = [
    ("这个您得自己跟房东商量一下。", "shirking.no_way_forward.v1"),
    ("建议您去问问开发商那边。", "shirking.no_way_forward.v1"),
    ("您可以咨询一下物业。", "shirking.no_way_forward.v1"),
    ("您想投诉就去投诉吧。", "forbidden.retort.v1"),
    # pushing the citizen to search on their own is handing the matter back
    ("您上网查一下吧。", "shirking.no_way_forward.v1"),
    ("这个您可以百度一下。", "shirking.no_way_forward.v1"),
    # sending the citizen to another body (the act model tells a window to get it done from a deflection)
    ("您去街道办看看吧。", "shirking.no_way_forward.v1"),
    ("您去居委会了解一下吧。", "shirking.no_way_forward.v1"),
    ("您可以去消协看看。", "shirking.no_way_forward.v1"),
    # telling the citizen to find another way on their own hands the matter back too
    ("这事我们办不了，您找找其他途径吧。", "shirking.no_way_forward.v1"),
    ("这种纠纷建议您通过法律途径解决。", "shirking.no_way_forward.v1"),
    ("那您过几天再看看吧。", "forbidden.brushoff.v1"),
    ("这个嘛，反正也就这样了。", "forbidden.brushoff.v1"),
]

# explaining why a wait may happen is not a vague put-off: the act model gives it 0.75–0.85 (敷衍 was 0.75, now
# 0.85 in the taxonomy); real put-offs score higher (case c15's reluctant noting: 0.86) or hit the lexicon
EXPLAINED_WAIT = "节假日前后可能会存在审批等待较久的情况。"


def _inspect(agent: str):  # noqa: ANN202
    return default_engine().inspect(call(GREET, "市民：我想反映个事情。", f"坐席：{agent}"))


@pytest.mark.parametrize(("agent", "rule", "act"), HARD_NEGATIVES)
def test_the_act_layer_fires(agent: str, rule: str, act: str) -> None:
    """Without its guard each hard negative would be flagged: the act layer fires on it."""
    assert any(a.act == act and a.fired for c in explain(agent) for a in c.acts), (agent, act)


@pytest.mark.parametrize(("agent", "rule", "act"), HARD_NEGATIVES)
def test_polite_service_passes(agent: str, rule: str, act: str) -> None:
    assert status(_inspect(agent), rule) == "passed"


@pytest.mark.parametrize(("agent", "rule"), POSITIVES)
def test_misconduct_still_found(agent: str, rule: str) -> None:
    assert status(_inspect(agent), rule) == "failed"


def test_explained_wait_is_not_a_brushoff() -> None:
    probs = [a.probability for c in explain(EXPLAINED_WAIT) for a in c.acts if a.act == "agent.brush_off"]
    assert 0.75 <= max(probs) < 0.85, probs  # flagged at the old threshold
    assert status(_inspect(EXPLAINED_WAIT), "forbidden.brushoff.v1") == "passed"
