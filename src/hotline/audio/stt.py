"""Pluggable speech-to-text: none (default; a transcript is required), sherpa-onnx with a model
directory the operator provides, or an OpenAI-compatible ``/v1/audio/transcriptions`` server.
Nothing is downloaded: the product never fetches a model."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from hotline.audio.errors import SpeechToTextError
from hotline.audio.settings import HttpSttSettings, SherpaSttSettings, SttSettings

if TYPE_CHECKING:
    import numpy as np

TRANSCRIPTIONS_PATH = "/v1/audio/transcriptions"


class Transcriber(Protocol):
    name: str

    def transcribe(self, samples: np.ndarray, sample_rate: int) -> str:
        """Text of one stretch of mono speech."""
        ...

    def close(self) -> None: ...


def make_transcriber(cfg: SttSettings) -> Transcriber | None:
    """The configured backend, or None for ``backend: none``."""
    if cfg.backend == "http":
        return HttpTranscriber(cfg.http, cfg.language)
    if cfg.backend == "sherpa-onnx":
        return SherpaTranscriber(cfg.sherpa_onnx, cfg.language)
    return None


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, samples, sample_rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def endpoint(url: str) -> str:
    """Full transcription URL from a server address (with or without ``/v1`` or the full path)."""
    base = url.rstrip("/")
    if base.endswith(TRANSCRIPTIONS_PATH):
        return base
    if base.endswith("/v1"):
        base = base[: -len("/v1")]
    return base + TRANSCRIPTIONS_PATH


class HttpTranscriber:
    """Client of an OpenAI-compatible transcription server (whisper.cpp server, vLLM, FunASR…)."""

    name = "http"

    def __init__(self, cfg: HttpSttSettings, language: str):
        import httpx

        if not cfg.url:
            raise SpeechToTextError("语音转写后端为 http，但未配置服务地址（stt.http.url）")
        self.url = endpoint(cfg.url)
        self.cfg = cfg
        self.language = language
        headers = {}
        if cfg.api_key_env and os.environ.get(cfg.api_key_env):
            headers["Authorization"] = f"Bearer {os.environ[cfg.api_key_env]}"
        self.client = httpx.Client(timeout=cfg.timeout, headers=headers)

    def transcribe(self, samples: np.ndarray, sample_rate: int) -> str:
        import httpx

        files = {"file": ("turn.wav", wav_bytes(samples, sample_rate), "audio/wav")}
        data = {"model": self.cfg.model, "language": self.language, "response_format": "json"}
        try:
            resp = self.client.post(self.url, files=files, data=data)
        except httpx.HTTPError as exc:
            raise SpeechToTextError(f"无法连接语音转写服务：{exc}", source=self.url) from None
        if resp.status_code != 200:
            raise SpeechToTextError(
                f"语音转写服务返回错误 {resp.status_code}：{resp.text[:200]}", source=self.url
            )
        return _text_of(resp, self.url)

    def close(self) -> None:
        self.client.close()


def _text_of(resp: Any, url: str) -> str:
    if not resp.headers.get("content-type", "").startswith("application/json"):
        return resp.text.strip()
    try:
        body = resp.json()
    except ValueError:
        raise SpeechToTextError("语音转写服务返回的不是有效的 JSON", source=url) from None
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise SpeechToTextError("语音转写服务的回应缺少 text 字段", source=url)
    return body["text"].strip()


class SherpaTranscriber:
    """Offline recognition with sherpa-onnx from a model directory provided by the operator."""

    name = "sherpa-onnx"

    def __init__(self, cfg: SherpaSttSettings, language: str):
        try:
            import sherpa_onnx
        except ImportError:
            raise SpeechToTextError(
                "未安装 sherpa-onnx：请运维人员安装（pip install sherpa-onnx）并在 stt.sherpa_onnx.model_dir "
                "指定模型目录；本产品不会自动下载模型"
            ) from None
        folder = Path(cfg.model_dir)
        if not cfg.model_dir or not folder.is_dir():
            raise SpeechToTextError(
                "sherpa-onnx 模型目录不存在（stt.sherpa_onnx.model_dir）", source=cfg.model_dir
            )
        kind, files = model_files(folder, cfg.model_type)
        self.recognizer = _build(sherpa_onnx.OfflineRecognizer, kind, files, cfg.num_threads, language)

    def transcribe(self, samples: np.ndarray, sample_rate: int) -> str:
        stream = self.recognizer.create_stream()
        stream.accept_waveform(sample_rate, samples)
        self.recognizer.decode_stream(stream)
        return str(stream.result.text).strip()

    def close(self) -> None:
        self.recognizer = None


def _pick(folder: Path, stem: str) -> str | None:
    """``stem.int8.onnx`` (faster on CPU) or ``stem.onnx``, also with a prefix such as ``tiny-``."""
    for pattern in (f"{stem}.int8.onnx", f"{stem}.onnx", f"*{stem}.int8.onnx", f"*{stem}.onnx"):
        found = sorted(folder.glob(pattern))
        if found:
            return str(found[0])
    return None


def model_files(folder: Path, model_type: str) -> tuple[str, dict[str, str]]:
    """Model kind and file paths found in a sherpa-onnx model directory."""
    tokens = sorted(folder.glob("tokens.txt")) or sorted(folder.glob("*tokens.txt"))
    if not tokens:
        raise SpeechToTextError("模型目录中没有 tokens.txt", source=str(folder))
    parts = {name: _pick(folder, name) for name in ("encoder", "decoder", "joiner", "model")}
    kind = model_type if model_type != "auto" else _guess_kind(folder, parts)
    needed = {"transducer": ("encoder", "decoder", "joiner"), "whisper": ("encoder", "decoder")}.get(
        kind, ("model",)
    )
    missing = [n for n in needed if not parts[n]]
    if missing:
        raise SpeechToTextError(
            f"模型目录缺少 {kind} 模型文件：{', '.join(missing)}*.onnx", source=str(folder)
        )
    files = {n: str(parts[n]) for n in needed}
    files["tokens"] = str(tokens[0])
    return kind, files


def _guess_kind(folder: Path, parts: dict[str, str | None]) -> str:
    if parts["encoder"] and parts["decoder"]:
        return "transducer" if parts["joiner"] else "whisper"
    if parts["model"]:
        return "sense_voice" if "sense" in folder.name.lower() else "paraformer"
    raise SpeechToTextError(
        "无法识别模型目录的类型，请在 stt.sherpa_onnx.model_type 中指定", source=str(folder)
    )


def _build(cls: Any, kind: str, f: dict[str, str], threads: int, language: str) -> Any:
    if kind == "paraformer":
        return cls.from_paraformer(paraformer=f["model"], tokens=f["tokens"], num_threads=threads)
    if kind == "sense_voice":
        return cls.from_sense_voice(
            model=f["model"], tokens=f["tokens"], num_threads=threads, language=language, use_itn=True
        )
    if kind == "whisper":
        return cls.from_whisper(
            encoder=f["encoder"],
            decoder=f["decoder"],
            tokens=f["tokens"],
            num_threads=threads,
            language=language,
        )
    return cls.from_transducer(
        encoder=f["encoder"],
        decoder=f["decoder"],
        joiner=f["joiner"],
        tokens=f["tokens"],
        num_threads=threads,
    )
