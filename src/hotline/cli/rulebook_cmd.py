"""``hotline rulebook validate|show``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from hotline.labels import ANCHOR_LABELS, KIND_LABELS, severity_label


@click.group("rulebook")
def rulebook() -> None:
    """规则库：校验城市规则文件，查看规则。"""


@rulebook.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
def validate_cmd(path: Path) -> None:
    """校验规则库文件（城市覆盖文件或完整规则库）。"""
    from hotline.inspect import Engine
    from hotline.norms import load_rulebook

    rb = load_rulebook(path, cache=False)  # validated now, never read back from the start-up cache
    Engine(rb, cache=False)  # compiling proves every regex and phrase is usable
    enabled = sum(1 for r in rb.rules if r.enabled)
    click.echo(f"规则库有效：{rb.name}（版本 {rb.version}），规则 {len(rb.rules)} 条（启用 {enabled} 条），"
               f"检测器 {len(rb.detectors)} 个，词表 {len(rb.lexicons)} 个。")


@rulebook.command("show")
@click.option("--rulebook", "path", type=click.Path(path_type=Path), help="城市规则库文件")
@click.option("--rule", "rule_id", help="只显示这条规则的详情")
def show_cmd(path: Path | None, rule_id: str | None) -> None:
    """列出规则，或显示一条规则的详情。"""
    import yaml
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from hotline.inspect import load_engine

    engine = load_engine(path)
    console = Console() if Console().is_terminal else Console(width=160)  # piped: wide, nothing cut
    if rule_id:
        rule = engine.rule(rule_id)
        for label, value in _rule_facts(rule):
            console.print(f"[bold]{label}[/]：{escape(value)}")
        console.print("[bold]规则定义[/]（规则库 YAML，城市覆盖文件按同样的键书写）：")
        console.print(escape(yaml.safe_dump(rule.model_dump(exclude_none=True, by_alias=True, mode="json"),
                                            allow_unicode=True, sort_keys=False)))
        return
    rb = engine.rulebook
    table = Table(title=f"{rb.name}（版本 {rb.version}）")
    for h in ("规则ID", "规则", "维度", "类型", "严重程度", "分值", "一票否决", "启用"):
        table.add_column(h, overflow="fold")
    for r in rb.rules:
        table.add_row(r.id, r.title, r.dimension, KIND_LABELS[r.kind], severity_label(r.severity), f"{r.points:g}",
                      "是" if r.veto else "否", "是" if r.enabled else "否")
    console.print(table)


def _rule_facts(rule: Any) -> list[tuple[str, str]]:
    cap = "" if rule.max_deduction is None else f"（最多扣 {rule.max_deduction:g} 分）"
    return [
        ("规则ID", rule.id), ("规则", rule.title), ("维度", rule.dimension), ("类型", KIND_LABELS[rule.kind]),
        ("严重程度", severity_label(rule.severity)), ("分值", f"{rule.points:g}{cap}"),
        ("一票否决", "是" if rule.veto else "否"), ("启用", "是" if rule.enabled else "否"),
        ("定位", ANCHOR_LABELS[rule.anchor]), ("说明", rule.message), ("建议话术", rule.suggestion or "—"),
    ]
