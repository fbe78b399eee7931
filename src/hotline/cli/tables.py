"""Terminal tables (rich) shared by the commands."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from hotline.model import Call, Scorecard

MAX_ROWS = 200


def print_summary(pairs: Iterable[tuple[Call, Scorecard]], dims: list[str], pass_mark: float) -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="质检结果", show_lines=False)
    for header in ["通话", "总分", *dims, "问题"]:
        table.add_column(header, overflow="fold")
    totals: list[float] = []
    rules: Counter[str] = Counter()
    for call, card in pairs:
        totals.append(card.total)
        rules.update(f.rule_id for f in card.findings)
        if len(totals) <= MAX_ROWS:
            style = "red" if card.vetoed or card.total < pass_mark else "green"
            cells = [str(card.dimensions.get(d, "—")) for d in dims]
            table.add_row(call.id, f"[{style}]{card.total}[/]", *cells, str(len(card.findings)))
    console.print(table)
    if len(totals) > MAX_ROWS:
        console.print(f"（只列出前 {MAX_ROWS} 通）")
    if totals:
        passed = sum(1 for t in totals if t >= pass_mark)
        console.print(f"共 {len(totals)} 通，平均 {sum(totals) / len(totals):.1f} 分，"
                      f"合格 {passed} 通（{100 * passed / len(totals):.1f}%）")
        if rules:
            top = "、".join(f"{r}×{n}" for r, n in rules.most_common(5))
            console.print(f"高频问题：{top}")
    return len(totals)
