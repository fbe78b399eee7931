"""Reading curriculum files: lessons (Markdown with YAML front matter), question files, exams.

A bad record does not sink the whole bank: loaders return the good records and a list of
``ContentError`` problems, each naming the file, the line and the record."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from hotline.content import describe_validation_error, iter_data_files, load_yaml_model, read_yaml
from hotline.curriculum.schema import ExamsFile, LessonMeta, Question
from hotline.errors import ContentError

FRONT_MATTER = "---"


class CurriculumError(ContentError):
    """A lesson, question, exam or case file is invalid."""

    code = "E601"


@dataclass(slots=True)
class Lesson:
    meta: LessonMeta
    body: str
    path: Path

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title


@dataclass(slots=True)
class Loaded:
    """Records that validated, plus one problem per record that did not."""

    items: list[Any] = field(default_factory=list)
    problems: list[CurriculumError] = field(default_factory=list)


def split_front_matter(text: str, source: str) -> tuple[str, str, int]:
    """Return (front matter YAML, Markdown body, line where the body starts)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER:
        raise CurriculumError("课程文件必须以 --- 开头的 YAML 头信息开始", source=source, location="第 1 行")
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == FRONT_MATTER:
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]).strip() + "\n", i + 2
    raise CurriculumError("YAML 头信息没有以 --- 结束", source=source)


def read_lesson(path: Path) -> Lesson:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise CurriculumError(f"无法读取：{exc.__class__.__name__}", source=source) from None
    head, body, body_line = split_front_matter(text, source)
    try:
        data = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 2} 行" if mark else None
        raise CurriculumError(f"头信息 YAML 语法错误：{getattr(exc, 'problem', exc)}", source=source,
                              location=where) from None
    meta = _validate(LessonMeta, data, source, "头信息")
    if not body.strip():
        raise CurriculumError("课程正文为空", source=source, location=f"第 {body_line} 行")
    return Lesson(meta=meta, body=body, path=path)


def load_lessons(folder: Path) -> Loaded:
    out = Loaded()
    for path in iter_data_files(folder, (".md",)):
        try:
            out.items.append(read_lesson(path))
        except CurriculumError as exc:
            out.problems.append(exc)
    out.items.sort(key=lambda lesson: (lesson.meta.order, lesson.id))
    return out


def load_question_file(path: Path) -> Loaded:
    """Validate each question of one file on its own; errors carry the line of the record."""
    out = Loaded()
    data = read_yaml(path, CurriculumError)
    if not isinstance(data, dict) or set(data) != {"questions"} or not isinstance(data["questions"], list):
        out.problems.append(CurriculumError("顶层必须只有 questions: 列表", source=str(path)))
        return out
    lines = _item_lines(path)
    for i, item in enumerate(data["questions"]):
        qid = item.get("id", "?") if isinstance(item, dict) else "?"
        where = f"第 {lines[i]} 行 questions[{i}]（{qid}）" if i < len(lines) else f"questions[{i}]"
        try:
            out.items.append(_validate(Question, item, str(path), where))
        except CurriculumError as exc:
            out.problems.append(exc)
    return out


def load_questions(folder: Path) -> Loaded:
    out = Loaded()
    seen: dict[str, Path] = {}
    for path in iter_data_files(folder):
        if path.name in {"exams.yaml", "calibration.yaml"}:
            continue
        loaded = load_question_file(path)
        out.problems.extend(loaded.problems)
        for q in loaded.items:
            if q.id in seen:
                out.problems.append(CurriculumError(f"题目编号 {q.id} 重复（另见 {seen[q.id].name}）",
                                                    source=str(path)))
                continue
            seen[q.id] = path
            out.items.append(q)
    return out


def load_exams(path: Path) -> ExamsFile:
    return load_yaml_model(path, ExamsFile, CurriculumError)


def _validate(model: type[BaseModel], data: Any, source: str, where: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message = describe_validation_error(exc).replace("(顶层)：", "")
        raise CurriculumError(message, source=source, location=where) from None


def _item_lines(path: Path) -> list[int]:
    """1-based line of each item of the top-level ``questions`` list."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "questions" and isinstance(value, yaml.SequenceNode):
            return [node.start_mark.line + 1 for node in value.value]
    return []
