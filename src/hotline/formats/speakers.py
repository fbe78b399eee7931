"""Speaker labels → Speaker, from the editable alias table in package data (``data/formats/speakers.yaml``).

A label is *known* (an alias of 坐席 or 市民, possibly followed by a number or a bracketed note:
「坐席1024」「来电人(138****1234)」), *generic* (说话人1, spk0, A, channel 1: one of the parties,
not which) or *unknown* (a name). Roles for the last two come from what is said (``formats.roles``)."""

# No ``from __future__ import annotations``: pydantic reads these annotations as objects, not text to compile.
import functools
import re
from pathlib import Path

from pydantic import field_validator

from hotline.content import Strict, compiled_regexes, data_path, load_yaml_model
from hotline.model import Speaker
from hotline.regexcache import compile_pattern

# 「坐席1024」「坐席-1024」「坐席 工号1024」「来电人(138****1234)」「客服【夜班】」
_TAIL = compile_pattern(r"^(?P<base>.+?)\s*(?:[（(【\[][^）)】\]]*[）)】\]]|[-_#·.]?\s*(?:工号)?\s*[0-9a-z*]+\s*号?)$")


class SpeakerAliases(Strict):
    agent: list[str]
    citizen: list[str]
    generic: list[str] = []
    silence_marks: list[str] = []

    @field_validator("agent", "citizen", "silence_marks", mode="before")
    @classmethod
    def _as_strings(cls, v: list[object]) -> list[str]:
        return [str(x) for x in v]

    @field_validator("generic")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        return compiled_regexes(v)

    def lookup(self) -> dict[str, Speaker]:
        table = {a.strip().lower(): Speaker.AGENT for a in self.agent}
        table.update({c.strip().lower(): Speaker.CITIZEN for c in self.citizen})
        return table


@functools.cache
def load_aliases(path: Path | None = None) -> SpeakerAliases:
    return load_yaml_model(path or data_path("formats", "speakers.yaml"), SpeakerAliases)


@functools.cache
def _table() -> dict[str, Speaker]:
    return load_aliases().lookup()


@functools.cache
def _generic() -> re.Pattern[str]:
    patterns = load_aliases().generic or [r"(?!)"]
    return compile_pattern("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@functools.cache
def silence_marks() -> frozenset[str]:
    return frozenset(load_aliases().silence_marks)


def label_key(label: object) -> str:
    return str(label).strip().lower()


def speaker_of(label: object) -> Speaker | None:
    """The role a label names, or None for a generic or unknown label."""
    return speaker_of_text(label) if type(label) is str else _speaker_of_key(label_key(label))


@functools.lru_cache(maxsize=4096)
def speaker_of_text(label: str) -> Speaker | None:
    """``speaker_of`` a label as read, a string (the few labels of a file come back on every turn)."""
    return _speaker_of_key(label_key(label))


def _speaker_of_key(key: str) -> Speaker | None:
    hit = _table().get(key)
    return hit if hit is not None else _with_tail(key)


@functools.lru_cache(maxsize=4096)
def _with_tail(key: str) -> Speaker | None:
    m = _TAIL.match(key)
    if m is None or _generic().fullmatch(key):
        return None
    return _table().get(m.group("base").strip())


def is_generic(label: object) -> bool:
    """说话人1, spk0, A, 0, channel 1…: a placeholder for one of the two parties."""
    return _generic().fullmatch(label_key(label)) is not None


def known_labels_hint() -> str:
    aliases = load_aliases()
    return "、".join(aliases.agent[:3] + aliases.citizen[:3])

