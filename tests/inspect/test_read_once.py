"""What the engine reads once of the rulebook's pydantic models (each attribute of one is a generic lookup) stays
the model's own: a scope read under an id that a freed scope once had, a scoring form each card copies."""

from __future__ import annotations

import pytest
from helpers import card

from hotline.inspect import operators
from hotline.inspect.scoring import Form
from hotline.model import RuleOutcome
from hotline.norms import load_default
from hotline.norms.schema import Scope


def test_a_scope_read_is_of_that_scope_even_under_a_reused_id() -> None:
    old, new = Scope(speaker="agent", first_turns=2), Scope(speaker="citizen", min_chars=3)
    operators._SCOPES[id(new)] = operators._ScopeRead(old)  # as if a freed scope had held this id
    read = operators._read_scope(new)
    assert (read.speaker, read.first_turns, read.min_chars) == ("citizen", None, 3)
    assert operators._read_scope(new) is read  # and then remembered


def test_each_card_has_its_own_full_points() -> None:
    first = card("坐席：您好，12345热线。", "市民：我要反映噪音。")
    first.max_dimensions.clear()
    second = card("坐席：您好，12345热线。", "市民：我要反映噪音。")
    assert second.max_dimensions == {d.name: d.points for d in load_default().scoring.dimensions}


def test_a_form_scores_as_the_rulebook_says() -> None:
    rb = load_default()
    dim = rb.scoring.dimensions[0]
    got = Form(rb).score("c", [RuleOutcome("a.a.v1", dim.name, "failed", -dim.points / 2)], [])
    assert got.rulebook_version == rb.version and got.dimensions == {dim.name: dim.points / 2}


def test_a_late_import_is_imported_once_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """``context.late`` gives the module's own function and keeps it: asked again, it imports nothing (fails when
    it imports at every call, as the import statements in the per-call functions did)."""
    import importlib

    import hotline.citizen
    from hotline.inspect.context import late

    assert late("hotline.citizen:triage") is hotline.citizen.triage

    def refused(name: str) -> None:
        raise AssertionError(f"imported {name} again")

    monkeypatch.setattr(importlib, "import_module", refused)
    assert late("hotline.citizen:triage") is hotline.citizen.triage
