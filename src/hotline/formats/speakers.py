"""Speaker labels → Speaker, from the editable alias table in package data."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import field_validator

from hotline.content import Strict, data_path, load_yaml_model
from hotline.errors import FormatError
from hotline.model import Speaker


class SpeakerAliases(Strict):
    agent: list[str]
    citizen: list[str]
    silence_marks: list[str] = []

    @field_validator("agent", "citizen", "silence_marks", mode="before")
    @classmethod
    def _as_strings(cls, v: list[object]) -> list[str]:
        return [str(x) for x in v]

    def lookup(self) -> dict[str, Speaker]:
        table = {a.strip().lower(): Speaker.AGENT for a in self.agent}
        table.update({c.strip().lower(): Speaker.CITIZEN for c in self.citizen})
        return table


@functools.cache
def load_aliases(path: Path | None = None) -> SpeakerAliases:
    return load_yaml_model(path or data_path("formats", "speakers.yaml"), SpeakerAliases)


def parse_speaker(label: object, source: str, location: str) -> Speaker:
    key = str(label).strip().lower()
    speaker = load_aliases().lookup().get(key)
    if speaker is None:
        known = "、".join(load_aliases().agent[:4] + load_aliases().citizen[:4])
        raise FormatError(f"不认识的说话人「{label}」（可用：{known}…，别名表见 data/formats/speakers.yaml）",
                          source=source, location=location)
    return speaker


def clean_text(text: str) -> str:
    """A turn that is only a silence mark (（无声）) becomes empty text."""
    stripped = text.strip()
    return "" if stripped in load_aliases().silence_marks else stripped
