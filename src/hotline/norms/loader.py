"""Loading the default rulebook, its lexicons and a city's override file, with precise errors."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

from pydantic import Field, RootModel

from hotline.content import Strict, data_path, iter_data_files, read_yaml, validate
from hotline.errors import RulebookError
from hotline.norms.schema import Rulebook


class LexiconEntry(Strict):
    description: str = ""
    phrases: list[str] = Field(min_length=1)


LexiconFile = RootModel[dict[str, LexiconEntry]]


class Override(Strict):
    """A city's rulebook file: extends the default, overriding by rule id."""

    extends: str = "default"
    name: str | None = None
    version: str
    description: str | None = None
    settings: dict[str, Any] = {}
    lexicons: dict[str, list[str]] = {}
    lexicon_additions: dict[str, list[str]] = {}
    act_thresholds: dict[str, float] = {}
    detectors: dict[str, Any] = {}
    call_goals: dict[str, Any] | None = None
    scoring: dict[str, Any] | None = None
    rules: list[dict[str, Any]] = []
    disable: list[str] = []


def default_dir() -> Path:
    return data_path("rulebook")


def load_lexicons(folder: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in iter_data_files(folder):
        entries = validate(LexiconFile, read_yaml(path, RulebookError), str(path), RulebookError).root
        for name, entry in entries.items():
            if name in out:
                raise RulebookError(f"词表「{name}」重复定义", source=str(path))
            out[name] = entry.phrases
    return out


def _default_raw() -> dict[str, Any]:
    folder = default_dir()
    raw = read_yaml(folder / "default.yaml", RulebookError)
    if not isinstance(raw, dict):
        raise RulebookError("规则库文件应为 YAML 映射", source=str(folder / "default.yaml"))
    raw.setdefault("lexicons", {}).update(load_lexicons(folder / "lexicons"))
    return raw


@functools.cache
def load_default() -> Rulebook:
    return validate(Rulebook, _default_raw(), str(default_dir() / "default.yaml"), RulebookError)


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """The default rulebook, or the default extended by the city file at ``path``. A complete
    rulebook file (one with a ``scoring`` form, ``rules`` and no ``extends``) stands on its own."""
    if path is None:
        return load_default()
    path = Path(path)
    if path.resolve() == (default_dir() / "default.yaml").resolve():
        return load_default()
    raw = read_yaml(path, RulebookError)
    if not isinstance(raw, dict):
        raise RulebookError("规则库文件应为 YAML 映射", source=str(path))
    if "extends" not in raw and "scoring" in raw:
        return validate(Rulebook, raw, str(path), RulebookError)
    override = validate(Override, raw, str(path), RulebookError)
    if override.extends != "default":
        raise RulebookError(f"extends 只能是 default（实际：{override.extends}）", source=str(path))
    return validate(Rulebook, merge(_default_raw(), override, str(path)), str(path), RulebookError)


def merge(base: dict[str, Any], ov: Override, source: str) -> dict[str, Any]:
    out = copy.deepcopy(base)
    out["version"] = ov.version
    for key in ("name", "description"):
        if getattr(ov, key) is not None:
            out[key] = getattr(ov, key)
    out.setdefault("settings", {}).update(ov.settings)
    out["lexicons"].update(ov.lexicons)
    for name, extra in ov.lexicon_additions.items():
        if name not in out["lexicons"]:
            raise RulebookError(f"lexicon_additions：默认规则库没有词表「{name}」", source=source)
        out["lexicons"][name] = out["lexicons"][name] + [p for p in extra if p not in out["lexicons"][name]]
    out.setdefault("act_thresholds", {}).update(ov.act_thresholds)
    out.setdefault("detectors", {}).update(ov.detectors)
    if ov.scoring is not None:
        out["scoring"] = ov.scoring
    if ov.call_goals is not None:
        out["call_goals"] = ov.call_goals
    by_id = {r["id"]: r for r in out["rules"]}
    for i, rule in enumerate(ov.rules):
        if "id" not in rule:
            raise RulebookError("规则缺少 id", source=source, location=f"rules[{i}]")
        if rule["id"] in by_id:
            by_id[rule["id"]].update(rule)
        else:
            out["rules"].append(rule)
            by_id[rule["id"]] = rule
    for rule_id in ov.disable:
        if rule_id not in by_id:
            raise RulebookError(f"disable：默认规则库没有规则 {rule_id}", source=source)
        by_id[rule_id]["enabled"] = False
    return out
