"""Rich renderables for the terminal trainer: scenario lists and cards, the debrief. Nothing is printed here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hotline.simulate.schema import PersonaDefaults, Scenario

if TYPE_CHECKING:
    from hotline.simulate.debrief import Debrief
    from hotline.simulate.practice import Pick

MOOD_LABELS = {"anger": "愤怒", "anxiety": "焦虑", "patience": "耐心", "trust": "信任"}
BARS = "▁▂▃▄▅▆▇█"


def _colour(sc: Scenario, defaults: PersonaDefaults) -> str:
    return defaults.colours[sc.persona.colour or "绿"].label


def scenario_table(scenarios: Iterable[Scenario], defaults: PersonaDefaults, numbered: bool = False) -> Table:
    table = Table(title="情景模拟场景", show_lines=False)
    if numbered:
        table.add_column("序号", justify="right")
    table.add_column("编号", no_wrap=True)
    for name in ("标题", "领域", "来电类型", "市民性格", "难度"):
        table.add_column(name)
    for i, sc in enumerate(scenarios, 1):
        row = [sc.id, sc.title, sc.domain, defaults.kind_labels.get(sc.kind, sc.kind), _colour(sc, defaults),
               "★" * sc.difficulty]
        table.add_row(*([str(i)] if numbered else []), *row)
    return table


def scenario_card(sc: Scenario, defaults: PersonaDefaults, seed: int | None = None) -> Panel:
    p = sc.persona
    who = f"{p.name}，{p.gender or ''}{'，' if p.gender else ''}{p.age} 岁，{_colour(sc, defaults)}"
    lines = [f"[bold]{escape(sc.title)}[/bold]（{sc.domain} · {defaults.kind_labels.get(sc.kind, sc.kind)} · 难度 {'★' * sc.difficulty}）",
             escape(sc.summary), f"来电人：{escape(who)}"]
    if p.style:
        lines.append(f"说话特点：{escape(p.style)}{('；' + escape(p.dialect)) if p.dialect else ''}")
    lines.append(f"应对要点：{escape(defaults.colours[p.colour or '绿'].wants)}")
    if seed is not None:
        lines.append(f"[dim]随机种子 {seed}（用 --seed {seed} 可重现本次演练）[/dim]")
    return Panel("\n".join(lines), title="情景模拟", expand=False)


def scenario_detail(sc: Scenario, defaults: PersonaDefaults) -> Group:
    from hotline.simulate.model_answer import model_answer

    facts = Table(title="案情事实（市民只在被问到时才说）")
    for name in ("项目", "内容", "示范问法", "说明"):
        facts.add_column(name)
    for s in sc.slots.values():
        note = "开场即说" if s.volunteered else (f"隐藏，信任≥{s.min_trust:.2f} 才说" if s.hidden else "")
        facts.add_row(s.label, s.value, s.example, note)
    o = sc.expected_order
    order = (f"诉求类型：{o.request_type}　分类：{' › '.join(o.category) or '—'}　承办部门：{o.department or '—'}"
             f"　紧急程度：{o.urgency}" + (f"　无效原因：{o.invalid_reason}" if o.invalid_reason else ""))
    answer = "\n".join(f"{i}. {escape(x)}" for i, x in enumerate(model_answer(sc, defaults), 1))
    return Group(scenario_card(sc, defaults), facts, Text(f"标准工单：{order}"),
                 Text(f"练习的质检规则：{', '.join(sc.norms)}"), Panel(answer, title="参考示范（坐席）"))


def practice_table(picks: list[Pick], defaults: PersonaDefaults) -> Table:
    table = Table(title="针对性练习推荐")
    table.add_column("编号", no_wrap=True)
    for name in ("标题", "市民性格", "难度", "练习的薄弱规则"):
        table.add_column(name)
    for pick in picks:
        sc = pick.scenario
        table.add_row(sc.id, sc.title, _colour(sc, defaults), "★" * sc.difficulty, "\n".join(pick.rules))
    return table


def spark(values: list[float]) -> str:
    return "".join(BARS[min(len(BARS) - 1, int(v * len(BARS)))] for v in values)


def debrief_view(d: Debrief, defaults: PersonaDefaults) -> list[Any]:
    card = d.scorecard
    head = f"[bold]{escape(d.title)}[/bold]　结局：{escape(d.outcome_label)}　总分：[bold]{card.total:g}[/bold]"
    if card.vetoed:
        head += "　[red]一票否决[/red]"
    out: list[Any] = [Panel(head, title="演练讲评", expand=False), _dimensions(d)]
    if d.goals:
        out.append(_goals(d))
    out.append(_findings(d))
    if d.order_checks is not None:
        out.append(_order(d))
    elif any(g.name == "order" for g in d.goals):
        out.append(Text("没有提交工单：工单各项都按未填写计。", style="red"))
    else:
        out.append(Text("未提交工单，工单核对略过。", style="dim"))
    if d.missed:
        out.append(_missed(d))
    out += [_curve(d), _moves(d)]
    return out


def _dimensions(d: Debrief) -> Table:
    t = Table(title="各维度得分")
    t.add_column("维度")
    t.add_column("得分", justify="right")
    for name, score in d.scorecard.dimensions.items():
        top = d.scorecard.max_dimensions.get(name)
        t.add_row(name, f"{score:g}" + (f" / {top:g}" if top else ""))
    return t


def _goals(d: Debrief) -> Table:
    t = Table(title="演练目标")
    for name in ("目标", "结果", "原因"):
        t.add_column(name)
    for g in d.goals:
        t.add_row(g.label, "[green]✓ 达成[/green]" if g.ok else "[red]✗ 未达成[/red]", escape("；".join(g.reasons)))
    return t


def _findings(d: Debrief) -> Any:
    if not d.scorecard.findings:
        return Text("质检没有发现问题。", style="green")
    t = Table(title="质检发现")
    for name in ("规则", "位置", "问题", "更好的说法"):
        t.add_column(name)
    for f in d.scorecard.findings:
        where = f"第 {f.turn_index + 1} 句" if f.turn_index is not None else "整通"
        t.add_row(f.rule_id, where, escape(f.message), escape(f.suggestion))
    return t


def _order(d: Debrief) -> Table:
    t = Table(title="工单核对（与标准答案比较）")
    for name in ("项目", "标准", "你填写的", "结果"):
        t.add_column(name)
    for c in d.order_checks or []:
        t.add_row(c.label, c.expected, c.submitted or "—", "[green]✓[/green]" if c.ok else f"[red]✗[/red] {c.note}")
    return t


def _missed(d: Debrief) -> Table:
    t = Table(title="没有问到的信息")
    for name in ("信息", "实际情况", "可以这样问"):
        t.add_column(name)
    for m in d.missed:
        t.add_row(m.label, m.value, m.example)
    return t


def _curve(d: Debrief) -> Table:
    t = Table(title=f"市民情绪变化（共 {len(d.curve) - 1} 轮）")
    t.add_column("指标")
    t.add_column("走势")
    t.add_column("开始 → 结束", justify="right")
    for key, label in MOOD_LABELS.items():
        values = [p[key] for p in d.curve]
        t.add_row(label, spark(values), f"{values[0]:.2f} → {values[-1]:.2f}")
    return t


def _moves(d: Debrief) -> Any:
    if not d.moves:
        return Text("没有明显影响情绪的转折。", style="dim")
    t = Table(title="情绪转折点")
    for name in ("坐席说", "影响", "原因", "更好的说法"):
        t.add_column(name)
    for m in d.moves:
        effect = "[red]变差[/red]" if m.direction == "worse" else "[green]变好[/green]"
        t.add_row(escape(m.text), effect, "、".join(m.causes), escape("\n".join(m.better)))
    return t
