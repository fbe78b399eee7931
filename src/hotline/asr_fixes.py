"""``data/text/asr.yaml``, validated by pydantic at load time: what speech-to-text gets wrong, put right by
``hotline.text``. Apart from it: ``hotline.text`` is compiled (``hotline.native``), and a compiled module holds
no pydantic model."""

from __future__ import annotations

from pydantic import Field, field_validator

from hotline.content import Strict


class AsrFixes(Strict):
    """``data/text/asr.yaml``: same-length replacements and the spoken-digit readings."""

    replacements: dict[str, str] = {}
    spoken_digits: dict[str, str] = {}
    spoken_digit_min_run: int = Field(3, ge=2)

    @field_validator("replacements")
    @classmethod
    def _same_length(cls, v: dict[str, str]) -> dict[str, str]:
        for wrong, right in v.items():
            if not wrong or len(wrong) != len(right):
                raise ValueError(f"「{wrong}」→「{right}」：替换前后字数必须相同（质检位置要能指回原文）")
        return v

    @field_validator("spoken_digits")
    @classmethod
    def _one_char(cls, v: dict[str, str]) -> dict[str, str]:
        for reading, digit in v.items():
            if len(reading) != 1 or len(digit) != 1 or not digit.isdigit():
                raise ValueError(f"「{reading}」→「{digit}」：口读数字应是一个字对应一个阿拉伯数字")
        return v
