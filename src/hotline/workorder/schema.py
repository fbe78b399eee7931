"""Schemas and cached loaders of the work-order package data (``hotline/data/workorder``)."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from pydantic import Field, model_validator

from hotline.content import Strict, data_path, load_yaml_model
from hotline.errors import HotlineError


class WorkOrderError(HotlineError):
    """A work order, training file or work-order data file is invalid."""

    code = "E400"


class Category(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    keywords: list[str] = []
    core_keywords: list[str] = []
    examples: list[str] = []
    children: list[Category | str] = []

    def child_nodes(self) -> list[Category]:
        return [c if isinstance(c, Category) else Category(name=c) for c in self.children]


class Taxonomy(Strict):
    version: str
    name: str = ""
    categories: list[Category] = Field(min_length=1)

    def find(self, path: list[str]) -> Category | None:
        """The node at ``path`` (names from the top), or None."""
        nodes, node = self.categories, None
        for name in path:
            node = next((c for c in nodes if c.name == name), None)
            if node is None:
                return None
            nodes = node.child_nodes()
        return node

    def top_names(self) -> list[str]:
        return [c.name for c in self.categories]

    def paths(self) -> list[list[str]]:
        """Every category path, parents before children."""
        out: list[list[str]] = []

        def walk(nodes: list[Category], prefix: list[str]) -> None:
            for node in nodes:
                out.append([*prefix, node.name])
                walk(node.child_nodes(), [*prefix, node.name])

        walk(self.categories, [])
        return out


def split_path(label: str) -> list[str]:
    """A category written as one string (``城乡建设 › 物业管理``, ``城乡建设/物业管理``) as a path."""
    for sep in ("›", ">", "＞", "/", "／"):
        if sep in label:
            return [p.strip() for p in label.split(sep) if p.strip()]
    return [label.strip()] if label.strip() else []


class LegacyEntry(Strict):
    old: list[str] = Field(min_length=1)
    new: list[str] = Field(min_length=1)
    reverse: bool = True  # false: only old → new (the new category mostly held another old class)


class LegacyMap(Strict):
    """Correspondence from an older classification to the current taxonomy (legacy_teddy.yaml)."""

    version: str
    name: str = ""
    classes: list[str] = Field(min_length=1)
    map: list[LegacyEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_classes(self) -> LegacyMap:
        for i, entry in enumerate(self.map):
            if entry.old[0] not in self.classes:
                raise ValueError(f"map[{i}].old 的一级类别「{entry.old[0]}」不在 classes 中")
        return self


class Cue(Strict):
    phrase: str = Field(min_length=1)
    weight: float = 1.0
    unless_next: str = ""  # characters that, right after the phrase, make it another word (怎么办 + 理)


class RequestType(Strict):
    name: str
    rank: int
    description: str
    cues: list[Cue] = []
    examples: list[str] = []


class TypePattern(Strict):
    type: str
    label: str
    all: list[list[str]] = Field(min_length=2)
    weight: float = 1.0


class RequestTypes(Strict):
    version: str
    opening_factor: float = 1.0
    prior: dict[str, float] = {}
    urgency: dict[str, dict[str, float]] = {}
    acts: dict[str, dict[str, float]] = {}
    types: list[RequestType] = Field(min_length=1)
    patterns: list[TypePattern] = []
    invalid_reasons: list[str]
    misdial_cues: list[str] = []
    misdial_unless: list[str] = []

    @model_validator(mode="after")
    def _known_types(self) -> RequestTypes:
        names = set(self.names())
        used = [("prior", t) for t in self.prior]
        used += [(f"urgency.{lv}", t) for lv, m in self.urgency.items() for t in m]
        used += [(f"acts.{a}", t) for a, m in self.acts.items() for t in m]
        used += [(f"patterns[{i}].type", p.type) for i, p in enumerate(self.patterns)]
        for where, name in used:
            if name not in names:
                raise ValueError(f"{where}：诉求类型「{name}」不在 types 中")
        return self

    def names(self) -> list[str]:
        return [t.name for t in self.types]

    def rank(self, name: str) -> int:
        return next((t.rank for t in self.types if t.name == name), 0)


class UrgencyCue(Strict):
    id: str
    label: str
    level: str
    any: list[str] = []
    all: list[list[str]] = []
    within: int = 40
    unless: list[str] = []
    now_only: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> UrgencyCue:
        if not self.any and not self.all:
            raise ValueError("any 与 all 至少填写一项")
        return self


class UrgencyRules(Strict):
    version: str
    levels: list[str] = Field(min_length=1)
    past_markers: list[str] = []
    now_markers: list[str] = []
    hypothetical: list[str] = []
    cues: list[UrgencyCue]

    @model_validator(mode="after")
    def _levels_known(self) -> UrgencyRules:
        for i, cue in enumerate(self.cues):
            if cue.level not in self.levels:
                raise ValueError(f"cues[{i}].level「{cue.level}」不在 levels 中")
        return self


class Route(Strict):
    category: list[str] = Field(min_length=1)
    district: str | None = None
    department: str
    fallback: str = ""
    also: list[str] = []

    def candidates(self) -> list[str]:
        """Every department name this route accepts (``{district}`` left in place)."""
        return [n for n in (self.department, self.fallback, *self.also) if n]


class BodyKind(Strict):
    kind: str = Field(min_length=1)
    names: list[str] = Field(min_length=1)


class TimeLimit(Strict):
    urgency: str | None = None
    request_type: str | None = None
    category: list[str] | None = None
    hours: float | None = None
    working_days: int | None = None

    @model_validator(mode="after")
    def _one_limit(self) -> TimeLimit:
        if (self.hours is None) == (self.working_days is None):
            raise ValueError("hours 与 working_days 必须且只能填写一项")
        return self


class RoutingTable(Strict):
    version: str
    default_department: str
    routes: list[Route]
    bodies: list[BodyKind] = []
    emergency_lines: dict[str, str] = {}
    time_limits: list[TimeLimit] = Field(min_length=1)
    holidays: list[date] = []
    workdays: list[date] = []


class CheckSettings(Strict):
    version: str
    required: dict[str, list[str]]
    downgrade_min_confidence: float = 0.5
    request_overlap_min: float = 0.35
    category_min_confidence: float = 0.6
    category_max_written: float = 0.1

    def required_for(self, request_type: str) -> list[str]:
        return self.required.get(request_type) or self.required.get("default", [])


class SummaryLexicon(Strict):
    version: str
    always: list[str]
    unless_said: list[str]
    request_markers: list[str]
    max_chars: int = Field(default=120, ge=20)
    feelings: list[str] = []
    to_agent: list[str] = []
    fillers: list[str] = []
    request_leads: list[str] = []
    demand_words: list[str] = []
    invalid: dict[str, str] = {}


class Home(Strict):
    province: str = ""
    city: str = ""


class ExtractionCues(Strict):
    version: str
    home: Home = Home()
    name_intro: list[str]
    surname_intro: list[str]
    honorifics: list[str]
    name_questions: list[str] = []
    surnames: list[str]
    address_intro: list[str]
    address_markers: list[str]
    place_markers: list[str] = []
    position_markers: list[str] = []
    agent_confirm: list[str] = []
    address_questions: list[str] = []
    request_markers: list[str]
    affirmations: list[str]
    chitchat: list[str]
    pronouns: dict[str, str]
    time_ignore: list[str] = []
    time_now: list[str] = []


def _path(name: str, override: Path | None) -> Path:
    return override if override is not None else data_path("workorder", name)


@cache
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    return load_yaml_model(_path("taxonomy.yaml", path), Taxonomy, WorkOrderError)


@cache
def load_legacy(path: Path | None = None, taxonomy_path: Path | None = None) -> LegacyMap:
    """The old-to-current correspondence; every ``new`` path must exist in the taxonomy."""
    source = _path("legacy_teddy.yaml", path)
    legacy = load_yaml_model(source, LegacyMap, WorkOrderError)
    known = {tuple(p) for p in load_taxonomy(taxonomy_path).paths()}
    for i, entry in enumerate(legacy.map):
        if tuple(entry.new) not in known:
            raise WorkOrderError(f"map[{i}].new：事项分类中没有「{' › '.join(entry.new)}」", source=str(source))
    return legacy


@cache
def load_request_types(path: Path | None = None) -> RequestTypes:
    return load_yaml_model(_path("request_types.yaml", path), RequestTypes, WorkOrderError)


@cache
def load_urgency(path: Path | None = None) -> UrgencyRules:
    return load_yaml_model(_path("urgency.yaml", path), UrgencyRules, WorkOrderError)


@cache
def load_routing(path: Path | None = None) -> RoutingTable:
    return load_yaml_model(_path("routing.yaml", path), RoutingTable, WorkOrderError)


@cache
def load_checks(path: Path | None = None) -> CheckSettings:
    return load_yaml_model(_path("checks.yaml", path), CheckSettings, WorkOrderError)


@cache
def load_summary_lexicon(path: Path | None = None) -> SummaryLexicon:
    return load_yaml_model(_path("summary_lexicon.yaml", path), SummaryLexicon, WorkOrderError)


@cache
def load_extraction(path: Path | None = None) -> ExtractionCues:
    return load_yaml_model(_path("extraction.yaml", path), ExtractionCues, WorkOrderError)
