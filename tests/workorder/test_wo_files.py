"""Bad input files: clear errors naming the file and the record; good records still processed."""

import json
from pathlib import Path

import pytest

from hotline.workorder.dataset import read_labelled
from hotline.workorder.orders_io import read_order, read_orders
from hotline.workorder.schema import (
    WorkOrderError,
    load_routing,
    load_taxonomy,
    load_urgency,
)


@pytest.mark.parametrize(
    ("loader", "text", "fragment"),
    [
        (load_taxonomy, "version: '1'\ncategories: []\n", "categories"),
        (load_taxonomy, "version: '1'\ncategories:\n  - name: 城乡建设\n    keyword: [小区]\n", "categories[0].keyword：不认识的字段"),
        (load_urgency, "version: '1'\nlevels: [一般]\ncues:\n  - {id: x, label: x, level: 紧急, any: [火]}\n", "不在 levels 中"),
        (load_urgency, "version: '1'\nlevels: [一般]\ncues:\n  - {id: x, label: x, level: 一般}\n", "any 与 all"),
        (load_routing, "version: '1'\ndefault_department: x\nroutes: []\ntime_limits:\n  - {hours: 2, working_days: 1}\n",
         "hours 与 working_days"),
        (load_routing, "version: '1'\nroutes: [\n", "YAML 语法错误"),
    ],
)
def test_bad_data_files_name_file_and_path(tmp_path: Path, loader, text: str, fragment: str) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkOrderError) as err:
        loader(path)
    assert str(path) in str(err.value) and fragment in str(err.value)
    assert str(err.value).startswith("[E400]")


def test_order_with_chinese_keys(tmp_path: Path) -> None:
    path = tmp_path / "order.yaml"
    path.write_text("来电人姓名: 王建国\n联系电话: 13800011112\n地址: 合肥市蜀山区梅山路18号\n诉求类型: 求助\n"
                    "事项分类: 城乡建设/燃气\n事发时间: 2026-11-19\n办理时限: 2026-11-20 11:15:00\n", encoding="utf-8")
    order = read_order(path)
    assert order.phone == "13800011112" and order.address.district == "蜀山区"
    assert order.category == ["城乡建设", "燃气"]
    assert (order.event_time, order.deadline) == ("2026-11-19", "2026-11-20 11:15")  # unquoted YAML dates


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("诉求类型: 抱怨\n", "诉求类型应为"),
        ("紧急程度: 特急\n", "紧急程度应为"),
        ("电话号码: 138\n", "电话号码：不认识的字段"),
        ("- 1\n- 2\n", "工单应为键值对象"),
    ],
)
def test_bad_order_file(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "order.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(WorkOrderError) as err:
        list(read_orders(path))
    assert str(path) in str(err.value) and fragment in str(err.value)


def test_batch_keeps_good_orders_and_reports_bad(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    lines = [json.dumps({"call_id": "a", "诉求类型": "投诉"}, ensure_ascii=False), "{not json",
             json.dumps({"call_id": "b", "诉求类型": "抱怨"}, ensure_ascii=False), json.dumps({"call_id": "c"})]
    path.write_text("\n".join(lines), encoding="utf-8")
    errors: list[WorkOrderError] = []
    orders = list(read_orders(path, errors.append))
    assert [o.meta["call_id"] for o in orders] == ["a", "c"]
    assert [e.location for e in errors] == ["第 2 行", "第 3 行"]
    assert "JSON 语法错误" in str(errors[0])


def test_orders_from_gbk_csv(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes("通话编号,来电人姓名,诉求类型\nc1,李秀英,投诉\nc2,张三,乱写\n".encode("gbk"))
    errors: list[WorkOrderError] = []
    orders = list(read_orders(path, errors.append))
    assert [o.caller_name for o in orders] == ["李秀英"]
    assert errors[0].location == "第 3 行"


def test_training_file_problems(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("内容,事项分类\n小区停水,城乡建设\n,城乡建设\n拖欠工资,\n", encoding="utf-8")
    data = read_labelled(path)
    assert data.texts == ["小区停水"] and data.rows == [2]
    assert data.problems == ["第 3 行：文本为空，已跳过", "第 4 行：分类为空，已跳过"]
    (tmp_path / "nolabel.csv").write_text("内容\n小区停水\n", encoding="utf-8")
    with pytest.raises(WorkOrderError, match="找不到分类列"):
        read_labelled(tmp_path / "nolabel.csv")
    with pytest.raises(WorkOrderError, match="找不到文本列：正文"):
        read_labelled(path, text_col="正文")
    with pytest.raises(WorkOrderError, match="文件不存在"):
        read_labelled(tmp_path / "missing.csv")
