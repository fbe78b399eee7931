"""What the citizen felt: emotion over the call, predicted dissatisfaction, escalation risk, and
which calls people should review first. Built on the act layer's citizen acts; the inspection
engine adds a ``citizen`` block and a ``review`` verdict to every scorecard it can read words for."""

from __future__ import annotations

from hotline.native import package_path

__path__ = package_path(__name__, __path__)  # compiled modules first, when current

from typing import Any

from hotline.citizen.block import citizen_block, default_model
from hotline.citizen.emotion import prepare as prepare_emotions
from hotline.citizen.satisfaction import SatisfactionModel, prepare_text_buckets
from hotline.citizen.settings import CitizenError, CitizenSettings, load_settings
from hotline.citizen.triage import triage

__all__ = ["CitizenError", "CitizenSettings", "SatisfactionModel", "citizen_block", "default_model",
           "load_settings", "prepare", "review_settings", "triage"]


def prepare(contexts: list[Any]) -> None:
    """What ``citizen_block`` needs of many calls, computed in one pass (bulk inspection)."""
    if not contexts:
        return
    feats = prepare_emotions(contexts, load_settings())
    model = default_model()
    if model is not None:
        grams = prepare_text_buckets(contexts, model.settings)
        model.prepare(contexts, feats, grams)


def review_settings(rulebook: Any) -> Any:
    """The triage thresholds for a rulebook: ``data/citizen/settings.yaml`` with its ``review:`` on top."""
    review = load_settings().review
    return review.model_copy(update=rulebook.review) if rulebook.review else review
