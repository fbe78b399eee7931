"""The speech-act taxonomy (``data/acts/taxonomy.yaml``): what each clause of a call can *do*,
whatever its wording. Rules use acts through the rulebook's ``act`` operator."""

from __future__ import annotations

import functools
from typing import Literal

from pydantic import Field, model_validator

from hotline.content import Strict, data_path, load_yaml_model
from hotline.errors import HotlineError

ACT_NAME = r"^(agent|citizen)\.[a-z_]+$"


class ActsError(HotlineError):
    """An act corpus, taxonomy or model file is invalid, or an act name is unknown."""

    code = "E900"


class ActSpec(Strict):
    name: str = Field(pattern=ACT_NAME)
    speaker: Literal["agent", "citizen"]
    title: str
    description: str
    norms: list[str] = []
    threshold: float = Field(0.5, gt=0, lt=1)

    @model_validator(mode="after")
    def _speaker_prefix(self) -> ActSpec:
        if not self.name.startswith(self.speaker + "."):
            raise ValueError(f"行为「{self.name}」的名字应以说话人「{self.speaker}.」开头")
        return self


class Taxonomy(Strict):
    version: str
    acts: list[ActSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Taxonomy:
        seen: set[str] = set()
        for act in self.acts:
            if act.name in seen:
                raise ValueError(f"行为「{act.name}」重复定义")
            seen.add(act.name)
        return self

    def names(self, speaker: str | None = None) -> list[str]:
        return [a.name for a in self.acts if speaker is None or a.speaker == speaker]

    def get(self, name: str) -> ActSpec:
        for act in self.acts:
            if act.name == name:
                return act
        raise ActsError(f"没有言语行为「{name}」（可用：{'、'.join(self.names())}）")


@functools.cache
def load_taxonomy() -> Taxonomy:
    return load_yaml_model(data_path("acts", "taxonomy.yaml"), Taxonomy, ActsError)
