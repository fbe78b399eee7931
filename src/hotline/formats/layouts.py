"""Reader limits and the JSON layouts of speech-to-text vendors, as data (``data/formats/readers.yaml``).

A layout says where a record keeps its list of sentences and, in each sentence, the speaker, the
text and the times (seconds or milliseconds). Paths are dotted keys; ``[]`` walks a list, ``[0]``
takes its first item, and a value that is itself a JSON string (some vendors nest JSON in strings)
is decoded on the way."""

# No ``from __future__ import annotations``: pydantic reads these annotations as objects, not text to compile.
import functools
import json
import re
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, field_validator

from hotline.content import Strict, data_path, load_yaml_model
from hotline.regexcache import compile_pattern

_STEP = compile_pattern(r"^(?P<key>[^.\[\]]+)(?P<index>(?:\[\d*\])*)$")
_MISSING = object()


class Limits(Strict):
    max_record_mb: float = Field(16, gt=0)
    max_file_mb: float = Field(256, gt=0)
    max_turns: int = Field(5000, ge=1)
    max_turn_chars: int = Field(20000, ge=1)
    max_meta_depth: int = Field(16, ge=1)

    @property
    def max_record_bytes(self) -> int:
        return int(self.max_record_mb * 1048576)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1048576)


class TimeKeys(Strict):
    start: str
    end: str
    unit: Literal["s", "ms"] = "s"

    @property
    def scale(self) -> float:
        return 0.001 if self.unit == "ms" else 1.0


class Layout(Strict):
    name: str
    turns: list[str] = Field(min_length=1)
    speaker: list[str] = Field(min_length=1)
    text: list[str] = Field(min_length=1)
    times: list[TimeKeys] = []
    id: list[str] = ["id", "call_id"]

    @field_validator("turns", "speaker", "text", "id")
    @classmethod
    def _paths(cls, v: list[str]) -> list[str]:
        for path in v:
            if not all(_STEP.match(step) for step in path.split(".")):
                raise ValueError(f"路径「{path}」格式不对（应为 a.b.c，列表用 [] 或 [0]）")
        return v


class ReaderSettings(Strict):
    limits: Limits = Field(default_factory=lambda: Limits.model_validate({}))
    layouts: list[Layout] = Field(min_length=1)


@functools.cache
def reader_settings() -> ReaderSettings:
    return load_yaml_model(data_path("formats", "readers.yaml"), ReaderSettings)


@functools.cache
def _steps(path: str) -> tuple[tuple[str, tuple[int | None, ...]], ...]:
    out = []
    for step in path.split("."):
        m = _STEP.match(step)
        assert m is not None  # checked when the layout was loaded
        index = tuple(int(i) if i else None for i in re.findall(r"\[(\d*)\]", m.group("index")))
        out.append((m.group("key"), index))
    return tuple(out)


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def simple(path: str) -> bool:
    return "." not in path and "[" not in path


def values_at(obj: Any, path: str) -> Iterator[Any]:
    """Every value at ``path`` in ``obj`` (several when the path walks a list with ``[]``)."""
    if simple(path):
        if isinstance(obj, dict) and path in obj:
            yield _decoded(obj[path])
        return
    yield from _walk(obj, _steps(path))


def _walk(obj: Any, steps: tuple[tuple[str, tuple[int | None, ...]], ...]) -> Iterator[Any]:
    if not steps:
        yield obj
        return
    (key, indexes), rest = steps[0], steps[1:]
    if not isinstance(obj, dict) or key not in obj:
        return
    items = [_decoded(obj[key])]
    for index in indexes:
        nxt: list[Any] = []
        for item in items:
            if isinstance(item, list):
                nxt.extend(_decoded(x) for x in (item if index is None else item[index:index + 1]))
        items = nxt
    for item in items:
        yield from _walk(item, rest)


def first_at(obj: Any, paths: list[str]) -> Any:
    """The value at the first of ``paths`` that exists in ``obj``, else a sentinel (``missing``)."""
    for path in paths:
        if simple(path):  # the common case, kept cheap: no generator
            if isinstance(obj, dict) and path in obj:
                return _decoded(obj[path])
            continue
        for value in _walk(obj, _steps(path)):
            return value
    return _MISSING


def missing(value: Any) -> bool:
    return value is _MISSING


def find_layout(obj: dict[str, Any]) -> tuple[Layout, list[Any]] | None:
    """The first layout whose sentence list is in ``obj``, with that list."""
    for layout in reader_settings().layouts:
        for path in layout.turns:
            for value in values_at(obj, path):
                if isinstance(value, list):
                    return layout, value
    return None

