"""Many recordings at once: a thin loop over ``load_call`` that reports bad files and goes on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from hotline.audio.errors import AudioError
from hotline.audio.pipeline import load_call, resolve_settings
from hotline.audio.recording import is_audio_file
from hotline.audio.settings import AudioSettings
from hotline.audio.stt import Transcriber, make_transcriber
from hotline.errors import HotlineError
from hotline.model import Call

ErrorHandler = Callable[[HotlineError], None]


def _raise(exc: HotlineError) -> None:
    raise exc


def find_recordings(folder: str | Path) -> list[Path]:
    """Recordings in a folder and its subfolders, sorted."""
    return sorted(p for p in Path(folder).rglob("*") if p.is_file() and is_audio_file(p))


def transcript_for(audio: Path, transcript: Path | None) -> Call | None:
    """The transcript of one recording: the file itself, or in a folder the file with the same name."""
    from hotline.formats import TRANSCRIPT_SUFFIXES, read_call

    if transcript is None:
        return None
    if not transcript.is_dir():
        return read_call(transcript)
    for p in sorted(transcript.iterdir()):
        if p.stem == audio.stem and p.suffix.lower() in TRANSCRIPT_SUFFIXES and p.is_file():
            return read_call(p)
    return None


def load_calls(
    path: str | Path,
    transcript: str | Path | None = None,
    *,
    settings: AudioSettings | str | Path | None = None,
    transcriber: Transcriber | None = None,
    on_error: ErrorHandler | None = None,
) -> Iterator[Call]:
    """Every recording under ``path`` (a file or a folder) as a Call. ``transcript`` is a file for a
    single recording or a folder matched by file name. A bad recording goes to ``on_error`` (without a
    handler it raises); the speech-to-text backend is built once for the whole run."""
    handle = on_error or _raise
    cfg = resolve_settings(settings)
    root = Path(path)
    files = find_recordings(root) if root.is_dir() else [root]
    if not files:
        handle(AudioError("文件夹里没有录音文件（.wav .flac .ogg .mp3）", source=str(root)))
        return
    tdir = Path(transcript) if transcript is not None else None
    if tdir is not None and not tdir.is_dir() and len(files) > 1:
        handle(AudioError("分析多个录音时，--transcript 应为存放同名转写文件的文件夹", source=str(tdir)))
        return
    backend = transcriber if transcriber is not None else make_transcriber(cfg.stt)
    try:
        for f in files:
            try:
                yield load_call(f, transcript_for(f, tdir), settings=cfg, transcriber=backend)
            except HotlineError as exc:
                handle(exc)
    finally:
        if backend is not None and transcriber is None:
            backend.close()
