"""``hotline acts train | evaluate | explain``: the speech-act model."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("acts")
def acts() -> None:
    """言语行为：训练、评估模型，解释一句话被判成了什么行为。"""


@acts.command("train")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="模型目录（默认：包内 data/acts/model）")
def train_cmd(output: Path | None) -> None:
    """用 data/acts/corpus 下的语料训练模型，写出权重与模型卡（含语料哈希）。"""
    from hotline.acts.model import model_dir, save_model
    from hotline.acts.train import train, training_inputs

    examples, digest = training_inputs()
    click.echo(f"语料 {len(examples)} 条（坐席 {sum(e.speaker == 'agent' for e in examples)}，"
               f"市民 {sum(e.speaker == 'citizen' for e in examples)}），训练中……", err=True)
    models, card = train(examples, digest)
    target = output or model_dir()
    save_model(target, models, card)
    sizes = "，".join(f"{s} 词表 {len(m.vocab)}" for s, m in models.items())
    click.echo(f"模型已写入 {target}（{sizes}，用时 {card['seconds']} 秒）")


@acts.command("evaluate")
@click.option("--folds", type=int, help="按同义族切分的折数（默认见 data/acts/features.yaml）")
@click.option("--speaker", type=click.Choice(["agent", "citizen"]), help="只评估一方")
def evaluate_cmd(folds: int | None, speaker: str | None) -> None:
    """按同义族留出交叉验证：每一折的说法在训练时一句都没见过。输出每个行为的精确率、召回率、F1。"""
    from rich.console import Console
    from rich.table import Table

    from hotline.acts.taxonomy import load_taxonomy
    from hotline.acts.train import evaluate, training_inputs

    examples, _ = training_inputs()
    if speaker:
        examples = [e for e in examples if e.speaker == speaker]
    taxonomy = load_taxonomy()
    results = evaluate(examples, taxonomy, folds=folds, speakers=[speaker] if speaker else None)
    console = Console()
    for who, scores in results.items():
        table = Table(title=f"{'坐席' if who == 'agent' else '市民'}言语行为（按同义族留出）")
        for h in ("行为", "名称", "正例", "精确率", "召回率", "F1"):
            table.add_column(h, justify="right" if h in ("正例", "精确率", "召回率", "F1") else "left")
        f1s = []
        for act, sc in scores.items():
            p, r, f = sc.prf()
            f1s.append(f)
            table.add_row(act, taxonomy.get(act).title, str(sc.tp + sc.fn), f"{p:.2f}", f"{r:.2f}", f"{f:.2f}")
        table.add_row("", "宏平均", "", "", "", f"{sum(f1s) / len(f1s):.2f}")
        console.print(table)


@acts.command("explain")
@click.argument("text")
@click.option("--speaker", type=click.Choice(["agent", "citizen"]), default="agent", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="列出所有行为的概率（默认只列达到阈值或接近的）")
def explain_cmd(text: str, speaker: str, show_all: bool) -> None:
    """把一句话切成子句，列出每个子句的言语行为、概率和起作用的字串。"""
    from hotline.acts import explain

    for clause in explain(text, speaker):
        click.echo(f"「{clause.text}」")
        shown = [a for a in clause.acts if show_all or a.probability >= 0.2]
        if not shown:
            click.echo("    （没有明显的言语行为）")
        for a in shown:
            flag = "✔" if a.fired else " "
            grams = "、".join(f"「{g}」" for g in a.evidence) or "—"
            click.echo(f"  {flag} {a.act:<26} {a.title:<12} 概率 {a.probability:.2f}（阈值 {a.threshold:.2f}）  依据：{grams}")
