"""Measuring category classification: accuracy, macro-F1 and a confusion matrix, on a held-out
file or by stratified k-fold cross-validation (zero-shot and trained)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hotline.workorder.schema import WorkOrderError
from hotline.workorder.train import CategoryModel, ModelConfig


@dataclass
class Report:
    name: str
    accuracy: float
    macro_f1: float
    labels: list[str]
    confusion: list[list[int]]
    n: int
    per_class_f1: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "n": self.n, "accuracy": round(self.accuracy, 4),
                "macro_f1": round(self.macro_f1, 4), "per_class_f1": self.per_class_f1,
                "labels": self.labels, "confusion": self.confusion, "seconds": round(self.seconds, 2),
                "warnings": self.warnings}


def score(name: str, truth: Sequence[str], pred: Sequence[str], seconds: float = 0.0) -> Report:
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    labels = sorted(set(truth) | set(pred))
    per = f1_score(truth, pred, labels=labels, average=None, zero_division=0)
    truth_labels = sorted(set(truth))
    return Report(
        name=name,
        accuracy=float(accuracy_score(truth, pred)),
        macro_f1=float(f1_score(truth, pred, labels=truth_labels, average="macro", zero_division=0)),
        labels=labels,
        confusion=confusion_matrix(truth, pred, labels=labels).tolist(),
        n=len(truth),
        per_class_f1={lab: round(float(f), 4) for lab, f in zip(labels, per, strict=True)},
        seconds=seconds,
    )


def _check_folds(labels: Sequence[str], folds: int) -> None:
    if folds < 2:
        raise WorkOrderError("交叉验证折数至少为 2")
    small = {lab: n for lab, n in Counter(labels).items() if n < folds}
    if small:
        desc = "、".join(f"{lab}（{n} 条）" for lab, n in small.items())
        raise WorkOrderError(f"分层 {folds} 折交叉验证要求每类至少 {folds} 条，以下分类不足：{desc}")


def cross_validate(
    texts: Sequence[str], labels: Sequence[str], config: ModelConfig | None = None, folds: int = 5, seed: int = 0,
    combined: bool = False,
) -> Report:
    """Stratified k-fold CV of the trained model; every text is predicted by a model that never saw it.
    ``combined``: the model's probabilities mixed with the zero-shot ones, as ``classify_category``
    does when a center gives it a model."""
    import time

    from sklearn.model_selection import StratifiedKFold

    from hotline.workorder.classify import ZeroShotClassifier, combine

    _check_folds(labels, folds)
    config = config or ModelConfig()
    start = time.perf_counter()
    candidates = sorted(set(labels))
    zero = ZeroShotClassifier(semantic=config.embeddings) if combined else None
    pred = [""] * len(texts)
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels):
        model = CategoryModel(config).fit([texts[i] for i in train_idx], [labels[i] for i in train_idx])
        fold = [texts[i] for i in test_idx]
        for i, text, probs in zip(test_idx, fold, model.probabilities(fold), strict=True):
            if zero is not None:
                probs = combine(probs, zero.probabilities(text, candidates))
            pred[i] = max(probs, key=lambda k: probs[k])
    name = f"训练模型{'+零样本' if combined else ''}（分层 {folds} 折交叉验证）"
    return score(name, labels, pred, time.perf_counter() - start)


def zero_shot(texts: Sequence[str], labels: Sequence[str], semantic: bool = True) -> Report:
    """Zero-shot scores over all texts (nothing is fitted, so no folds are needed); candidates are
    the labels present in the data (labels of the old 15-class taxonomy are answered through its
    correspondence with the current one)."""
    import time

    from hotline.workorder.classify import ZeroShotClassifier

    start = time.perf_counter()
    candidates = sorted(set(labels))
    preds = [p.label for p in ZeroShotClassifier(semantic=semantic).predict_many(texts, candidates)]
    name = "零样本（说明+关键词+例句" + ("+语义向量）" if semantic else "）")
    return score(name, labels, preds, time.perf_counter() - start)


def evaluate_model(model: CategoryModel, texts: Sequence[str], labels: Sequence[str]) -> Report:
    """A trained model on labelled rows; warns when rows were part of its training data (the score
    of rows a model has seen says nothing about new ones)."""
    import time

    start = time.perf_counter()
    preds = [p.label for p in model.predict(texts)]
    report = score("已训练模型（留出数据）", labels, preds, time.perf_counter() - start)
    seen = model.seen_in_training(texts)
    if seen:
        share = len(seen) / len(texts)
        report.name = "已训练模型（与训练数据有重叠）"
        report.warnings.append(
            f"评估数据中有 {len(seen)} 条（{share:.0%}）与训练数据相同，分数偏高，不代表模型在新数据上的表现；"
            "请用训练时没有用过的数据评估，或不指定 --model 做交叉验证")
        if len(seen) < len(texts):
            held = [i for i in range(len(texts)) if i not in set(seen)]
            fresh = score("", [labels[i] for i in held], [preds[i] for i in held])
            report.warnings.append(f"只看其余 {len(held)} 条：准确率 {fresh.accuracy:.3f}，宏平均 F1 {fresh.macro_f1:.3f}")
    return report
