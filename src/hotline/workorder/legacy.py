"""Translating between an older classification (the 15-class government-message taxonomy) and the
current one (data: legacy_teddy.yaml), so models and data labelled in either can be compared."""

from __future__ import annotations

from hotline.workorder.schema import Category, LegacyMap, Taxonomy, load_legacy, load_taxonomy


def _prefix(prefix: list[str], path: list[str]) -> bool:
    return path[: len(prefix)] == prefix


def to_current(old_path: list[str], legacy: LegacyMap | None = None) -> list[str]:
    """The current category path for an old one (longest matching ``old`` prefix); [] when unknown."""
    legacy = legacy or load_legacy()
    best: list[str] = []
    best_len = 0
    for entry in legacy.map:
        if len(entry.old) > best_len and _prefix(entry.old, old_path):
            best, best_len = entry.new, len(entry.old)
    return list(best)


def to_legacy(path: list[str], legacy: LegacyMap | None = None) -> list[str]:
    """The old category path for a current one (longest matching ``new`` prefix, the first listed
    on a tie); [] when the old classification has no counterpart."""
    legacy = legacy or load_legacy()
    best: list[str] = []
    best_len = 0
    for entry in legacy.map:
        if entry.reverse and len(entry.new) > best_len and _prefix(entry.new, path):
            best, best_len = entry.old, len(entry.new)
    return list(best)


def is_legacy_label(label: str, legacy: LegacyMap | None = None, taxonomy: Taxonomy | None = None) -> bool:
    """An old first-level name that is not also a current one (卫生计生, 政法, 国土资源…)."""
    legacy = legacy or load_legacy()
    taxonomy = taxonomy or load_taxonomy()
    return label in legacy.classes and label not in taxonomy.top_names()


def _words_mapped_elsewhere(node: Category, path: list[str], old: str, legacy: LegacyMap) -> set[str]:
    """Words of ``node``'s descendants that belong to another old class (市场监管's food words go with
    卫生计生, not with 商贸旅游 where the rest of 市场监管 goes)."""
    out: set[str] = set()
    for child in node.child_nodes():
        child_path = [*path, child.name]
        mapped = to_legacy(child_path, legacy)
        if mapped and mapped[0] != old:
            out.update(child.keywords, child.core_keywords)
        out |= _words_mapped_elsewhere(child, child_path, old, legacy)
    return out


def legacy_view(taxonomy: Taxonomy | None = None, legacy: LegacyMap | None = None) -> Taxonomy:
    """The current taxonomy regrouped into the old first-level classes: each old class gathers the
    words, descriptions and examples of the current categories that map to it. A zero-shot
    classifier over this view answers in the old labels."""
    taxonomy = taxonomy or load_taxonomy()
    legacy = legacy or load_legacy()
    pools: dict[str, dict[str, list[str]]] = {
        name: {"keywords": [], "core_keywords": [], "examples": [], "children": []}
        for name in legacy.classes
    }

    def walk(node: Category, path: list[str]) -> None:
        old = to_legacy(path, legacy)
        if old:
            pool = pools[old[0]]
            elsewhere = _words_mapped_elsewhere(node, path, old[0], legacy)
            pool["keywords"] += [w for w in node.keywords if w not in elsewhere]
            pool["core_keywords"] += [w for w in node.core_keywords if w not in elsewhere]
            pool["examples"] += node.examples
            if node.description:  # each its own prototype: one long joined text embeds poorly
                pool["examples"].append(f"{node.name}：{node.description}")
            if len(path) > 1 and node.name != "其他":
                pool["children"].append(node.name)
        for child in node.child_nodes():
            walk(child, [*path, child.name])

    for top in taxonomy.categories:
        walk(top, [top.name])
    cats = [
        Category(name=name, keywords=list(dict.fromkeys(p["keywords"])),
                 core_keywords=list(dict.fromkeys(p["core_keywords"])), examples=p["examples"],
                 children=list(dict.fromkeys(p["children"])))
        for name, p in pools.items() if p["keywords"] or p["examples"]
    ]
    return Taxonomy(version=f"{taxonomy.version}+{legacy.version}", name=legacy.name, categories=cats)
