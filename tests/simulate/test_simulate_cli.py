"""``hotline drill`` and ``hotline scenarios`` through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from drill_helpers import reference

from hotline.cli import cli, main


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_scenarios_list_filter_show_weak():
    out = run("scenarios").output
    assert "wage-construction" in out and "silent-call" in out and "情景模拟场景" in out
    yellow = run("scenarios", "--colour", "黄").output
    assert "wage-construction" in yellow and "wage-restaurant" not in yellow
    show = run("scenarios", "--show", "wage-construction").output
    assert "两万三千元" in show and "参考示范" in show and "城东区人力资源和社会保障局" in show
    weak = run("scenarios", "--weak", "special.silent_protocol.v1").output
    assert "silent-call" in weak and "针对性练习推荐" in weak


def test_scenarios_check_passes():
    result = run("scenarios", "--check")
    assert result.exit_code == 0 and "校验通过" in result.output


def test_drill_script_prints_the_debrief(tmp_path: Path):
    script = tmp_path / "trainee.txt"
    script.write_text("# 参考示范\n" + "\n".join(reference("housing-fund-withdraw")) + "\n", encoding="utf-8")
    order = tmp_path / "order.yaml"
    order.write_text("request_type: 咨询\ncategory: 住房保障 › 住房公积金 › 提取\n"
                     "department: 市住房公积金管理中心\nurgency: 一般\n", encoding="utf-8")
    debrief = tmp_path / "debrief.json"
    result = run("drill", "housing-fund-withdraw", "--script", str(script), "--seed", "3", "--order", str(order),
                 "-o", str(debrief))
    assert result.exit_code == 0
    out = result.output
    assert "市民：" in out and "演练讲评" in out and "工单核对" in out and "市民满意地结束了通话" in out
    assert "没有问到的信息" not in out and "演练目标" in out
    assert json.loads(debrief.read_text(encoding="utf-8"))["scenario_id"] == "housing-fund-withdraw"


def test_a_bad_order_file_names_the_field(tmp_path: Path, capsys):
    script = tmp_path / "t.txt"
    script.write_text("您好，12345热线，108号为您服务，请问有什么可以帮您？\n", encoding="utf-8")
    order = tmp_path / "order.yaml"
    order.write_text("request_type: 投诉\nurgency: 赵丽华\n", encoding="utf-8")
    assert main(["drill", "wage-construction", "--script", str(script), "--order", str(order)]) == 2
    err = capsys.readouterr().err
    assert "紧急程度只能选" in err and "赵丽华" in err and "order.yaml" in err


def test_drill_script_json_is_reproducible(tmp_path: Path):
    script = tmp_path / "rude.txt"
    script.write_text("喂，说吧\n（沉默）\n你快点讲\n这事不归我们管\n你问我我问谁\n你爱找谁找谁\n", encoding="utf-8")
    first = run("drill", "wage-construction", "--script", str(script), "--seed", "11", "--json")
    second = run("drill", "wage-construction", "--script", str(script), "--seed", "11", "--json")
    assert first.output == second.output
    data = json.loads(first.output)
    assert data["outcome"] == "hangup" and data["seed"] == 11 and data["missed"]


def test_drill_interactive_with_hints_order_and_save(tmp_path: Path):
    lines = ["喂", "/状态", "", "您好，12345热线，108号为您服务，请问有什么可以帮您？", "你快点说", "/帮助", "/结束"]
    order = ["投诉", "王建国", "13912345678", "城东区建设路工地", "2025年9月至11月",
             "劳动和社会保障/工资支付/欠薪", "城东区人力资源和社会保障局", "赵丽华", "紧急", "24 小时内", "欠薪"]
    saved = tmp_path / "session.json"
    result = run("drill", "wage-construction", "--hints", "--seed", "2", "--save", str(saved),
                 input="\n".join(lines + order) + "\n")
    out = result.output
    assert result.exit_code == 0
    assert "愤怒" in out and "提示" in out and "演练讲评" in out and "工单核对" in out and "喂？" in out
    rushed = out.index("你快点说") if "坐席：你快点说" in out else out.index("催促")
    assert out.index("提示", rushed) < out.index("市民：", rushed)  # the hint comes before the citizen's answer
    assert "紧急程度只能选" in out  # 赵丽华 is refused, the next answer taken
    state = json.loads(saved.read_text(encoding="utf-8"))
    assert state["scenario"] == "wage-construction" and state["order"]["department"] == "城东区人力资源和社会保障局"
    assert state["order"]["urgency"] == "紧急" and state["order"]["deadline"] == "24 小时内"
    assert state["order"]["category"] == ["劳动和社会保障", "工资支付", "拖欠工资"]  # a synonym, as the taxonomy names it


def test_drill_picks_a_scenario_by_number():
    result = run("drill", input="1\n/结束\n\n")
    assert result.exit_code == 0 and "情景模拟" in result.output and "演练讲评" in result.output


def test_bad_input_is_a_one_line_error(tmp_path: Path, capsys):
    assert main(["drill", "no-such-scenario", "--script", str(tmp_path / "x.txt")]) == 2
    assert "E501" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("# 只有注释\n", encoding="utf-8")
    assert main(["drill", "wage-construction", "--script", str(empty)]) == 2
    err = capsys.readouterr().err
    assert "E503" in err and "empty.txt" in err and "Traceback" not in err
    assert main(["drill", "wage-construction", "--script", str(tmp_path / "missing.txt")]) == 2
    assert "脚本文件不存在" in capsys.readouterr().err
    assert main(["scenarios", "--weak", "no.such.rule.v1"]) == 2


def test_scenarios_from_a_qa_result(tmp_path: Path):
    record = {"call_id": "c1", "total": 60, "findings": [{"rule_id": "special.silent_protocol.v1"}],
              "outcomes": [{"rule_id": "special.silent_protocol.v1", "status": "failed"}]}
    path = tmp_path / "qa.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    out = run("scenarios", "--from", str(path)).output
    assert "special.silent_protocol.v1" in out and "silent-call" in out
