"""The labelled act corpus (``data/acts/corpus/*.jsonl``): one clause a line with its speaker, its
acts and its paraphrase family. Train/test splits are by family, so no test wording is seen in
training. Every line is validated; errors name the file and the line."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from hotline.acts.taxonomy import ActsError, Taxonomy, load_taxonomy
from hotline.content import Strict, data_path, describe_validation_error


class Record(Strict):
    text: str = Field(min_length=1)
    speaker: Literal["agent", "citizen"]
    acts: list[str] = []
    family: str = Field(min_length=1)
    source: str = "written"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    speaker: str
    acts: tuple[str, ...]
    family: str
    where: str  # file:line, for messages


def corpus_dir() -> Path:
    return data_path("acts", "corpus")


def corpus_files(folder: Path | None = None) -> list[Path]:
    folder = folder or corpus_dir()
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise ActsError("语料目录里没有 .jsonl 文件", source=str(folder))
    return files


def corpus_hash(files: list[Path]) -> str:
    """SHA-256 over the corpus files (names and bytes), recorded in the trained model's card."""
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_corpus(files: list[Path] | None = None, taxonomy: Taxonomy | None = None) -> list[Example]:
    """Every record of the corpus, validated. A bad line raises an error naming file and line;
    the same text labelled two ways is an error too (it would teach the model both)."""
    taxonomy = taxonomy or load_taxonomy()
    known = set(taxonomy.names())
    out: list[Example] = []
    seen: dict[tuple[str, str], Example] = {}
    for path in files or corpus_files():
        for lineno, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            ex = _parse(line, path, lineno, known, where)
            previous = seen.get((ex.speaker, ex.text))
            if previous is not None and previous.acts != ex.acts:
                raise ActsError(f"同一句话标注不一致（另见 {previous.where}）：「{ex.text}」",
                                source=str(path), location=f"第 {lineno} 行")
            if previous is None:
                seen[(ex.speaker, ex.text)] = ex
                out.append(ex)
    return out


def _parse(line: str, path: Path, lineno: int, known: set[str], where: str) -> Example:
    try:
        rec = Record.model_validate(json.loads(line))
    except json.JSONDecodeError as exc:
        raise ActsError(f"不是合法的 JSON（第 {exc.colno} 列）", source=str(path), location=f"第 {lineno} 行") from None
    except ValidationError as exc:
        raise ActsError(describe_validation_error(exc), source=str(path), location=f"第 {lineno} 行") from None
    for act in rec.acts:
        if act not in known:
            raise ActsError(f"未知的言语行为「{act}」", source=str(path), location=f"第 {lineno} 行")
        if not act.startswith(rec.speaker + "."):
            raise ActsError(f"{rec.speaker} 的话不能标注「{act}」", source=str(path), location=f"第 {lineno} 行")
    return Example(rec.text.strip(), rec.speaker, tuple(sorted(set(rec.acts))), rec.family, where)
