"""The debrief: 工单 against the scenario's expected order, missed facts, mood curve, turning points."""

from __future__ import annotations

import json

import pytest
from drill_helpers import play, reference

from hotline.model import WorkOrder
from hotline.simulate.debrief import check_order
from hotline.simulate.schema import ExpectedOrder

EXPECTED = ExpectedOrder(request_type="投诉", category=["劳动和社会保障", "工资福利", "工资发放"],
                         department="城东区人力资源和社会保障局", department_aliases=["城东区人社局"], urgency="紧急")
RIGHT = {"request_type": "投诉", "category": ["劳动和社会保障", "工资福利", "工资发放"],
         "department": "城东区人力资源和社会保障局", "urgency": "紧急"}


@pytest.mark.parametrize(
    ("change", "failed", "note"),
    [
        ({}, set(), ""),
        ({"department": "城东区人社局"}, set(), ""),
        ({"department": " 城东区人力资源和社会保障局。"}, set(), ""),
        ({"category": ["劳动和社会保障", "工资福利", "工资发放", "农民工"]}, set(), ""),
        ({"request_type": "咨询"}, {"request_type"}, "与标准答案不一致"),
        ({"category": ["劳动和社会保障", "劳动关系", "农民工权益"]}, {"category"}, "一级分类正确"),
        ({"category": ["城乡建设"]}, {"category"}, "与标准答案不一致"),
        ({"department": "市住房公积金管理中心"}, {"department"}, ""),
        ({"department": ""}, {"department"}, "未填写"),
        ({"urgency": "一般"}, {"urgency"}, ""),
    ],
)
def test_order_check_table(change, failed, note):
    order = WorkOrder(**{**RIGHT, **change})
    checks = check_order(order, EXPECTED)
    assert {c.field for c in checks if not c.ok} == failed
    if note:
        assert any(note in c.note for c in checks if not c.ok)


def test_invalid_call_order_checks_reason_only():
    expected = ExpectedOrder(request_type="无效", invalid_reason="无声")
    checks = check_order(WorkOrder(request_type="无效", invalid_reason="骚扰"), expected)
    assert {c.field for c in checks} == {"request_type", "urgency", "invalid_reason"}
    assert [c.field for c in checks if not c.ok] == ["invalid_reason"]


def test_debrief_lists_missed_facts_with_a_question(library, engine):
    lines = reference("wage-construction")
    asks_amount = library.get("wage-construction").slots["amount"].example
    s = play("wage-construction", [x for x in lines if x != asks_amount and "确认一下" not in x], library=library)
    s.engine = engine
    d = s.debrief()
    missed = {m.key: m for m in d.missed}
    assert set(missed) == {"amount"}
    assert missed["amount"].value == "两万三千元" and missed["amount"].example == asks_amount
    assert d.order_checks is None and d.order_ok is None


def test_curve_and_turning_points(library, engine):
    lines = ["您好，12345热线，108号为您服务，请问有什么可以帮您？", "这事不归我们管，你自己去找", "我理解您的心情，您别着急",
             "请问您贵姓？"]
    s = play("wage-restaurant", lines, library=library)
    s.end()
    s.engine = engine
    d = s.debrief()
    assert len(d.curve) == len(s.trace) + 1 == 5
    assert d.curve[0]["anger"] == library.get("wage-restaurant").mood.anger
    worse = [m for m in d.moves if m.direction == "worse"]
    better = [m for m in d.moves if m.direction == "better"]
    assert worse[0].text == "这事不归我们管，你自己去找" and "推诿" in worse[0].causes and worse[0].better
    calmed = [m for m in better if m.text.startswith("我理解")]
    assert calmed and calmed[0].causes == ["共情安抚"] and calmed[0].delta["anger"] < 0
    assert d.outcome == "agent_ended" and d.outcome_label == "坐席结束了通话"
    data = json.loads(json.dumps(d.to_dict(), ensure_ascii=False))
    assert data["scorecard"]["total"] == d.scorecard.total and len(data["moves"]) == len(d.moves)


def test_debrief_runs_the_engine_with_the_order(library, engine):
    s = play("housing-fund-withdraw", reference("housing-fund-withdraw"), library=library)
    s.engine = engine
    s.submit_order({"request_type": "咨询", "category": ["住房保障", "住房公积金", "提取"],
                    "department": "市住房公积金管理中心", "urgency": "一般", "phone": "15102876634",
                    "caller_name": "林晓", "summary": "来电人咨询租房提取公积金的条件、额度和办理渠道"})
    d = s.debrief()
    assert d.order_ok
    statuses = {o.rule_id: o.status for o in d.scorecard.outcomes}
    workorder_rules = {r: s for r, s in statuses.items() if r.startswith("workorder.")}
    assert len(workorder_rules) == 7  # the engine's 工单 rules judged the submitted order …
    assert workorder_rules["workorder.downgrade.v1"] == "passed"  # … and found nothing wrong with what it holds
    assert workorder_rules["workorder.routing.v1"] == "passed"
    assert workorder_rules["workorder.urgency.v1"] == "passed" and workorder_rules["workorder.category.v1"] == "passed"


def test_the_debrief_reads_the_record_not_the_session():
    """No import circle: the debrief (and the record it reads) never import the session module, not even for
    type checking; the session imports the debrief."""
    import ast
    from pathlib import Path

    import hotline.simulate.debrief as debrief
    import hotline.simulate.record as record
    import hotline.simulate.session as session

    def imports(module) -> set[str]:  # noqa: ANN001
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        return {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}

    assert "hotline.simulate.session" not in imports(debrief) | imports(record)
    assert "hotline.simulate.debrief" in imports(session)
