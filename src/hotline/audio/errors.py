"""Errors of the audio module (E7xx)."""

from __future__ import annotations

from hotline.errors import HotlineError


class AudioError(HotlineError):
    """A recording could not be read or analysed."""

    code = "E700"


class AudioSettingsError(AudioError):
    """The audio settings file is invalid."""

    code = "E701"


class SpeechToTextError(AudioError):
    """A speech-to-text backend is missing, misconfigured or failed."""

    code = "E702"
