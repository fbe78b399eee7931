"""Audio settings: package defaults in ``data/audio/settings.yaml``, overridable by a city's file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from hotline.audio.errors import AudioSettingsError
from hotline.content import Strict, data_path, read_yaml, validate


class ChannelSettings(Strict):
    agent: Literal["left", "right"] = "left"
    warn_swap: bool = True
    agent_speaks_first: bool = True


class VadSettings(Strict):
    threshold: float = Field(default=0.5, gt=0, lt=1)
    neg_threshold: float = Field(default=0.35, gt=0, lt=1)
    min_speech: float = Field(default=0.25, ge=0)
    min_silence: float = Field(default=0.3, ge=0)
    speech_pad: float = Field(default=0.05, ge=0)
    crosstalk_db: float = Field(default=8.0, ge=0)

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> VadSettings:
        if self.neg_threshold > self.threshold:
            raise ValueError("neg_threshold（停止说话阈值）不能大于 threshold（开始说话阈值）")
        return self


class TurnSettings(Strict):
    merge_gap: float = Field(default=0.8, ge=0)


class MetricSettings(Strict):
    dead_air: float = Field(default=5.0, gt=0)
    clipping_level: float = Field(default=0.99, gt=0, le=1)
    overlap_min: float = Field(default=0.2, ge=0)


class AlignmentSettings(Strict):
    max_offset: float = Field(default=10.0, ge=0)
    min_gain: float = Field(default=0.05, ge=0)


class HttpSttSettings(Strict):
    url: str = ""
    model: str = "whisper-1"
    api_key_env: str = ""
    timeout: float = Field(default=60.0, gt=0)


class SherpaSttSettings(Strict):
    model_dir: str = ""
    model_type: Literal["auto", "paraformer", "sense_voice", "whisper", "transducer"] = "auto"
    num_threads: int = Field(default=2, ge=1)


class SttSettings(Strict):
    backend: Literal["none", "sherpa-onnx", "http"] = "none"
    language: str = "zh"
    max_clip: float = Field(default=25.0, gt=1)
    http: HttpSttSettings = Field(default_factory=HttpSttSettings)
    sherpa_onnx: SherpaSttSettings = Field(default_factory=SherpaSttSettings)


class AudioSettings(Strict):
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
    vad: VadSettings = Field(default_factory=VadSettings)
    turns: TurnSettings = Field(default_factory=TurnSettings)
    metrics: MetricSettings = Field(default_factory=MetricSettings)
    alignment: AlignmentSettings = Field(default_factory=AlignmentSettings)
    stt: SttSettings = Field(default_factory=SttSettings)


def default_settings_path() -> Path:
    return data_path("audio", "settings.yaml")


@lru_cache(maxsize=1)
def _default_data() -> dict[str, Any]:
    data = read_yaml(default_settings_path(), AudioSettingsError) or {}
    validate(AudioSettings, data, str(default_settings_path()), AudioSettingsError)
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(path: str | Path | None = None, **overrides: Any) -> AudioSettings:
    """Defaults, then the keys of ``path`` (a partial YAML file), then ``overrides`` (nested dicts)."""
    data = _default_data()
    source = str(default_settings_path())
    if path is not None:
        extra = read_yaml(Path(path), AudioSettingsError)
        if extra is None:
            extra = {}
        if not isinstance(extra, dict):
            raise AudioSettingsError("顶层应为键值对（映射）", source=str(path))
        data = _merge(data, extra)
        source = str(path)
    if overrides:
        data = _merge(data, overrides)
    return validate(AudioSettings, data, source, AudioSettingsError)
