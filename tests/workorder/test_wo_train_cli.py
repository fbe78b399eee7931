"""Training, evaluation and the ``hotline workorder`` commands (no sentence embeddings: fast)."""

import csv
import json
from pathlib import Path

import pytest
from wo_helpers import COMPLAINT_CALL, GAS_CALL

from hotline.cli import main
from hotline.workorder.evaluate import cross_validate, score
from hotline.workorder.schema import WorkOrderError, load_taxonomy
from hotline.workorder.train import CategoryModel, ModelConfig

FAST = ModelConfig(embeddings=False)


def history() -> tuple[list[str], list[str]]:
    """Labelled sentences: the taxonomy's own example sentences (5+ per top-level category)."""
    texts, labels = [], []
    for cat in load_taxonomy().categories:
        for ex in cat.examples:
            texts.append(ex)
            labels.append(cat.name)
    return texts, labels


@pytest.fixture
def history_csv(tmp_path: Path) -> Path:
    path = tmp_path / "history.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["内容", "事项分类"])
        w.writerows(zip(*history(), strict=True))
    return path


def test_fit_predict_save_load(tmp_path: Path) -> None:
    texts, labels = history()
    model = CategoryModel(FAST).fit(texts, labels)
    pred = model.predict_one("公司拖欠工资三个月了，老板一直不发")
    assert pred.label == "劳动和社会保障" and pred.confidence > max(c for _, c in pred.alternatives)
    meta_path = model.save(tmp_path / "m.joblib")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["format_version"] == 2 and meta["n_samples"] == len(texts) and meta["taxonomy_version"]
    again = CategoryModel.load(tmp_path / "m.joblib")
    assert again.predict_one("出租车拒载").label == model.predict_one("出租车拒载").label


def test_load_rejects_foreign_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.joblib"
    bad.write_text("not a model", encoding="utf-8")
    with pytest.raises(WorkOrderError, match="无法读取模型文件"):
        CategoryModel.load(bad)
    with pytest.raises(WorkOrderError, match="模型文件不存在"):
        CategoryModel.load(tmp_path / "none.joblib")


def test_cross_validation_and_scores() -> None:
    texts, labels = history()
    report = cross_validate(texts, labels, FAST, folds=3)
    assert report.n == len(texts) and sum(map(sum, report.confusion)) == len(texts)
    # the reported accuracy is the confusion matrix's own, and held-out folds beat always guessing the commonest class
    assert report.accuracy == pytest.approx(sum(report.confusion[i][i] for i in range(len(report.confusion))) / len(texts))
    majority = max(labels.count(c) for c in set(labels)) / len(labels)
    assert report.accuracy > 2 * majority and report.macro_f1 > 0.5
    with pytest.raises(WorkOrderError, match="每类至少 10 条"):
        cross_validate(texts, labels, FAST, folds=10)
    perfect = score("x", ["a", "b", "a"], ["a", "b", "a"])
    assert (perfect.accuracy, perfect.macro_f1, perfect.confusion) == (1.0, 1.0, [[2, 0], [0, 1]])


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def write_call(tmp_path: Path, lines: list[str], name: str = "call.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_extract_json_and_excel(tmp_path: Path, capsys) -> None:
    call = write_call(tmp_path, GAS_CALL)
    xlsx = tmp_path / "orders.xlsx"
    code, out, err = run(capsys, "workorder", "extract", str(call), "--format", "json", "-o", str(xlsx))
    assert code == 0
    data = json.loads(out)
    assert data[0]["order"]["phone"] == "13800011112" and data[0]["order"]["urgency"] == "非常紧急"
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active  # the JSON is the 工单 record; the Excel is for people: masked
    assert ws.cell(1, 3).value == "联系电话" and ws.cell(2, 3).value == "138****1112"


def test_cli_check_table_and_exit_code(tmp_path: Path, capsys) -> None:
    call = write_call(tmp_path, COMPLAINT_CALL)
    order = tmp_path / "order.json"
    order.write_text(json.dumps({"来电人姓名": "李秀英", "联系电话": "13912345678", "诉求类型": "咨询",
                                 "事项分类": "环境保护/环境污染", "承办部门": "市生态环境局", "摘要": "来电人咨询油烟问题。"},
                                ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, "workorder", "check", str(order), str(call))
    assert code == 0 and "工单核对：call（1 个问题）" in out
    code, out, _ = run(capsys, "workorder", "check", str(order), str(call), "--format", "json")
    findings = json.loads(out)[0]["findings"]
    assert [(f["rule_id"], f["message"]) for f in findings] == [("workorder.downgrade.v1", "投诉被登记为咨询（诉求类型降级）")]


def test_cli_check_bad_order_is_one_line_error(tmp_path: Path, capsys) -> None:
    call = write_call(tmp_path, COMPLAINT_CALL)
    order = tmp_path / "order.yaml"
    order.write_text("诉求类型: 抱怨\n", encoding="utf-8")
    code, out, err = run(capsys, "workorder", "check", str(order), str(call))
    assert code == 1 and "诉求类型应为" in err and "Traceback" not in err


def test_cli_classify_text(capsys) -> None:
    code, out, _ = run(capsys, "workorder", "classify", "我要投诉出租车司机拒载", "--no-semantic", "--format", "json")
    row = json.loads(out)[0]
    assert code == 0 and row["category"]["path"][0] == "交通运输" and row["request_type"]["label"] == "投诉"


def test_cli_train_then_evaluate(tmp_path: Path, history_csv: Path, capsys) -> None:
    model = tmp_path / "m.joblib"
    code, out, _ = run(capsys, "workorder", "train", str(history_csv), "-o", str(model), "--no-embeddings", "--cv", "3")
    assert code == 0 and model.is_file() and "交叉验证（3 折）" in out
    assert json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))["cv"]["folds"] == 3
    code, out, err = run(capsys, "workorder", "evaluate", str(history_csv), "--model", str(model), "--format", "json")
    report = json.loads(out)[0]
    assert code == 0 and report["n"] == len(history()[0]) and report["accuracy"] > 0.8  # seen data …
    assert "与训练数据相同" in err and report["warnings"] and "重叠" in report["name"]  # … and said so
    code, out, _ = run(capsys, "workorder", "classify", "工资拖欠", "--model", str(model), "--format", "json")
    assert json.loads(out)[0]["category"]["label"] == "劳动和社会保障"


def test_evaluate_warns_only_about_rows_seen_in_training() -> None:
    from hotline.workorder.evaluate import evaluate_model

    texts, labels = history()
    model = CategoryModel(FAST).fit(texts[::2], labels[::2])
    fresh = evaluate_model(model, texts[1::2], labels[1::2])
    assert fresh.warnings == [] and fresh.name == "已训练模型（留出数据）"
    mixed = evaluate_model(model, texts, labels)
    share = len(texts[::2]) / len(texts)
    assert f"有 {len(texts[::2])} 条（{share:.0%}）与训练数据相同" in mixed.warnings[0]
    assert mixed.warnings[1].startswith(f"只看其余 {len(texts[1::2])} 条")


def test_model_trained_on_old_labels_is_combined_through_the_mapping() -> None:
    from hotline.workorder.classify import classify_category

    old = {"市场监管": "商贸旅游", "卫生健康": "卫生计生", "公安政法": "政法", "住房保障": "城乡建设", "其他": "党务政务",
           "应急管理": "城乡建设", "自然资源": "国土资源", "农业农村": "农村农业"}
    texts, labels = history()
    model = CategoryModel(FAST).fit(texts, [old.get(lab, lab) for lab in labels])
    pred = classify_category("出生医学证明丢了怎么补办", model=model, semantic=False)
    assert pred.label == "卫生健康" and pred.path[0] == "卫生健康"  # 卫生计生 answered as 卫生健康


def test_cli_evaluate_cross_validation_table(history_csv: Path, capsys) -> None:
    code, out, _ = run(capsys, "workorder", "evaluate", str(history_csv), "--no-embeddings", "--folds", "3")
    assert code == 0 and "混淆矩阵" in out and "宏平均 F1" in out


def test_cli_check_batch_pairs_by_call_id(tmp_path: Path, capsys) -> None:
    from wo_helpers import make_call

    calls = tmp_path / "calls.jsonl"
    rows = [make_call(GAS_CALL, call_id="g1").to_dict(), make_call(COMPLAINT_CALL, call_id="c1").to_dict()]
    calls.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    orders = tmp_path / "orders.csv"
    orders.write_text("通话编号,联系电话,诉求类型\ng1,13800011113,求助\nc1,13912345678,投诉\nzz,1,咨询\n", encoding="utf-8")
    xlsx = tmp_path / "check.xlsx"
    code, out, err = run(capsys, "workorder", "check", str(orders), str(calls), "--format", "json", "-o", str(xlsx))
    got = {r["call_id"]: {f["rule_id"] for f in r["findings"]} for r in json.loads(out)}
    assert code == 0 and set(got) == {"g1", "c1"}
    assert "workorder.contradiction.v1" in got["g1"] and "workorder.contradiction.v1" not in got["c1"]
    assert "「zz」在通话文件中找不到" in err
    from openpyxl import load_workbook

    assert load_workbook(xlsx).sheetnames == ["核对问题", "工单"]


def test_cli_classify_file_to_excel(tmp_path: Path, capsys) -> None:
    src = tmp_path / "msgs.csv"
    src.write_text("标题,内容\n工资,公司拖欠工资\n出租车,出租车司机拒载\n", encoding="utf-8")
    xlsx = tmp_path / "out.xlsx"
    code, out, _ = run(capsys, "workorder", "classify", str(src), "--no-semantic", "--format", "json", "-o", str(xlsx))
    rows = json.loads(out)
    assert code == 0 and [r["category"]["label"] for r in rows] == ["劳动和社会保障", "交通运输"]
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    assert ws.max_row == 3 and ws.cell(2, 2).value.startswith("劳动和社会保障")
