"""Recordings: voice activity per channel, timing and level metrics, transcript alignment and
pluggable speech-to-text. Light to import: numpy, soundfile and the VAD load when first used."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hotline.audio.errors import AudioError, AudioSettingsError, SpeechToTextError
from hotline.audio.recording import AUDIO_SUFFIXES, is_audio_file
from hotline.audio.settings import AudioSettings, load_settings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from hotline.audio.stt import Transcriber
    from hotline.errors import HotlineError
    from hotline.model import Call

__all__ = [
    "AUDIO_SUFFIXES",
    "AudioError",
    "AudioSettings",
    "AudioSettingsError",
    "SpeechToTextError",
    "find_recordings",
    "is_audio_file",
    "load_call",
    "load_calls",
    "load_settings",
]


def load_call(
    audio_path: str | Path,
    transcript: Call | None = None,
    *,
    settings: AudioSettings | str | Path | None = None,
    transcriber: Transcriber | None = None,
) -> Call:
    """A Call with timed turns and ``meta["metrics"]`` (see ``hotline.audio.pipeline.load_call``)."""
    from hotline.audio.pipeline import load_call as _load_call

    return _load_call(audio_path, transcript, settings=settings, transcriber=transcriber)


def load_calls(
    path: str | Path,
    transcript: str | Path | None = None,
    *,
    settings: AudioSettings | str | Path | None = None,
    transcriber: Transcriber | None = None,
    on_error: Callable[[HotlineError], None] | None = None,
) -> Iterator[Call]:
    """Every recording under a file or folder as a Call (see ``hotline.audio.batch.load_calls``)."""
    from hotline.audio.batch import load_calls as _load_calls

    return _load_calls(path, transcript, settings=settings, transcriber=transcriber, on_error=on_error)


def find_recordings(folder: str | Path) -> list[Path]:
    """Recordings in a folder and its subfolders, sorted."""
    from hotline.audio.batch import find_recordings as _find

    return _find(folder)
