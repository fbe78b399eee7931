"""Terminal tables (rich) shared by the commands. They fold long cells instead of cutting them, so a
call id or a piece of evidence is never lost in a narrow terminal or when the output is piped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from hotline.formats.roles import role_warning
from hotline.formats.writers import ReportInfo, course, escalation_kinds, verdict
from hotline.labels import REVIEW_LABELS, SEVERITY_LABELS
from hotline.model import Call, Scorecard

if TYPE_CHECKING:
    from rich.console import Console

MAX_CALLS = 200  # calls listed with their findings; the summary line counts them all
PIPED_WIDTH = 120


def print_summary(pairs: Iterable[tuple[Call, Scorecard]], info: ReportInfo, fh: IO[str] | None = None) -> int:
    """Each call (total, verdict, dimensions) with its findings (rule, turn, evidence, points), then
    totals; to ``fh`` when given (a file: plain text, no colours), else to the terminal."""
    from rich.console import Console

    console = Console(file=fh, width=PIPED_WIDTH if fh is not None else None, no_color=fh is not None)
    if fh is None and not console.is_terminal:
        console = Console(width=PIPED_WIDTH)
    totals: list[float] = []
    rules: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    n = passed = 0
    for call, card in pairs:
        n += 1
        if card.total is not None:
            totals.append(card.total)
            passed += verdict(card, info.pass_mark) == "合格"
        rules.update(f.rule_id for f in card.findings)
        if card.review is not None:
            levels[card.review.level] += 1
        if n <= MAX_CALLS:
            _print_call(console, call, card, info)
    if n > MAX_CALLS:
        console.print(f"（只列出前 {MAX_CALLS} 通的明细，其余请用 --format xlsx 或 csv 导出）")
    if totals:
        console.print(f"共 {n} 通，平均 {sum(totals) / len(totals):.1f} 分，"
                      f"合格 {passed} 通（{100 * passed / len(totals):.1f}%）"
                      + (f"，{n - len(totals)} 通只评了时间指标" if n > len(totals) else ""))
    elif n:
        console.print(f"共 {n} 通，均未提供转写，只评了时间与音量指标")
    if rules:
        top = "、".join(f"{info.titles.get(r, r)}×{k}" for r, k in rules.most_common(5))
        console.print(f"高频问题：{top}")
    if levels:
        console.print("复核分流：" + "、".join(f"{label} {levels[level]} 通" for level, label in REVIEW_LABELS.items()))
    return n


def citizen_line(card: Scorecard) -> str:
    """复核分流 with its reasons, and the citizen's emotion, dissatisfaction and escalation risk, in one line."""
    parts = []
    if card.review is not None:
        why = f"（{'；'.join(card.review.reasons)}）" if card.review.reasons else ""
        parts.append(f"复核：{REVIEW_LABELS[card.review.level]}{why}")
    c = card.citizen
    if c is not None and c.peak_turn is not None:
        way = f"，{course(c)}" if course(c) else ""
        parts.append(f"市民情绪 {c.start:.2f}→{c.peak:.2f}（第 {c.peak_turn + 1} 句）→{c.end:.2f}{way}")
        if c.dissatisfaction is not None:
            parts.append(f"预测不满意 {c.dissatisfaction:.2f}")
        if c.escalation:
            parts.append(f"升级风险 {escalation_kinds(c)} {c.escalation_risk:.2f}")
    return " · ".join(parts)


def _print_call(console: Console, call: Call, card: Scorecard, info: ReportInfo) -> None:
    from rich.markup import escape
    from rich.table import Table

    word = verdict(card, info.pass_mark)
    colour = "green" if word == "合格" else "yellow" if card.total is None else "red"
    total = "—" if card.total is None else f"{card.total:g}"
    dims = "  ".join(f"{d} {v:g}/{card.max_dimensions.get(d, 0):g}" for d, v in card.dimensions.items())
    console.print(f"[bold]{escape(call.id)}[/]  总分 [{colour}]{total}[/]  {word}  问题 {len(card.findings)} 个",
                  overflow="fold")
    for line in (card.notice, role_warning(call), dims):
        if line:
            console.print(f"  {escape(line)}", style="dim" if line == dims else "yellow", overflow="fold")
    if line := citizen_line(card):
        console.print(f"  {escape(line)}", overflow="fold")
    if not card.findings:
        return
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), pad_edge=False)
    table.add_column("话轮", no_wrap=True, justify="right")
    table.add_column("规则", overflow="fold", ratio=2)
    table.add_column("程度", no_wrap=True)
    table.add_column("扣分", no_wrap=True, justify="right")
    table.add_column("证据", overflow="fold", ratio=3)
    for f, taken in zip(card.findings, card.deductions(), strict=True):
        turn = "整通" if f.turn_index is None else str(f.turn_index + 1)
        veto = "（否决）" if f.veto else ""
        table.add_row(turn, escape(info.titles.get(f.rule_id, f.rule_id)), SEVERITY_LABELS[f.severity.value] + veto,
                      f"{taken:g}", escape(f.evidence or f.message))
    console.print(table)
    console.print()
