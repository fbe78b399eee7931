"""The act layer's settings (``data/acts/features.yaml``), validated by pydantic at load time. Apart from the
modules that use them: those are compiled (``hotline.native``), and a compiled module holds no pydantic model."""

from __future__ import annotations

from pydantic import Field

from hotline.content import Strict


class SegmentSettings(Strict):
    separators: str = ",.!?;:…~—"
    long_clause: int = Field(18, ge=4)
    min_piece: int = Field(4, ge=1)
    window: int = Field(14, ge=4, description="a run-on still longer than long_clause is also read in windows this long")
    stride: int = Field(7, ge=1)
    markers: list[str] = []
    quote_pairs: list[str] = ["「」", "“”"]



class ModelSettings(Strict):
    C: float = Field(4.0, gt=0)
    augment: int = Field(2, ge=0, le=10, description="training variants written per corpus record")
    folds: int = Field(5, ge=2)
    seed: int = 20261202


class FeatureSettings(Strict):
    segment: SegmentSettings = Field(default_factory=SegmentSettings)  # (made when used: an instance here builds its
    # validator at import, at every start, when a start from the cache validates nothing)
    ngram_min: int = Field(1, ge=1, le=4)
    ngram_max: int = Field(4, ge=1, le=6)
    unigram_scale: float = Field(
        1.0, gt=0, le=1, description="single characters count this much (less: the model leans on longer cues)")
    classes: dict[str, list[str]] = {}
    model: ModelSettings = Field(default_factory=ModelSettings)
