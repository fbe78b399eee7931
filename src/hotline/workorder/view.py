"""Terminal tables (rich) for the `hotline workorder` command."""

from __future__ import annotations

from typing import Any

from hotline.model import Call, Finding, WorkOrder


def _console() -> Any:
    from rich.console import Console

    return Console()


def order_table(title: str, o: WorkOrder) -> Any:
    from rich.table import Table

    table = Table(title=title, show_header=False)
    table.add_column("字段", style="bold")
    table.add_column("内容", overflow="fold")
    rows = [("来电人", o.caller_name), ("联系电话", o.phone), ("身份证号", o.id_number), ("地址", o.address.full()),
            ("事发时间", o.event_time), ("诉求类型", o.request_type + (f"（{o.invalid_reason}）" if o.invalid_reason else "")),
            ("事项分类", "›".join(o.category)), ("紧急程度", o.urgency), ("承办部门", o.department),
            ("办理时限", f"{o.deadline}（{o.meta['time_limit']}）" if o.meta.get("time_limit") else o.deadline),
            ("摘要", o.summary)]
    for k, v in rows:
        table.add_row(k, v or "—")
    return table


def print_extraction(call_id: str, ext: Any) -> None:
    console = _console()
    console.print(order_table(f"建议工单：{call_id}", ext.order))
    if ext.category is not None:
        alts = "、".join(f"{a}（{c:.2f}）" for a, c in ext.category.alternatives)
        console.print(f"分类置信度 {ext.category.confidence:.2f}；备选：{alts or '无'}")
    if ext.urgency_hits:
        console.print("紧急提示：" + "、".join(f"{h.label}「{h.said}」" for h in ext.urgency_hits))


def print_classifications(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title="分类结果")
    for h in ("文本", "事项分类", "置信度", "备选", "诉求类型"):
        table.add_column(h, overflow="fold")
    for r in rows:
        cat, rt = r["category"], r["request_type"]
        alts = "、".join(f"{a['label']}（{a['confidence']:.2f}）" for a in cat["alternatives"])
        text = r["text"] if len(r["text"]) <= 60 else r["text"][:59] + "…"
        table.add_row(text, "›".join(cat["path"]), f"{cat['confidence']:.2f}", alts,
                      f"{rt['label']}（{rt['confidence']:.2f}）")
    _console().print(table)


def print_check(call: Call, order: WorkOrder, findings: list[Finding]) -> None:
    from rich.table import Table

    console = _console()
    if not findings:
        console.print(f"[green]通话 {call.id}：工单核对通过[/]")
        return
    table = Table(title=f"工单核对：{call.id}（{len(findings)} 个问题）")
    for h in ("规则", "问题", "证据", "轮次", "扣分"):
        table.add_column(h, overflow="fold")
    for f in findings:
        turn = "—" if f.turn_index is None else str(f.turn_index + 1)
        table.add_row(f.rule_id, f.message, f.evidence, turn, f"{f.points:g}")
    console.print(table)


def print_report(report: Any) -> None:
    from rich.table import Table

    console = _console()
    console.print(f"[bold]{report.name}[/]：{report.n} 条，准确率 {report.accuracy:.3f}，宏平均 F1 {report.macro_f1:.3f}"
                  f"（{report.seconds:.1f} 秒）")
    for warning in report.warnings:
        console.print(f"[bold red]注意：[/]{warning}")
    table = Table(title="混淆矩阵（行：真实，列：预测）")
    table.add_column("真实＼预测")
    for lab in report.labels:
        table.add_column(lab[:2], no_wrap=True)
    table.add_column("F1")
    for lab, row in zip(report.labels, report.confusion, strict=True):
        table.add_row(lab, *[str(v) for v in row], f"{report.per_class_f1.get(lab, 0):.2f}")
    console.print(table)
