"""Without espeak-ng the audio tests cannot build their recordings: under CI that is a failure."""

import audio_synth
import pytest


def test_audio_tests_without_espeak_fail_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio_synth, "ESPEAK", None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="espeak-ng"):
        audio_synth.need_espeak()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="espeak-ng"):
        audio_synth.need_espeak()
