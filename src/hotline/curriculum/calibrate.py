"""Calibrate rewrite grading on ``data/questions/calibration.yaml``.

Run ``python -m hotline.curriculum.calibrate``: prints every calibration answer with its
similarities and verdict, the accuracy under the thresholds in ``exams.yaml``, and the best
thresholds found by a grid search over the meaning check alone."""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

from hotline.content import data_path, load_yaml_model
from hotline.curriculum.library import Curriculum, load_curriculum
from hotline.curriculum.loader import CurriculumError
from hotline.curriculum.rewrite import RewriteVerdict, judge_rewrite
from hotline.curriculum.schema import CalibrationFile, RewritePolicy


@dataclass(slots=True)
class Sample:
    question_id: str
    text: str
    expected: bool
    verdict: RewriteVerdict


def load_calibration(cur: Curriculum, path: Path | None = None) -> CalibrationFile:
    path = path or cur.root / "questions" / "calibration.yaml"
    cal = load_yaml_model(path, CalibrationFile, CurriculumError)
    for item in cal.items:
        if cur.question(item.question).type != "rewrite":
            raise CurriculumError(f"{item.question} 不是改写题", source=str(path))
    return cal


def run(cur: Curriculum, cal: CalibrationFile, policy: RewritePolicy | None = None) -> list[Sample]:
    policy = policy or cur.settings.rewrite
    out = []
    for item in cal.items:
        q = cur.question(item.question)
        for text, expected in [*((t, True) for t in item.accept), *((t, False) for t in item.reject)]:
            out.append(Sample(q.id, text, expected, judge_rewrite(q, text, policy)))
    return out


def run_limits(cur: Curriculum, cal: CalibrationFile) -> list[tuple[str, str, RewriteVerdict]]:
    policy = cur.settings.rewrite
    return [(item.question, text, judge_rewrite(cur.question(item.question), text, policy))
            for item in cal.items for text in item.limits]


def accuracy(samples: list[Sample]) -> float:
    return sum(s.verdict.passed == s.expected for s in samples) / max(len(samples), 1)


def grid_search(samples: list[Sample], policy: RewritePolicy) -> tuple[float, RewritePolicy]:
    """Best (accuracy, policy) over a grid of the three similarity thresholds."""
    best = (-1.0, policy)
    for sim, over_bad, over_gen in itertools.product(
        [x / 100 for x in range(82, 93)], [-0.2, -0.05, 0.0, 0.02], [-0.02, 0.0, 0.01, 0.02, 0.04]
    ):
        trial = policy.model_copy(update={"min_similarity": sim, "min_margin_over_bad": over_bad,
                                          "min_margin_over_generic": over_gen})
        hits = sum(_passes(s, trial) == s.expected for s in samples)
        acc = hits / max(len(samples), 1)
        if acc > best[0]:
            best = (acc, trial)
    return best


def _passes(s: Sample, policy: RewritePolicy) -> bool:
    from hotline.curriculum.rewrite import meaning_kept

    v = s.verdict
    kept = v.similarity is not None and meaning_kept(v.similarity, policy)
    return v.compliant and not v.missing_keywords and not v.meaning_changers and kept


def main() -> int:
    cur = load_curriculum(data_path())
    cal = load_calibration(cur)
    samples = run(cur, cal)
    for s in samples:
        sim = s.verdict.similarity
        sims = f"{sim.to_reference:.3f} bad{sim.to_bad:.3f} gen{sim.to_generic:.3f}" if sim else "-"
        mark = "ok " if s.verdict.passed == s.expected else "ERR"
        why = "合规" if s.verdict.compliant else "不合规"
        print(f"{mark} {s.question_id:12} 期望{'合格' if s.expected else '不合格'} {why} "
              f"缺词{len(s.verdict.missing_keywords)} {sims} {s.text}")
    print(f"当前阈值准确率：{accuracy(samples):.3f}（{len(samples)} 条）")
    limits = run_limits(cur, cal)
    caught = sum(not v.passed for _, _, v in limits)
    print(f"已知局限 {len(limits)} 条，其中被拒 {caught} 条：")
    for qid, text, v in limits:
        print(f"  {'被拒' if not v.passed else '误判合格'} {qid:12} {text}")
    acc, best = grid_search(samples, cur.settings.rewrite)
    print(f"网格搜索最佳：{acc:.3f} min_similarity={best.min_similarity} "
          f"min_margin_over_bad={best.min_margin_over_bad} min_margin_over_generic={best.min_margin_over_generic}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
