"""``hotline rulebook validate|show``."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("rulebook")
def rulebook() -> None:
    """规则库：校验城市规则文件，查看规则。"""


@rulebook.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
def validate_cmd(path: Path) -> None:
    """校验规则库文件（城市覆盖文件或完整规则库）。"""
    from hotline.inspect import Engine
    from hotline.norms import load_rulebook

    rb = load_rulebook(path)
    Engine(rb)  # compiling proves every regex and phrase is usable
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
    from rich.table import Table

    from hotline.inspect import load_engine

    engine = load_engine(path)
    console = Console()
    if rule_id:
        rule = engine.rule(rule_id)
        console.print(yaml.safe_dump(rule.model_dump(exclude_none=True, by_alias=True, mode="json"),
                                     allow_unicode=True, sort_keys=False))
        return
    rb = engine.rulebook
    table = Table(title=f"{rb.name}（版本 {rb.version}）")
    for h in ("规则ID", "规则", "维度", "严重程度", "分值", "一票否决", "启用"):
        table.add_column(h)
    for r in rb.rules:
        table.add_row(r.id, r.title, r.dimension, r.severity.value, f"{r.points:g}",
                      "是" if r.veto else "", "是" if r.enabled else "否")
    console.print(table)
