"""The synonym table of 工单 comparison (``data/workorder/synonyms.yaml``): category names, departments,
request types and invalid-call reasons that mean the same, and department names without their place."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator

from hotline.content import Strict, compiled_regexes, data_path, load_yaml_model
from hotline.workorder.schema import WorkOrderError

Kind = Literal["category", "department", "request_type", "invalid_reason"]
_SPACE = re.compile(r"[\s　。，,.、“”\"'「」()（）]+")


class SynonymTable(Strict):
    version: str
    place_prefix: str
    spellings: dict[str, str] = {}
    institution_suffixes: list[str] = []
    groups: dict[Kind, list[list[str]]]

    @field_validator("place_prefix")
    @classmethod
    def _compiles(cls, v: str) -> str:
        return compiled_regexes([v])[0]

    @model_validator(mode="after")
    def _disjoint(self) -> SynonymTable:
        for kind, groups in self.groups.items():
            seen: dict[str, int] = {}
            for i, group in enumerate(groups):
                if len(group) < 2:
                    raise ValueError(f"groups.{kind}[{i}]：一组同义词至少两个")
                for word in group:
                    if word in seen and seen[word] != i:
                        raise ValueError(f"groups.{kind}：「{word}」同时出现在第 {seen[word] + 1} 组和第 {i + 1} 组")
                    seen[word] = i
        return self

    def canonical(self, kind: Kind, word: str) -> str:
        """The first word of ``word``'s group (``word`` itself when it has none), spaces and punctuation removed,
        other spellings of a word unified (噪音 → 噪声)."""
        w = self.spell(clean(word))
        return self._index(kind).get(w, w)

    def spell(self, text: str) -> str:
        for other, usual in self.spellings.items():
            text = text.replace(other, usual)
        return text

    def same(self, kind: Kind, a: str, b: str) -> bool:
        return bool(clean(a)) and self.canonical(kind, a) == self.canonical(kind, b)

    def group_of(self, kind: Kind, word: str) -> list[str]:
        w = clean(word)
        return next((g for g in self.groups.get(kind, []) if w in g), [w])

    def _index(self, kind: Kind) -> dict[str, str]:
        return {self.spell(w): self.spell(g[0]) for g in self.groups.get(kind, []) for w in g}

    def split_place(self, department: str) -> tuple[str, str]:
        """(place, name): 城东区人社局 → (城东区, 人社局), 市市场监督管理局 → (市, 市场监督管理局)."""
        d = clean(department)
        known = [w for g in self.groups.get("department", []) for w in g if d.endswith(w)]
        if known:
            core = max(known, key=len)
            return d[: len(d) - len(core)], core
        m = re.match(self.place_prefix, d)
        place = m.group(0) if m else ""
        if not place or place == d:
            return "", d
        return place, d[len(place):]

    def stem(self, name: str) -> str:
        """A department name without its place and institution suffix (人社局 → 人社), for finding it in speech."""
        _, core = self.split_place(name)
        for suffix in sorted(self.institution_suffixes, key=len, reverse=True):
            if core.endswith(suffix) and len(core) - len(suffix) >= 2:
                return core[: -len(suffix)]
        return core


def clean(text: str) -> str:
    return _SPACE.sub("", text or "")


@cache
def load_synonyms(path: Path | None = None) -> SynonymTable:
    return load_yaml_model(path or data_path("workorder", "synonyms.yaml"), SynonymTable, WorkOrderError)
