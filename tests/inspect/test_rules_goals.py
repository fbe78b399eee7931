"""Rule table for the goals of a call (hotline.norms.goals): a call that carries goals is judged by what it
achieved — the goal rules fail with a reason, and a rule naming a goal is judged instead of N/A even when its
applies_when does not hold (the call ended first). Real calls only where the rulebook says so."""

from __future__ import annotations

import pytest
from helpers import call, status

from hotline.inspect import default_engine
from hotline.inspect.engine import Engine
from hotline.model import Address, Call, WorkOrder
from hotline.norms import load_default

GREET = "坐席：您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？"
COMPLAINT = "市民：我们小区门口的路灯坏了一个月了，晚上黑漆漆的，我姓周，电话13900001111。"
BYE = "坐席：好的，感谢您的来电，再见！"
FACTS = [{"key": "name", "label": "姓名", "value": "周", "said": ["我姓周"]},
         {"key": "phone", "label": "联系电话", "value": "13900001111", "said": []},
         {"key": "address", "label": "地址", "value": "城西区幸福路幸福小区东门", "said": ["幸福小区东门"]}]
ORDER = {"request_type": "投诉", "category": ["城乡建设", "城市建设和市政管理", "城市公共设施"],
         "department": "城西区城市管理局", "department_aliases": ["城管局"], "urgency": "一般",
         "caller_name": "周", "phone": "13900001111", "address": "城西区幸福路幸福小区东门", "deadline": "7 个工作日内"}


def with_goals(c: Call, **goals: object) -> Call:
    c.meta["goals"] = goals
    return c


def judge(c: Call, order: WorkOrder | None = None, engine: Engine | None = None):  # noqa: ANN201
    return (engine or default_engine()).inspect(c, work_order=order)


@pytest.mark.parametrize(("lines", "goals", "rule", "expected", "reason"), [
    # facts: collected when the citizen said them (a wording of the case, or words close to the value)
    ([GREET, COMPLAINT, BYE], {"facts": FACTS}, "goal.facts.v1", "failed", "还没有问到：地址"),
    ([GREET, COMPLAINT, "坐席：请问具体在哪个位置？", "市民：幸福小区东门那儿。", BYE], {"facts": FACTS},
     "goal.facts.v1", "passed", ""),
    ([GREET, COMPLAINT, "坐席：请问具体在哪个位置？", "市民：就在城西区幸福路，幸福小区的东门。", BYE],
     {"facts": FACTS}, "goal.facts.v1", "passed", ""),  # not one of the wordings, but close to the value
    ([GREET, COMPLAINT, BYE], {}, "goal.facts.v1", "na", ""),
    # department: the agent names it, an alias, or a synonym; another body does not count
    ([GREET, COMPLAINT, "坐席：我为您登记，转交城管部门处理。", BYE], {"department": ["城西区城市管理局", "城管局"]},
     "goal.department.v1", "passed", ""),
    ([GREET, COMPLAINT, "坐席：我为您登记，转交城西区城市管理局处理。", BYE], {"department": ["城西区城市管理局"]},
     "goal.department.v1", "passed", ""),
    ([GREET, COMPLAINT, "坐席：我为您登记，转交住建局处理。", BYE], {"department": ["城西区城市管理局", "城管局"]},
     "goal.department.v1", "failed", "哪个部门承办"),
    ([GREET, COMPLAINT, BYE], {"department": ["城西区城市管理局"]}, "goal.department.v1", "failed", "哪个部门承办"),
    # a goal forces its rule: the call ended before a next step or a time limit was given
    ([GREET, COMPLAINT, BYE], {"answer": True}, "resolve.next_step.v1", "failed", "通话结束前没有达成"),
    ([GREET, COMPLAINT, BYE], {}, "resolve.next_step.v1", "na", ""),
    ([GREET, COMPLAINT, BYE], {"time_limit": True}, "resolve.time_limit.v1", "failed", "通话结束前没有达成"),
    ([GREET, COMPLAINT, "坐席：我为您登记，7个工作日内给您回复。", BYE], {"time_limit": True},
     "resolve.time_limit.v1", "passed", ""),
])
def test_goal_table(lines, goals, rule, expected, reason):
    c = with_goals(call(*lines), **goals) if goals else call(*lines)
    card = judge(c)
    assert status(card, rule) == expected
    if reason:
        assert any(reason in f.message for f in card.findings if f.rule_id == rule), [f.message for f in card.findings]


@pytest.mark.parametrize(("order", "failed"), [
    (None, {"来电人姓名", "联系电话", "地址", "诉求类型", "事项分类", "承办部门", "紧急程度", "办理时限"}),
    (WorkOrder(**{**{k: v for k, v in ORDER.items() if k not in ("department_aliases", "address")},
                  "address": Address(detail="城西区幸福路幸福小区东门")}), set()),
    (WorkOrder(request_type="投诉", category=["城乡建设", "城市建设和市政管理", "城市公共设施"], department="城管局",
               urgency="一般", caller_name="周先生", phone="139 0000 1111", address=Address(detail="幸福路幸福小区东门"),
               deadline="7个工作日"), set()),  # an alias, an honorific, a spaced phone, a near-equal address
    (WorkOrder(request_type="咨询", category=["城乡建设"], department="城西区城市管理局", urgency="紧急",
               caller_name="王", phone="13900001112", address=Address(detail="城东区建设路"), deadline="2小时内"),
     {"诉求类型", "事项分类", "紧急程度", "来电人姓名", "联系电话", "地址", "办理时限"}),
])
def test_the_order_goal_compares_field_by_field(order, failed):
    c = with_goals(call(GREET, COMPLAINT, BYE), order=ORDER)
    card = judge(c, order)
    found = [f for f in card.findings if f.rule_id == "goal.order.v1"]
    assert {next(lab for lab in failed | {"x"} if f"「{lab}」" in f.message) for f in found} == failed
    assert status(card, "goal.order.v1") == ("failed" if failed else "passed")
    if order is None:
        assert all(f.message.startswith("没有提交工单") for f in found)


def test_a_missed_critical_goal_keeps_the_call_under_the_pass_mark():
    c = with_goals(call(GREET, COMPLAINT, "坐席：好的，我记下了，您还有其他问题吗？", "市民：没有了。", BYE), answer=True)
    plain = judge(call(GREET, COMPLAINT, "坐席：好的，我记下了，您还有其他问题吗？", "市民：没有了。", BYE))
    capped = judge(c)
    assert status(capped, "resolve.next_step.v1") == "failed" and capped.total <= 79
    assert plain.total > capped.total


def test_real_calls_use_the_rulebooks_goals_only_when_the_city_says_so():
    rb = load_default()
    on = Engine(rb.model_copy(update={"settings": rb.settings.model_copy(update={"real_call_goals": True})}))
    short = call(GREET, COMPLAINT, BYE)  # a complaint, and the agent ended the call
    assert status(judge(short), "resolve.next_step.v1") == "na"
    assert status(judge(short, engine=on), "resolve.next_step.v1") == "failed"
    assert status(judge(short, engine=on), "resolve.time_limit.v1") == "failed"
    thanks = call(GREET, "市民：我就是打电话来表扬一下你们的工作人员。", BYE)  # no complaint: no goals
    assert status(judge(thanks, engine=on), "resolve.next_step.v1") == status(judge(thanks), "resolve.next_step.v1")


def test_bad_goals_are_a_clear_error():
    from hotline.errors import HotlineError

    c = with_goals(call(GREET, COMPLAINT, BYE), facts=[{"key": "name"}])
    with pytest.raises(HotlineError, match="call.meta.goals"):
        judge(c)
