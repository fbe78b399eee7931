"""``hotline citizen train | evaluate``: the dissatisfaction model, fitted on calls with satisfaction."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("citizen")
def citizen() -> None:
    """市民情绪与不满意预测：用带满意度（回访结果）的通话训练、评估模型。"""


def _inputs(calls: Path, target: str | None, scores: Path | None) -> tuple[list, list[str]]:
    from hotline.citizen.data import from_jsonl, from_scores
    from hotline.citizen.settings import load_settings
    from hotline.errors import HotlineError

    s = load_settings().satisfaction
    errors: list[HotlineError] = []
    if scores is not None:
        items = from_scores(calls, scores, s, errors.append)
    elif target is not None:
        items = from_jsonl(calls, target, s, errors.append)
    else:
        raise click.UsageError("请用 --target 指出每条记录里的满意度字段（如 labels.S），或用 --scores 给出回访结果表。")
    for exc in errors[:30]:
        click.echo(f"  - {exc}", err=True)
    if errors:
        click.echo(f"有 {len(errors)} 条记录未能使用（其余照常训练）", err=True)
    return items, [str(e) for e in errors]


def _contexts(items: list) -> list:
    from hotline.inspect import default_engine
    from hotline.inspect.context import CallContext, prepare_acts

    engine = default_engine(semantic=False)
    contexts = [CallContext(call, engine.compiled) for call, _ in items]
    for i in range(0, len(contexts), 256):
        prepare_acts(contexts[i:i + 256])
    return contexts


OPTIONS = [
    click.argument("calls", type=click.Path(exists=True, dir_okay=True, path_type=Path)),
    click.option("--target", help="JSONL 每条记录里满意度所在的字段，如 labels.S 或 meta.satisfaction"),
    click.option("--scores", type=click.Path(exists=True, path_type=Path), help="回访结果表（CSV/XLSX：通话编号、满意度）"),
    click.option("--neutral", type=float, default=0.0, show_default=True, help="满意度的中点：低于它算不满意"),
]


def _with_options(f):  # noqa: ANN001, ANN202
    for option in reversed(OPTIONS):
        f = option(f)
    return f


@citizen.command("train")
@_with_options
@click.option("-o", "--output", type=click.Path(path_type=Path), help="模型目录（默认：包内 data/citizen/model）")
def train_cmd(calls: Path, target: str | None, scores: Path | None, neutral: float, output: Path | None) -> None:
    """训练不满意预测模型，写出权重与模型卡（含交叉验证的 Spearman 相关）。"""
    import numpy as np

    from hotline.citizen.satisfaction import feature_names, fit, model_dir, save
    from hotline.citizen.settings import CitizenError, load_settings

    items, _ = _inputs(calls, target, scores)
    if len(items) < 50:
        raise CitizenError(f"可用的通话太少（{len(items)} 通，至少 50 通）", source=str(calls))
    contexts = _contexts(items)
    y = np.array([score for _, score in items])
    model, report = fit(contexts, y, neutral, load_settings().satisfaction, calls.name, feature_names(contexts[0]))
    from hotline.acts import default_model

    model.card["act_model"] = default_model().card["trained_from_sha256"]
    target_dir = output or model_dir()
    save(model, target_dir)
    click.echo(f"模型已写入 {target_dir}：{report['calls']} 通，交叉验证 Spearman（预测满意度 vs 实际）"
               f"{report['spearman_predicted_vs_satisfaction']:.3f}，（不满意概率 vs 实际）"
               f"{report['spearman_dissatisfaction_vs_satisfaction']:.3f}，Brier {report['brier']:.3f}")


@citizen.command("evaluate")
@_with_options
@click.option("--folds", type=int, help="折数（默认见 data/citizen/settings.yaml）")
def evaluate_cmd(calls: Path, target: str | None, scores: Path | None, neutral: float, folds: int | None) -> None:
    """交叉验证：每通电话由没见过它的模型预测，报告与实际满意度的 Spearman 相关。"""
    import numpy as np
    from scipy.stats import spearmanr

    from hotline.citizen.satisfaction import cross_validate, design
    from hotline.citizen.settings import load_settings

    s = load_settings().satisfaction
    items, _ = _inputs(calls, target, scores)
    contexts = _contexts(items)
    y = np.array([score for _, score in items])
    text, feats = design(contexts, s)
    oof = cross_validate(text, feats, y, s, folds)
    click.echo(f"{len(y)} 通，{folds or s.folds} 折交叉验证：Spearman（预测满意度 vs 实际）{spearmanr(oof, y).correlation:.3f}；"
               f"不满意（低于 {neutral:g}）占 {(y < neutral).mean():.1%}")
