"""Speech-to-text backends: an OpenAI-compatible server (a stub on 127.0.0.1) and sherpa-onnx."""

from __future__ import annotations

import io
import json
import sys
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from hotline.audio import SpeechToTextError, load_call, load_settings
from hotline.audio.settings import SherpaSttSettings
from hotline.audio.stt import SherpaTranscriber, endpoint, model_files
from hotline.model import Speaker


class Stub(BaseHTTPRequestHandler):
    """Answers each clip with its number and length; remembers what it was sent."""

    requests: list[dict] = []
    status = 200
    content_type = "application/json"

    def do_POST(self):  # noqa: N802 (http.server naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        msg = BytesParser(policy=HTTP).parsebytes(head + body)
        parts = {p.get_param("name", header="content-disposition"): p for p in msg.iter_parts()}
        audio, rate = sf.read(io.BytesIO(parts["file"].get_payload(decode=True)))
        fields = {k: v.get_content().strip() for k, v in parts.items() if k != "file"}
        self.requests.append(
            {
                "path": self.path,
                "seconds": len(audio) / rate,
                "rate": rate,
                "auth": self.headers.get("Authorization"),
                **fields,
            }
        )
        n = len(self.requests)
        text = json.dumps({"text": f" 第{n}段 "}) if self.content_type == "application/json" else f"第{n}段\n"
        payload = text.encode() if self.status == 200 else "模型未加载".encode()
        self.send_response(self.status)
        self.send_header("Content-Type", f"{self.content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Stub.requests, Stub.status, Stub.content_type = [], 200, "application/json"
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _http(url: str, **extra):
    return load_settings(stt={"backend": "http", "http": {"url": url, **extra}})


def test_http_backend_transcribes_each_turn_of_each_channel(server, dialogue_wav):
    call = load_call(dialogue_wav, settings=_http(server, model="paraformer-zh"))
    assert call.meta["audio"]["turn_source"] == "http"
    assert [t.text for t in call.turns] == [f"第{i}段" for i in range(1, len(call.turns) + 1)]
    assert [t.speaker for t in call.turns] == [Speaker.AGENT, Speaker.CITIZEN, Speaker.AGENT, Speaker.CITIZEN]
    assert len(Stub.requests) == 4
    for req, turn in zip(Stub.requests, call.turns, strict=True):
        assert req["path"] == "/v1/audio/transcriptions"
        assert req["model"] == "paraformer-zh" and req["language"] == "zh"
        assert req["seconds"] == pytest.approx(turn.end - turn.start, abs=0.01)
        assert req["rate"] == 8000 and req["auth"] is None
    assert call.meta["metrics"]["agent_cpm"] is not None


def test_http_backend_sends_the_key_from_the_environment(server, dialogue_wav, monkeypatch):
    monkeypatch.setenv("HOTLINE_STT_KEY", "k-123")
    load_call(dialogue_wav, settings=_http(server + "/v1", api_key_env="HOTLINE_STT_KEY"))
    assert {r["auth"] for r in Stub.requests} == {"Bearer k-123"}


def test_http_backend_accepts_plain_text_answers(server, dialogue_wav):
    Stub.content_type = "text/plain"
    call = load_call(dialogue_wav, settings=_http(server))
    assert call.turns[0].text == "第1段"


def test_silent_call_sends_nothing_for_the_citizen(server, silent_call, tmp_path):
    call = load_call(silent_call.write(tmp_path / "silent.wav"), settings=_http(server))
    assert len(Stub.requests) == 3
    assert all(t.is_agent for t in call.turns)
    assert call.meta["metrics"]["citizen_speech_seconds"] == 0


def test_http_server_error_is_reported(server, dialogue_wav):
    Stub.status = 503
    with pytest.raises(SpeechToTextError, match="返回错误 503：模型未加载") as err:
        load_call(dialogue_wav, settings=_http(server))
    assert err.value.code == "E702" and server in str(err.value)


def test_unreachable_server_is_reported(dialogue_wav):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SpeechToTextError, match="无法连接语音转写服务"):
        load_call(dialogue_wav, settings=_http(f"http://127.0.0.1:{port}", timeout=2.0))


def test_http_without_url_is_refused(dialogue_wav):
    with pytest.raises(SpeechToTextError, match="未配置服务地址"):
        load_call(dialogue_wav, settings=load_settings(stt={"backend": "http"}))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://10.0.0.5:8000", "http://10.0.0.5:8000/v1/audio/transcriptions"),
        ("http://10.0.0.5:8000/v1/", "http://10.0.0.5:8000/v1/audio/transcriptions"),
        ("http://h/asr/v1/audio/transcriptions", "http://h/asr/v1/audio/transcriptions"),
    ],
)
def test_endpoint(url, expected):
    assert endpoint(url) == expected


@pytest.mark.parametrize(
    ("folder", "files", "kind"),
    [
        ("sherpa-onnx-paraformer-zh", ["model.onnx", "model.int8.onnx", "tokens.txt"], "paraformer"),
        ("sherpa-onnx-sense-voice-zh", ["model.int8.onnx", "tokens.txt"], "sense_voice"),
        ("whisper-tiny", ["tiny-encoder.onnx", "tiny-decoder.onnx", "tiny-tokens.txt"], "whisper"),
        ("zipformer", ["encoder.onnx", "decoder.onnx", "joiner.onnx", "tokens.txt"], "transducer"),
    ],
)
def test_model_directory_kinds(tmp_path, folder, files, kind):
    d = tmp_path / folder
    d.mkdir()
    for f in files:
        (d / f).write_bytes(b"")
    got, paths = model_files(d, "auto")
    assert got == kind
    assert paths["tokens"].endswith("tokens.txt")
    if kind == "paraformer":
        assert paths["model"].endswith("model.int8.onnx")


@pytest.mark.parametrize(
    ("files", "model_type", "message"),
    [
        (["model.onnx"], "auto", "tokens.txt"),
        (["tokens.txt"], "auto", "无法识别"),
        (["tokens.txt", "encoder.onnx"], "transducer", "decoder, joiner"),
    ],
)
def test_bad_model_directories(tmp_path, files, model_type, message):
    for f in files:
        (tmp_path / f).write_bytes(b"")
    with pytest.raises(SpeechToTextError, match=message):
        model_files(tmp_path, model_type)


def test_sherpa_missing_package_is_explained(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "sherpa_onnx", None)  # import fails as when not installed
    with pytest.raises(SpeechToTextError, match="未安装 sherpa-onnx.*不会自动下载模型"):
        SherpaTranscriber(SherpaSttSettings(model_dir=str(tmp_path)), "zh")


def test_sherpa_backend_drives_the_recognizer(monkeypatch, tmp_path, dialogue_wav):
    for f in ("model.int8.onnx", "tokens.txt"):
        (tmp_path / f).write_bytes(b"")
    seen: dict = {"clips": []}

    class Stream:
        def accept_waveform(self, rate, samples):
            seen["clips"].append((rate, len(samples), samples.dtype))
            self.result = SimpleNamespace(text=f" 片段{len(seen['clips'])} ")

    class Recognizer:
        @classmethod
        def from_paraformer(cls, **kw):
            seen["init"] = kw
            return cls()

        def create_stream(self):
            return Stream()

        def decode_stream(self, stream):
            seen["decoded"] = seen.get("decoded", 0) + 1

    monkeypatch.setitem(sys.modules, "sherpa_onnx", SimpleNamespace(OfflineRecognizer=Recognizer))
    cfg = load_settings(stt={"backend": "sherpa-onnx", "sherpa_onnx": {"model_dir": str(tmp_path)}})
    call = load_call(dialogue_wav, settings=cfg)
    assert seen["init"]["paraformer"].endswith("model.int8.onnx") and seen["init"]["num_threads"] == 2
    assert seen["decoded"] == len(call.turns) == 4
    assert [t.text for t in call.turns] == ["片段1", "片段2", "片段3", "片段4"]
    assert all(rate == 8000 and dtype == np.float32 for rate, _, dtype in seen["clips"])
    assert call.meta["audio"]["turn_source"] == "sherpa-onnx"


@pytest.mark.parametrize(
    ("span", "speech", "max_clip", "expected"),
    [
        ((0, 10), [(0, 4), (5, 10)], 25, [(0, 10)]),
        ((0, 30), [(0, 12), (13, 20), (21, 30)], 25, [(0, 20), (21, 30)]),
        ((0, 60), [(0, 60)], 25, [(0, 25), (25, 50), (50, 60)]),
        ((2, 8), [(0, 4), (6, 10)], 25, [(2, 8)]),
        ((0, 5), [], 25, [(0, 5)]),
    ],
)
def test_long_turns_are_cut_at_pauses(span, speech, max_clip, expected):
    from hotline.audio.pipeline import clips

    assert clips(span, speech, max_clip) == expected


def test_long_turn_is_sent_in_pieces(server, dialogue_wav):
    cfg = load_settings(stt={"backend": "http", "http": {"url": server}, "max_clip": 2.0})
    call = load_call(dialogue_wav, settings=cfg)
    assert max(r["seconds"] for r in Stub.requests) <= 2.0 + 1e-6
    assert len(Stub.requests) > len(call.turns)
    assert call.turns[0].text.startswith("第1段第2段")  # the 5 s greeting went as several pieces
