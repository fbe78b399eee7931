"""Rule titles and dimensions for pages, from the one inspection engine."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    title: str
    dimension: str


@lru_cache(maxsize=1)
def rule_catalog() -> dict[str, RuleInfo]:
    """Every rule of the default rulebook, in rulebook order."""
    from hotline.inspect import default_engine

    eng = default_engine()
    return {rid: RuleInfo(rid, eng.rule(rid).title, eng.rule(rid).dimension) for rid in eng.rule_ids()}


def rule_title(rule_id: str) -> str:
    info = rule_catalog().get(rule_id)
    return info.title if info else rule_id
