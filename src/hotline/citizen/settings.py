"""``data/citizen/settings.yaml``: emotion cues, escalation kinds, the satisfaction model's feature
settings and the review triage thresholds, validated at load time."""

from __future__ import annotations

import functools
import re

from pydantic import Field, model_validator

from hotline.content import Strict, data_path, load_yaml_model
from hotline.errors import HotlineError


class CitizenError(HotlineError):
    """A citizen-model file, setting or training set is invalid."""

    code = "E910"


class Cue(Strict):
    name: str
    pattern: str | None = None
    act: str | None = None
    min_prob: float = Field(0.5, gt=0, lt=1)
    anger: float = Field(0.0, ge=0, le=1)
    anxiety: float = Field(0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _one_source(self) -> Cue:
        if (self.pattern is None) == (self.act is None):
            raise ValueError(f"线索「{self.name}」要有 pattern（正则）或 act（言语行为）其中一个")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"线索「{self.name}」的正则无效：{exc}") from None
        return self


class EmotionSettings(Strict):
    anger_acts: list[str] = Field(min_length=1)
    anxiety_acts: list[str] = Field(min_length=1)
    cues: list[Cue] = []
    calm_below: float = Field(0.3, gt=0, lt=1)
    upset_from: float = Field(0.6, gt=0, lt=1)
    end_turns: int = Field(2, ge=1)
    settled_acts: list[str] = []
    settled_min_prob: float = Field(0.5, gt=0, lt=1)


class EscalationSettings(Strict):
    min_prob: float = Field(0.4, gt=0, lt=1)
    kinds: dict[str, list[str]] = Field(min_length=1)
    urgent: list[str] = []


class SatisfactionSettings(Strict):
    buckets: int = Field(16384, ge=256)
    ngram_max: int = Field(3, ge=1, le=4)
    agent_weight: float = Field(0.5, ge=0)
    act_weight: float = Field(0.05, gt=0)
    alpha: float = Field(1.0, gt=0)
    explain_from: float = Field(0.3, ge=0, le=1)
    folds: int = Field(5, ge=2)
    seed: int = 0
    labels: dict[str, float] = {}


class ReviewSettings(Strict):
    mandatory_dissatisfaction: float = Field(0.8, gt=0, le=1)
    mandatory_escalation: float = Field(0.7, gt=0, le=1)
    sample_dissatisfaction: float = Field(0.5, gt=0, le=1)
    uncertain_margin: float = Field(0.15, ge=0, lt=1)
    sample_rate: float = Field(0.05, ge=0, le=1)
    sample_below_pass_mark: bool = True


class CitizenSettings(Strict):
    emotion: EmotionSettings
    escalation: EscalationSettings
    satisfaction: SatisfactionSettings = Field(default_factory=SatisfactionSettings)  # (made when used: an instance here
    review: ReviewSettings = Field(default_factory=ReviewSettings)  # builds its validator at import, every start)

    @model_validator(mode="after")
    def _acts_exist(self) -> CitizenSettings:
        from hotline.acts.taxonomy import load_taxonomy

        known = set(load_taxonomy().names("citizen"))
        named = [*self.emotion.anger_acts, *self.emotion.anxiety_acts, *self.emotion.settled_acts, *(c.act for c in self.emotion.cues if c.act)]
        for act in named:
            if act not in known:
                raise ValueError(f"没有市民言语行为「{act}」（见 data/acts/taxonomy.yaml）")
        for kind in self.escalation.urgent:
            if kind not in self.escalation.kinds:
                raise ValueError(f"escalation.urgent：没有升级风险种类「{kind}」")
        if self.review.sample_dissatisfaction > self.review.mandatory_dissatisfaction:
            raise ValueError("review.sample_dissatisfaction 不能高于 mandatory_dissatisfaction")
        return self


@functools.cache
def load_settings() -> CitizenSettings:
    return load_yaml_model(data_path("citizen", "settings.yaml"), CitizenSettings, CitizenError)
