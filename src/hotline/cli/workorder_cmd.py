"""``hotline workorder``: extract, classify, check, train and evaluate — a thin layer over
``hotline.workorder``.

Citizens' details: ``--format json`` of extract and check is the 工单 record itself, handed to the dispatch
system like the store's records (which keep the full data), so it stays whole; what people read — the
terminal tables and the Excel exports — is masked unless an audited ``--unmask`` asks otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from hotline.cli.unmask import grant, unmask_options
from hotline.errors import HotlineError

FORMATS = ["table", "json"]


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _report_errors(errors: list[HotlineError]) -> None:
    for exc in errors[:50]:
        click.echo(f"跳过：{exc}", err=True)
    if len(errors) > 50:
        click.echo(f"……另有 {len(errors) - 50} 条错误", err=True)


def _load_model(path: Path | None) -> Any:
    if path is None:
        return None
    from hotline.workorder.train import CategoryModel

    return CategoryModel.load(path)


@click.group("workorder")
def workorder() -> None:
    """工单：从通话抽取要素、分类派单、核对坐席填写的工单、训练与评估分类模型。"""


@workorder.command("extract")
@click.argument("call", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="输出格式")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="导出 Excel（.xlsx）")
@click.option("--model", type=click.Path(path_type=Path), help="已训练的分类模型（默认零样本分类）")
@click.option("--semantic", is_flag=True, help="分类时使用语义向量（更准，较慢）")
@unmask_options
def extract_cmd(call: Path, fmt: str, output: Path | None, model: Path | None, semantic: bool, unmask: bool,
                operator: str | None) -> None:
    """从通话转写（可含多通）抽取工单要素，生成建议工单。

    --format json 是交给派单系统的工单记录（完整信息）；屏幕表格与 Excel 中电话、身份证号、门牌号打码（--unmask 输出原文，记入审计日志）。"""
    from hotline.formats import read_calls
    from hotline.masking import mask_order
    from hotline.workorder.order import extract

    allowed = grant(unmask, operator, "hotline workorder extract", fmt, [call], output)
    errors: list[HotlineError] = []
    clf = _load_model(model)
    results = [(c.id, extract(c, model=clf, semantic=semantic)) for c in read_calls(call, errors.append)]
    if fmt == "json":
        _echo_json([{"call_id": cid, **ext.to_dict()} for cid, ext in results])
    else:
        from hotline.workorder.view import print_extraction

        for cid, ext in results:
            print_extraction(cid, ext if allowed else _masked_extraction(ext))
    if output:
        _export_orders(output, [(cid, ext.order if allowed else mask_order(ext.order)) for cid, ext in results])
    if allowed:
        allowed.record(len(results))
    _report_errors(errors)
    if not results:
        raise click.exceptions.Exit(1)


def _masked_extraction(ext: Any) -> Any:
    from dataclasses import replace

    from hotline.masking import mask_order, mask_text

    return replace(ext, order=mask_order(ext.order),
                   urgency_hits=[replace(h, said=mask_text(h.said)) for h in ext.urgency_hits])


def _export_orders(path: Path, pairs: list[tuple[str, Any]]) -> None:
    from hotline.workorder.orders_io import ORDER_COLUMNS, order_row, write_xlsx

    write_xlsx(path, {"工单": (ORDER_COLUMNS, [order_row(cid, o) for cid, o in pairs])})
    click.echo(f"已导出 {len(pairs)} 张工单：{path}", err=True)


@workorder.command("classify")
@click.argument("source")
@click.option("--model", type=click.Path(path_type=Path), help="已训练的分类模型（默认零样本分类）")
@click.option("--semantic/--no-semantic", default=True, show_default=True, help="零样本分类是否使用语义向量")
@click.option("--text-col", help="文件中的文本列（多个用逗号分隔）")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="输出格式")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="导出 Excel（.xlsx）")
@unmask_options
def classify_cmd(source: str, model: Path | None, semantic: bool, text_col: str | None, fmt: str,
                 output: Path | None, unmask: bool, operator: str | None) -> None:
    """对一段文字，或文件（CSV/XLSX/每行一条的 TXT）中的每条诉求判断诉求类型与事项分类。"""
    from hotline.masking import mask_text
    from hotline.workorder.classify import classify_category
    from hotline.workorder.request_type import classify_text

    named = source if Path(source).is_file() else "（命令行给出的文字）"  # never the words themselves in the audit log
    allowed = grant(unmask, operator, "hotline workorder classify", fmt, [named], output)
    texts = _texts_of(source, text_col)
    clf = _load_model(model)
    if clf is not None:
        cats = clf.predict(texts)
    else:
        if semantic and len(texts) > 1:
            from hotline.inspect.semantic import embed
            from hotline.workorder.classify import EMBED_CHARS

            embed([t[:EMBED_CHARS] for t in texts])  # one batch instead of one call per text
        cats = [classify_category(t, semantic=semantic) for t in texts]
    rows: list[dict[str, Any]] = [
        {"text": t if allowed else mask_text(t), "category": c.to_dict(), "request_type": classify_text(t).to_dict()}
        for t, c in zip(texts, cats, strict=True)
    ]
    if fmt == "json":
        _echo_json(rows)
    else:
        from hotline.workorder.view import print_classifications

        print_classifications(rows)
    if output:
        from hotline.workorder.orders_io import write_xlsx

        header = ["文本", "事项分类", "置信度", "备选", "诉求类型", "类型置信度"]
        table = [[r["text"], "›".join(r["category"]["path"]), r["category"]["confidence"],
                  "；".join(a["label"] for a in r["category"]["alternatives"]), r["request_type"]["label"],
                  r["request_type"]["confidence"]] for r in rows]
        write_xlsx(output, {"分类结果": (header, table)})
    if allowed:
        allowed.record(len(rows))


def _texts_of(source: str, text_col: str | None) -> list[str]:
    path = Path(source)
    if not path.is_file():
        return [source]
    if path.suffix.lower() in (".csv", ".xlsx", ".xlsm"):
        from hotline.workorder.dataset import TEXT_COLUMNS, _pick, read_table

        header, rows = read_table(path)
        cols = _pick(header, text_col, TEXT_COLUMNS, "文本", path)
        idx = [header.index(c) for c in cols]
        return ["。".join(r[i] for i in idx if i < len(r) and r[i].strip()) for _, r in rows]
    from hotline.formats.decode import decode_bytes

    return [line.strip() for line in decode_bytes(path.read_bytes(), str(path)).splitlines() if line.strip()]


@workorder.command("check")
@click.argument("order", type=click.Path(path_type=Path))
@click.argument("call", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="输出格式")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="导出 Excel（.xlsx）")
@unmask_options
def check_cmd(order: Path, call: Path, fmt: str, output: Path | None, unmask: bool, operator: str | None) -> None:
    """核对工单（JSON/YAML/JSONL/CSV/XLSX）与通话：缺项、矛盾、降级、摘要、派单。多张工单按“通话编号”对应。"""
    from hotline.formats import read_calls
    from hotline.masking import mask_findings, mask_order
    from hotline.workorder.checks import check_order
    from hotline.workorder.orders_io import read_orders

    allowed = grant(unmask, operator, "hotline workorder check", fmt, [order, call], output)
    errors: list[HotlineError] = []
    orders = list(read_orders(order, errors.append))
    calls = list(read_calls(call, errors.append))
    pairs = _pair(orders, calls, errors)
    results = [(c, o, check_order(o, c)) for o, c in pairs]
    if fmt == "json":
        _echo_json([{"call_id": c.id, "order": o.to_dict(), "findings": [f.to_dict() for f in fs]}
                    for c, o, fs in results])
    shown = results if allowed else [(c, mask_order(o), mask_findings(c, fs)) for c, o, fs in results]
    if fmt != "json":
        from hotline.workorder.view import print_check

        for c, o, fs in shown:
            print_check(c, o, fs)
    if output:
        _export_checks(output, shown)
    if allowed:
        allowed.record(len(results))
    _report_errors(errors)
    if not results:
        raise click.exceptions.Exit(1)


def _pair(orders: list[Any], calls: list[Any], errors: list[HotlineError]) -> list[tuple[Any, Any]]:
    from hotline.workorder.schema import WorkOrderError

    if len(orders) == 1 and len(calls) == 1:
        return [(orders[0], calls[0])]
    by_id = {c.id: c for c in calls}
    pairs = []
    for n, o in enumerate(orders, start=1):
        cid = str(o.meta.get("call_id", ""))
        if cid in by_id:
            pairs.append((o, by_id[cid]))
        else:
            errors.append(WorkOrderError(f"第 {n} 张工单的通话编号「{cid}」在通话文件中找不到"))
    return pairs


def _export_checks(path: Path, results: list[tuple[Any, Any, list[Any]]]) -> None:
    from hotline.labels import severity_label
    from hotline.workorder.orders_io import ORDER_COLUMNS, order_row, write_xlsx

    header = ["通话编号", "规则", "严重程度", "扣分", "轮次", "证据", "问题"]
    rows = [[c.id, f.rule_id, severity_label(f.severity), f.points, "" if f.turn_index is None else f.turn_index + 1,
             f.evidence, f.message] for c, _, fs in results for f in fs]
    orders = [order_row(c.id, o) for c, o, _ in results]
    write_xlsx(path, {"核对问题": (header, rows), "工单": (ORDER_COLUMNS, orders)})
    click.echo(f"已导出核对结果：{path}", err=True)


@workorder.command("train")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("workorder-model.joblib"),
              show_default=True, help="模型文件（旁边另存同名 .json 元数据）")
@click.option("--text-col", help="文本列（多个用逗号分隔，默认自动识别）")
@click.option("--label-col", help="分类列（默认自动识别）")
@click.option("--no-embeddings", is_flag=True, help="不使用语义向量特征（更快）")
@click.option("--cv", type=int, default=0, help="训练前先做分层 K 折交叉验证并记入元数据（0 表示不做）")
def train_cmd(file: Path, out: Path, text_col: str | None, label_col: str | None, no_embeddings: bool, cv: int) -> None:
    """用中心自己的历史工单（CSV/XLSX，含文本列与分类列）训练事项分类模型。"""
    from hotline.workorder.dataset import read_labelled
    from hotline.workorder.evaluate import cross_validate
    from hotline.workorder.train import CategoryModel, ModelConfig

    data = read_labelled(file, text_col, label_col)
    for p in data.problems:
        click.echo(f"跳过：{file} {p}", err=True)
    config = ModelConfig(embeddings=not no_embeddings)
    model = CategoryModel(config)
    if cv:
        report = cross_validate(data.texts, data.labels, config, cv)
        model.meta["cv"] = {"folds": cv, "accuracy": round(report.accuracy, 4), "macro_f1": round(report.macro_f1, 4)}
        click.echo(f"交叉验证（{cv} 折）：准确率 {report.accuracy:.3f}，宏平均 F1 {report.macro_f1:.3f}")
    model.meta["source"] = str(file)
    model.fit(data.texts, data.labels)
    info = model.save(out)
    click.echo(f"已训练：{len(data.texts)} 条，{len(model.labels)} 个分类 → {out}（元数据 {info}）")


@workorder.command("evaluate")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--model", type=click.Path(path_type=Path), help="评估该模型（不指定则做交叉验证：零样本与训练模型）")
@click.option("--folds", type=int, default=5, show_default=True, help="交叉验证折数")
@click.option("--text-col", help="文本列（多个用逗号分隔）")
@click.option("--label-col", help="分类列")
@click.option("--no-embeddings", is_flag=True, help="不使用语义向量（更快）")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="输出格式")
def evaluate_cmd(file: Path, model: Path | None, folds: int, text_col: str | None, label_col: str | None,
                 no_embeddings: bool, fmt: str) -> None:
    """在带分类标注的数据上给出准确率、宏平均 F1 与混淆矩阵。"""
    from hotline.workorder.dataset import read_labelled
    from hotline.workorder.evaluate import cross_validate, evaluate_model, zero_shot
    from hotline.workorder.train import ModelConfig

    data = read_labelled(file, text_col, label_col)
    for p in data.problems:
        click.echo(f"跳过：{file} {p}", err=True)
    if model is not None:
        reports = [evaluate_model(_load_model(model), data.texts, data.labels)]
    else:
        semantic = not no_embeddings
        reports = [zero_shot(data.texts, data.labels, semantic=semantic),
                   cross_validate(data.texts, data.labels, ModelConfig(embeddings=semantic), folds)]
    if fmt == "json":
        for r in reports:
            for warning in r.warnings:
                click.echo(f"注意：{warning}", err=True)
        _echo_json([r.to_dict() for r in reports])
        return
    from hotline.workorder.view import print_report

    for r in reports:
        print_report(r)
