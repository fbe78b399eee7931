"""What the citizen felt: emotion over the call, predicted dissatisfaction, escalation risk, and
which calls people should review first. Built on the act layer's citizen acts; the inspection
engine adds a ``citizen`` block and a ``review`` verdict to every scorecard it can read words for."""

from __future__ import annotations

from hotline.native import package_path

__path__ = package_path(__name__, __path__)  # compiled modules first, when current

import functools
import logging
import threading
from typing import Any

from hotline.citizen.emotion import emotions_of, escalation, set_course
from hotline.citizen.emotion import prepare as prepare_emotions
from hotline.citizen.satisfaction import SatisfactionModel, load, model_dir, prepare_text_buckets
from hotline.citizen.settings import CitizenError, CitizenSettings, load_settings
from hotline.citizen.triage import triage
from hotline.model import CitizenBlock

__all__ = ["CitizenError", "CitizenSettings", "SatisfactionModel", "citizen_block", "default_model",
           "load_settings", "prepare", "review_settings", "triage"]

_lock = threading.Lock()


@functools.cache
def _model() -> SatisfactionModel | None:
    try:
        return load(model_dir(), load_settings().satisfaction)
    except CitizenError as exc:
        # emotions and escalation still work; say once why there is no dissatisfaction
        logging.getLogger("hotline.citizen").warning("不满意预测不可用：%s", exc)
        return None


def default_model() -> SatisfactionModel | None:
    """The bundled dissatisfaction model (None when it is not there: the block still has emotions)."""
    with _lock:
        return _model()


def citizen_block(ctx: Any, model: SatisfactionModel | None = None) -> CitizenBlock:
    settings = load_settings()
    emotions = emotions_of(ctx, settings)
    block = CitizenBlock(anger=emotions.anger, anxiety=emotions.anxiety)
    set_course(block, emotions.course)
    block.escalation_risk, block.escalation = escalation(ctx, settings)
    model = model or default_model()
    if model is not None and emotions.anger:
        block.dissatisfaction = model.dissatisfied(ctx)
        if block.dissatisfaction >= settings.satisfaction.explain_from:  # which turns drove it, where it matters
            block.drivers = model.drivers(ctx)
    return block


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
