import numpy as np
import pytest
import soundfile as sf

from ci_guard import missing
from hotline.audio import AudioError, find_recordings, is_audio_file
from hotline.audio.recording import read_recording, resample


def _tone(freq: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_freq(x: np.ndarray, rate: int) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spec)])


@pytest.mark.parametrize(
    ("rate_in", "rate_out"), [(44100, 16000), (22050, 16000), (8000, 16000), (48000, 8000)]
)
def test_resample_keeps_pitch_and_length(rate_in, rate_out):
    y = resample(_tone(440.0, rate_in), rate_in, rate_out)
    assert len(y) == rate_out
    assert abs(_peak_freq(y, rate_out) - 440.0) < 3


def test_downsampling_suppresses_what_would_alias():
    # 7 kHz cannot exist at 8 kHz; without the low-pass it would fold down to 1 kHz at full strength
    y = resample(_tone(7000.0, 48000), 48000, 8000)
    assert np.sqrt(np.mean(y**2)) < 0.02


@pytest.mark.parametrize(
    ("suffix", "fmt", "subtype", "rate", "channels"),
    [
        (".wav", "WAV", "PCM_16", 8000, 2),
        (".wav", "WAV", "PCM_16", 44100, 1),
        (".flac", "FLAC", "PCM_16", 16000, 2),
        (".ogg", "OGG", "VORBIS", 22050, 2),
        (".mp3", "MP3", "MPEG_LAYER_III", 16000, 2),
        (".wav", "WAV", "ULAW", 8000, 2),  # telephone codecs as call recorders store them
        (".wav", "WAV", "ALAW", 8000, 2),
        (".wav", "WAV", "GSM610", 8000, 1),
    ],
)
def test_reads_common_formats(tmp_path, suffix, fmt, subtype, rate, channels):
    x = np.stack([_tone(300.0, rate)] * channels, axis=1)
    path = tmp_path / f"call{suffix}"
    try:
        sf.write(path, x, rate, format=fmt, subtype=subtype)
    except (sf.LibsndfileError, ValueError, TypeError) as exc:
        missing(f"此 libsndfile 不能写 {fmt}/{subtype}（缺少编解码器）：{exc}")
    rec = read_recording(path)
    assert rec.sample_rate == rate
    assert rec.samples.shape[1] == channels
    assert rec.is_stereo == (channels == 2)
    assert rec.duration == pytest.approx(1.0, abs=0.06)
    assert rec.samples.dtype == np.float32


def test_errors_name_the_file(tmp_path):
    with pytest.raises(AudioError, match="不存在") as err:
        read_recording(tmp_path / "missing.wav")
    assert "missing.wav" in str(err.value)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....not audio at all")
    with pytest.raises(AudioError, match="无法读取录音") as err:
        read_recording(bad)
    assert "bad.wav" in str(err.value) and err.value.code == "E700"


def test_more_than_two_channels_is_refused(tmp_path):
    path = tmp_path / "four.wav"
    sf.write(path, np.zeros((800, 4), dtype=np.float32), 8000)
    with pytest.raises(AudioError, match="4 个声道"):
        read_recording(path)


def test_find_recordings(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.wav", "sub/b.FLAC", "c.mp3", "notes.txt", "d.json"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in find_recordings(tmp_path)] == ["a.wav", "c.mp3", "b.FLAC"]
    assert is_audio_file("x.OGG") and not is_audio_file("x.json")


@pytest.mark.parametrize("length", [100, 1000, 70000, 200001])
def test_fir_filter_matches_direct_convolution(length):
    from hotline.audio.recording import _lowpass_taps, fir_filter

    x = np.random.default_rng(length).standard_normal(length).astype(np.float32)
    taps = _lowpass_taps(0.2)
    assert np.allclose(fir_filter(x, taps, block=4096), np.convolve(x, taps, mode="same"), atol=1e-5)
