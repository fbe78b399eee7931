"""Measure category classification on the public government-message set (7 first-level classes of
the old 15-class taxonomy, answered through legacy_teddy.yaml): zero-shot (keywords only, and
keywords + embeddings), a char TF-IDF + LinearSVC reference baseline, the trained product model, and
the trained model combined with zero-shot, all by stratified 5-fold cross-validation.

    .venv/bin/python scripts/eval_gov_messages.py [--data ../shared/data/gov-messages/messages_dev.csv]
        [--cache /tmp/gov-emb.npz] [--json out.json]

The messages are read in place and never copied into the project. ``--cache`` keeps the sentence
embeddings between runs (they take a few minutes on two cores)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gov-messages" / "messages_dev.csv"


def _load_cache(path: Path | None, texts: list[str]) -> None:
    """Pre-fill the embedding cache from ``path`` (written by a previous run), then embed the rest."""
    import numpy as np

    from hotline.inspect import semantic
    from hotline.workorder.classify import EMBED_CHARS

    keys = [t[:EMBED_CHARS] for t in texts]
    if path and path.is_file():
        saved = np.load(path, allow_pickle=False)
        semantic.preload(saved["keys"].tolist(), saved["vecs"])
    start = time.perf_counter()
    vecs = semantic.embed(keys)
    print(f"语义向量：{len(keys)} 条，用时 {time.perf_counter() - start:.1f} 秒", file=sys.stderr)
    if path:
        np.savez(path, keys=np.array(keys), vecs=vecs)


def baseline(texts: list[str], labels: list[str], folds: int = 5):
    """Reference: character TF-IDF + LinearSVC, same folds."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    from hotline.workorder.evaluate import score

    start = time.perf_counter()
    pipe = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True), LinearSVC())
    pred = cross_val_predict(pipe, texts, labels, cv=StratifiedKFold(folds, shuffle=True, random_state=0))
    return score("基线：字符 TF-IDF + LinearSVC", labels, list(pred), time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    from hotline.workorder.dataset import read_labelled
    from hotline.workorder.evaluate import cross_validate, zero_shot
    from hotline.workorder.train import ModelConfig

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"找不到数据文件：{args.data}", file=sys.stderr)
        return 2
    data = read_labelled(args.data)
    _load_cache(args.cache, data.texts)
    reports = [
        baseline(data.texts, data.labels, args.folds),
        zero_shot(data.texts, data.labels, semantic=False),
        zero_shot(data.texts, data.labels, semantic=True),
        cross_validate(data.texts, data.labels, ModelConfig(embeddings=False), args.folds),
        cross_validate(data.texts, data.labels, ModelConfig(), args.folds),
        cross_validate(data.texts, data.labels, ModelConfig(embeddings=False), args.folds, combined=True),
        cross_validate(data.texts, data.labels, ModelConfig(), args.folds, combined=True),
    ]
    reports[3].name = "训练模型（TF-IDF+关键词，不用语义向量）"
    reports[5].name = "训练模型+零样本（不用语义向量）"
    for r in reports:
        print(f"{r.name:<40} 准确率 {r.accuracy:.3f}  宏平均F1 {r.macro_f1:.3f}  （{r.seconds:.1f} 秒）")
    if args.json:
        args.json.write_text(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
