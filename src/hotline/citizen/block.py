"""The citizen block of one call (``citizen_block``) and the dissatisfaction model it uses (``default_model``):
asked by the engine for every call it reads words for, so compiled with it (``hotline.native``).
``hotline.citizen`` names both."""

from __future__ import annotations

import threading

from hotline.citizen.emotion import emotions_of, escalation, set_course
from hotline.citizen.satisfaction import SatisfactionModel, load, model_dir
from hotline.citizen.settings import CitizenError, load_settings
from hotline.inspect.context import CallContext
from hotline.model import CitizenBlock

_lock = threading.Lock()
_loaded: list[SatisfactionModel | None] = []  # the model once loaded (or None: there is none)


def default_model() -> SatisfactionModel | None:
    """The bundled dissatisfaction model (None when it is not there: the block still has emotions). Loaded once,
    by the first thread that asks."""
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            _loaded.append(_load())
        return _loaded[0]


def _load() -> SatisfactionModel | None:
    try:
        return load(model_dir(), load_settings().satisfaction)
    except CitizenError as exc:
        # emotions and escalation still work; say once why there is no dissatisfaction (logging loaded here only:
        # the start-up of a run that has its model does without it)
        import logging

        logging.getLogger("hotline.citizen").warning("不满意预测不可用：%s", exc)
        return None


def citizen_block(ctx: CallContext, model: SatisfactionModel | None = None) -> CitizenBlock:
    settings = load_settings()
    emotions = emotions_of(ctx, settings)
    block = CitizenBlock(anger=emotions.anger, anxiety=emotions.anxiety)
    set_course(block, emotions.course)
    block.escalation_risk, block.escalation = escalation(ctx, settings)
    if model is None:
        model = default_model()
    if model is not None and emotions.anger:
        dissatisfaction = model.dissatisfied(ctx)
        block.dissatisfaction = dissatisfaction
        if dissatisfaction >= settings.satisfaction.explain_from:  # which turns drove it, where it matters
            block.drivers = model.drivers(ctx)
    return block
