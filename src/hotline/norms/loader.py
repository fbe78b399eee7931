"""Loading the default rulebook, its lexicons and a city's override file, with precise errors."""

# No ``from __future__ import annotations``: pydantic reads these annotations as objects, not text to compile.
import copy
import functools
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from hotline.content import Strict, data_path, iter_data_files, read_yaml, translate_error, validate
from hotline.errors import RulebookError
from hotline.norms.schema import RefProblem, Rulebook

M = TypeVar("M", bound=BaseModel)


class LexiconEntry(Strict):
    description: str = ""
    phrases: list[str] = Field(min_length=1)


@functools.cache
def _lexicon_file() -> type[BaseModel]:
    """A lexicon file's schema (a mapping of names to entries), made when a lexicon is first read: a
    parametrised RootModel builds its validator at once, which a start from the cache never needs."""
    from pydantic import RootModel

    return RootModel[dict[str, LexiconEntry]]


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
    review: dict[str, float | bool] = {}
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
        entries: dict[str, LexiconEntry] = validate(_lexicon_file(), read_yaml(path, RulebookError), str(path),
                                                    RulebookError).root  # type: ignore[attr-defined]
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
    """The bundled rulebook, validated (or read back from the start-up cache, ``hotline.cache``)."""
    from hotline.cache import cached

    return cached("rulebook:default", (), _validated_default, Rulebook)


def _validated_default() -> Rulebook:
    return validate(Rulebook, _default_raw(), str(default_dir() / "default.yaml"), RulebookError)


def load_rulebook(path: str | Path | None = None, *, cache: bool = True) -> Rulebook:
    """The default rulebook, or the default extended by the city file at ``path``. A complete
    rulebook file (one with a ``scoring`` form, ``rules`` and no ``extends``) stands on its own.
    Every error in a city file names the file, its own line and the rule id it concerns.
    ``cache``: a city file validated before (and unchanged, like the default) is read back from the
    start-up cache."""
    if path is None:
        return load_default()
    path = Path(path)
    if path.resolve() == (default_dir() / "default.yaml").resolve():
        return load_default()
    if not cache:
        return _validated_city(path)
    from hotline.cache import cached

    return cached(f"rulebook:{path.resolve()}", (path,), lambda: _validated_city(path), Rulebook)


def _validated_city(path: Path) -> Rulebook:
    from hotline.norms import lines  # PyYAML's node tree, for the lines of errors: imported only here

    raw = read_yaml(path, RulebookError)
    if not isinstance(raw, dict):
        raise RulebookError("规则库文件应为 YAML 映射", source=str(path))
    city = CityFile(str(path), raw, lines.compose(path.read_text(encoding="utf-8-sig")))
    city.check_duplicate_keys()
    if "extends" not in raw and "scoring" in raw:
        return city.validate(Rulebook, raw, {})
    override = city.validate(Override, raw, {})
    if override.extends != "default":
        raise RulebookError(f"extends 只能是 default（实际：{override.extends}）", source=str(path),
                            location=city.where(("extends",)))
    city.check_repeated_ids(override)
    merged, origin = merge(_default_raw(), override, city)
    return city.validate(Rulebook, merged, origin)


class CityFile:
    """A city's rulebook file with the lines of its keys, so errors point into it (not into the merge)."""

    def __init__(self, source: str, raw: dict[str, Any], tree: Any):
        self.source, self.raw, self.tree = source, raw, tree

    def where(self, loc: tuple[str | int, ...], rule_id: str | None = None) -> str | None:
        from hotline.norms import lines

        line = lines.line_of(self.tree, loc)
        if line is None:
            return f"规则 {rule_id}" if rule_id else None
        return f"第 {line} 行" + (f"（规则 {rule_id}）" if rule_id else "")

    def error(self, message: str, loc: tuple[str | int, ...], rule_id: str | None = None) -> RulebookError:
        return RulebookError(message, source=self.source, location=self.where(loc, rule_id))

    def check_duplicate_keys(self) -> None:
        from hotline.norms import lines

        for key, first, again in lines.duplicate_keys(self.tree):
            raise RulebookError(f"键「{key}」写了两次（第 {first} 行与第 {again} 行），后一个会覆盖前一个；请合并成一处",
                                source=self.source, location=f"第 {again} 行")

    def check_repeated_ids(self, ov: Override) -> None:
        from hotline.norms import lines

        seen: dict[str, int] = {}
        for i, rule in enumerate(ov.rules):
            rule_id = rule.get("id")
            if not isinstance(rule_id, str):
                raise self.error("规则缺少 id（要修改或新增的规则都要写 id）", ("rules", i))
            if rule_id in seen:
                first = lines.line_of(self.tree, ("rules", seen[rule_id]))
                raise self.error(f"规则 {rule_id} 在本文件中覆盖了两次（另一处在第 {first} 行）；同一条规则的修改请写在一处",
                                 ("rules", i), rule_id)
            seen[rule_id] = i
        for i, rule_id in enumerate(ov.disable):
            if ov.disable.index(rule_id) != i:
                raise self.error(f"disable 中规则 {rule_id} 写了两次", ("disable", i), rule_id)

    def validate(self, model: type[M], data: Any, origin: dict[str, int]) -> M:
        """``model.model_validate(data)``; the first problem is reported at its line in the city file.
        ``origin`` maps the id of each rule this file wrote to its index in the file's ``rules``."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = sorted(exc.errors(), key=lambda e: e.get("type") != "extra_forbidden")  # a typo first
            problems = [self._place(err, data, origin) for err in errors[:5]]
            message = "；".join(text for text, _, _ in problems)
            _, loc, rule_id = problems[0]
            raise self.error(message, loc, rule_id) from None

    def _place(self, err: Any, data: Any, origin: dict[str, int]) -> tuple[str, tuple[str | int, ...], str | None]:
        loc = tuple(err["loc"])
        problem = (err.get("ctx") or {}).get("error")
        text = translate_error(err)
        if isinstance(problem, RefProblem):
            loc, text = problem.loc, text.split("：", 1)[-1]
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            rules = data.get("rules") if isinstance(data, dict) else None
            item = rules[loc[1]] if isinstance(rules, list) and loc[1] < len(rules) else None
            rule_id = str(item.get("id", "")) if isinstance(item, dict) else ""
            if origin:
                if rule_id not in origin:
                    return f"默认规则 {rule_id}（受本文件的词表或检测器修改影响）：{text}", ("rules",), rule_id
                loc = ("rules", origin[rule_id], *loc[2:])
            return f"{_path(loc)}：{text}", loc, rule_id or None
        if loc and loc[0] == "lexicons" and "lexicons" not in self.raw:
            loc = ("lexicon_additions", *loc[1:])
        return f"{_path(loc)}：{text}", loc, None


def _path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(顶层)"


def merge(base: dict[str, Any], ov: Override, city: CityFile) -> tuple[dict[str, Any], dict[str, int]]:
    """The default rulebook with the city's changes, and where each rule the city wrote came from."""
    out = copy.deepcopy(base)
    out["version"] = ov.version
    for key in ("name", "description"):
        if getattr(ov, key) is not None:
            out[key] = getattr(ov, key)
    out.setdefault("settings", {}).update(ov.settings)
    out["lexicons"].update(ov.lexicons)
    for name, extra in ov.lexicon_additions.items():
        if name not in out["lexicons"]:
            raise city.error(f"lexicon_additions：默认规则库没有词表「{name}」", ("lexicon_additions", name))
        out["lexicons"][name] = out["lexicons"][name] + [p for p in extra if p not in out["lexicons"][name]]
    out.setdefault("act_thresholds", {}).update(ov.act_thresholds)
    out.setdefault("review", {}).update(ov.review)
    out.setdefault("detectors", {}).update(ov.detectors)
    if ov.scoring is not None:
        out["scoring"] = ov.scoring
    if ov.call_goals is not None:
        out["call_goals"] = ov.call_goals
    by_id = {r["id"]: r for r in out["rules"]}
    origin: dict[str, int] = {}
    for i, rule in enumerate(ov.rules):
        origin[rule["id"]] = i
        if rule["id"] in by_id:
            by_id[rule["id"]].update(rule)
        else:
            out["rules"].append(rule)
            by_id[rule["id"]] = rule
    for i, rule_id in enumerate(ov.disable):
        if rule_id not in by_id:
            raise city.error(f"disable：默认规则库没有规则 {rule_id}", ("disable", i), rule_id)
        by_id[rule_id]["enabled"] = False
    return out, origin
