"""The case library: annotated calls. Each case is a dialogue transcript ``<id>.txt`` (read by
``hotline.formats``) plus the trainer's commentary ``<id>.yaml``. Findings are never stored:
they are computed by the inspection engine whenever a case is shown."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotline.content import data_path, iter_data_files, load_yaml_model
from hotline.curriculum.loader import CurriculumError, Loaded
from hotline.curriculum.schema import CaseCommentary
from hotline.errors import HotlineError
from hotline.model import Call, Scorecard

KIND_NAMES = {"good": "示范", "bad": "反面", "mixed": "有得有失"}


@dataclass(slots=True)
class Case:
    id: str
    call: Call
    commentary: CaseCommentary
    path: Path

    @property
    def title(self) -> str:
        return self.commentary.title


def read_case(transcript: Path) -> Case:
    """Read one case: the transcript and the commentary file next to it."""
    from hotline.formats import read_call

    case_id = transcript.stem
    commentary_path = transcript.with_suffix(".yaml")
    if not commentary_path.exists():
        raise CurriculumError("缺少同名的讲评文件 .yaml", source=str(transcript))
    commentary = load_yaml_model(commentary_path, CaseCommentary, CurriculumError)
    call = read_call(transcript)
    call.id = case_id
    call.meta.setdefault("title", commentary.title)
    for note in commentary.notes:
        if note.turn > len(call.turns):
            raise CurriculumError(f"批注指向第 {note.turn} 句，但通话只有 {len(call.turns)} 句",
                                  source=str(commentary_path))
    return Case(case_id, call, commentary, transcript)


def load_cases(folder: Path | None = None) -> Loaded:
    """Every case under ``folder`` (package data by default); bad ones become problems."""
    folder = folder or data_path("cases")
    out = Loaded()
    for path in iter_data_files(folder, (".txt",)):
        try:
            out.items.append(read_case(path))
        except CurriculumError as exc:
            out.problems.append(exc)
        except HotlineError as exc:
            out.problems.append(CurriculumError(str(exc), source=str(path)))
    yaml_only = {p.stem for p in iter_data_files(folder)} - {c.id for c in out.items}
    yaml_only -= {Path(p.source or "").stem for p in out.problems}
    for stem in sorted(yaml_only):
        out.problems.append(CurriculumError("讲评文件没有对应的通话转写 .txt", source=str(folder / f"{stem}.yaml")))
    return out


def find_case(case_id: str, folder: Path | None = None) -> Case:
    loaded = load_cases(folder)
    for case in loaded.items:
        if case.id == case_id:
            return case
    for problem in loaded.problems:
        if Path(problem.source or "").stem == case_id:
            raise problem
    known = "、".join(c.id for c in loaded.items)
    raise CurriculumError(f"没有案例 {case_id!r}；可选：{known}")


def analyse(case: Case, engine: Any | None = None) -> Scorecard:
    """Inspect the case's call with the engine (the default rulebook unless given)."""
    if engine is None:
        from hotline.inspect import default_engine

        engine = default_engine()
    return engine.inspect(case.call)


def failed_rule_ids(card: Scorecard) -> set[str]:
    return {o.rule_id for o in card.outcomes if o.status == "failed"} | {f.rule_id for f in card.findings}


def passed_rule_ids(card: Scorecard) -> set[str]:
    return {o.rule_id for o in card.outcomes if o.status == "passed"}
