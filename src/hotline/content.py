"""Loading YAML/Markdown package data validated by pydantic, with errors that name the file,
the path inside it and what was expected. Every data loader in the product goes through here.

``load_yaml_model`` reads back what it validated before from the start-up cache (``hotline.cache``) while
the file, the package's data and its code are unchanged, so a warm start neither parses YAML nor imports
PyYAML."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from hotline.errors import ContentError, HotlineError

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base for every data schema: unknown keys are errors, not silently ignored. Validators are built at
    first use (``defer_build``): a warm start reads its data back from the start-up cache and never builds
    most of them (pydantic>=2.14 builds a model once when threads use it together)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


def compiled_regexes(patterns: list[str]) -> list[str]:
    """``patterns`` unchanged when each compiles; a Chinese ValueError naming the first that does not
    (for pydantic field validators of data files)."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"正则表达式「{pattern}」无效：{exc}") from None
    return patterns


def data_path(*parts: str) -> Path:
    """Path of a file or folder under ``hotline/data`` (package data)."""
    return Path(str(resources.files("hotline").joinpath("data", *parts)))


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(顶层)"


def describe_validation_error(exc: ValidationError, limit: int = 5) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        parts.append(f"{_loc(tuple(err['loc']))}：{_translate(err)}")
    more = len(exc.errors()) - limit
    if more > 0:
        parts.append(f"……另有 {more} 处错误")
    return "；".join(parts)


_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段（拼写错误？）",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射（key: value）",
    "model_type": "应为映射（key: value）",
    "too_short": "内容太少（至少 {min_length} 项）",
    "string_too_short": "不能为空",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "literal_error": "取值应为：{expected}",
    "enum": "取值应为：{expected}",
}


def translate_error(err: Any) -> str:
    """One pydantic error in Chinese."""
    return _translate(err)


def _translate(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "value_error":
        return str(err.get("msg", "")).removeprefix("Value error, ")
    template = _MESSAGES.get(kind)
    if template is None:
        return str(err.get("msg", kind))
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return template.split("（")[0]


def read_yaml(path: Path, error: type[HotlineError] = ContentError) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error("文件不存在", source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise error(f"不是 UTF-8 编码（第 {exc.start} 字节）", source=str(path)) from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is several times faster
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader (libyaml's when present)
    except yaml.YAMLError:
        pass
    try:  # a broken file: read again with the Python loader, whose messages the product translates
        return yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else None
        raise error(f"YAML 语法错误：{yaml_problem(exc)}", source=str(path), location=where) from None


_YAML_PROBLEMS = (
    ("mapping values are not allowed", "这里不能出现“键: 值”（缩进不对，或值里的冒号要加引号）"),
    ("could not find expected ':'", "缺少冒号（键: 值）"),
    ("found character '\\t'", "不能用 Tab 缩进，请用空格"),
    ("expected <block end>", "缩进没有对齐"),
    ("did not find expected key", "缩进或列表格式不对"),
    ("did not find expected '-' indicator", "列表项应以“- ”开头并对齐"),
    ("expected ',' or ']'", "方括号列表缺少逗号或右括号 ]"),
    ("expected ',' or '}'", "花括号映射缺少逗号或右括号 }"),
    ("found unexpected end of stream", "引号或括号没有闭合"),
    ("found unknown escape character", "双引号字符串里的反斜杠转义不对（可改用单引号）"),
    ("found undefined alias", "引用了未定义的锚点（*名称）"),
    ("found unexpected ':'", "冒号位置不对（值里的冒号要加引号）"),
    ("found character '@'", "不能以 @ 开头（请加引号）"),
    ("found character '`'", "不能以 ` 开头（请加引号）"),
)


def yaml_problem(exc: Exception) -> str:
    """A Chinese description of a YAML syntax error (never PyYAML's English)."""
    problem = str(getattr(exc, "problem", None) or exc)
    for english, chinese in _YAML_PROBLEMS:
        if english in problem:
            return chinese
    return "格式不正确"


def validate(model: type[M], data: Any, source: str, error: type[HotlineError] = ContentError) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(describe_validation_error(exc), source=source) from None


def load_yaml_model(path: Path, model: type[M], error: type[HotlineError] = ContentError) -> M:
    """Read ``path`` and validate it as ``model``; any problem raises ``error`` naming the file. What was
    validated before comes back from the start-up cache while nothing it depends on has changed."""
    from hotline.cache import cached

    return cached(f"yaml:{Path(path).resolve()}|{model.__module__}.{model.__qualname__}", (Path(path),),
                  lambda: validate(model, read_yaml(path, error), str(path), error), model)


def iter_data_files(folder: Path, suffixes: tuple[str, ...] = (".yaml", ".yml")) -> Iterator[Path]:
    yield from sorted(p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())
