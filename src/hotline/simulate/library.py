"""The scenario library: scenario YAML files plus the persona defaults, loaded and validated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hotline.content import data_path, iter_data_files, load_yaml_model
from hotline.errors import ContentError
from hotline.simulate.errors import ScenarioNotFound
from hotline.simulate.schema import PersonaDefaults, Scenario, Slot

DEFAULTS_FILE = "persona_defaults.yaml"


@dataclass(slots=True)
class ScenarioLibrary:
    """All scenarios by id, the persona defaults, and the files that failed to load."""

    defaults: PersonaDefaults
    scenarios: dict[str, Scenario]
    errors: list[ContentError] = field(default_factory=list)

    def get(self, scenario_id: str) -> Scenario:
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            raise ScenarioNotFound(
                f"没有这个场景：{scenario_id}（用 hotline scenarios 查看全部场景编号）"
            ) from None

    def ids(self) -> list[str]:
        return sorted(self.scenarios)

    def filter(self, domain: str | None = None, colour: str | None = None, kind: str | None = None) -> list[Scenario]:
        out = []
        for sc in self.scenarios.values():
            if domain and sc.domain != domain:
                continue
            if colour and sc.persona.colour != colour:
                continue
            if kind and sc.kind != kind:
                continue
            out.append(sc)
        return sorted(out, key=lambda s: (s.domain, s.difficulty, s.id))


def load_defaults(path: Path | None = None) -> PersonaDefaults:
    return load_yaml_model(path or data_path("scenarios", DEFAULTS_FILE), PersonaDefaults)


def load_scenario(path: Path, defaults: PersonaDefaults) -> Scenario:
    """Load one scenario file; its id defaults to the file name; standard slots get their defaults."""
    sc = load_yaml_model(path, Scenario)
    if not sc.id:
        sc.id = path.stem
    sc.slots = {key: fill_slot(key, slot, defaults) for key, slot in sc.slots.items()}
    return sc


def fill_slot(key: str, slot: Slot, defaults: PersonaDefaults) -> Slot:
    std = defaults.standard_slots.get(key)
    if std is None:
        if not slot.label:
            slot.label = key
        return slot
    return slot.model_copy(
        update={
            "label": slot.label or std.label,
            "asked_by": slot.asked_by or list(std.asked_by),
            "keywords": slot.keywords or list(std.keywords),
            "example": slot.example or std.example,
            "generic": slot.generic or std.generic,
        }
    )


def load_library(folders: Iterable[Path] = (), *, strict: bool = False, defaults_path: Path | None = None,
                 bundled: bool = True) -> ScenarioLibrary:
    """Load the bundled scenarios (unless ``bundled`` is false) and those in ``folders`` (later files override).

    A bad file is collected in ``errors`` (or raised when ``strict``); the good ones still load."""
    defaults = load_defaults(defaults_path)
    lib = ScenarioLibrary(defaults=defaults, scenarios={})
    for folder in [*([data_path("scenarios", "library")] if bundled else []), *folders]:
        if not Path(folder).is_dir():
            raise ContentError("场景目录不存在", source=str(folder))
        for path in iter_data_files(Path(folder)):
            if path.name == DEFAULTS_FILE:
                continue
            try:
                sc = load_scenario(path, defaults)
            except ContentError as exc:
                if strict:
                    raise
                lib.errors.append(exc)
                continue
            lib.scenarios[sc.id] = sc
    return lib


@lru_cache(maxsize=1)
def default_library() -> ScenarioLibrary:
    """The bundled library (cached)."""
    return load_library()
