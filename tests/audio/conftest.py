"""Synthetic recordings shared by the audio tests (built once per session)."""

from __future__ import annotations

import pytest
from audio_synth import COMPLAINT, GREETING, PROMPT, REPLY, THANKS, Built, build_call


@pytest.fixture(scope="session")
def dialogue() -> Built:
    """Greeting, citizen complaint, agent reply that starts over the citizen, 7 s of dead air, thanks."""
    return build_call(
        [
            ("agent", GREETING, 0.5),
            ("citizen", COMPLAINT, 6.0),
            ("agent", REPLY, 9.0),
            ("citizen", THANKS, 20.0),
        ],
        24.0,
    )


@pytest.fixture(scope="session")
def polite_dialogue() -> Built:
    """Clean turn-taking: every agent turn starts about 0.8 s after the citizen stops."""
    return build_call(
        [
            ("agent", GREETING, 0.5),
            ("citizen", COMPLAINT, 6.3),
            ("agent", REPLY, 11.5),
            ("citizen", THANKS, 16.0),
        ],
        18.0,
    )


@pytest.fixture(scope="session")
def silent_call() -> Built:
    """Only the agent speaks: three prompts about 5 s apart; the citizen channel carries line noise."""
    return build_call(
        [("agent", GREETING, 0.5), ("agent", PROMPT, 10.0), ("agent", PROMPT, 18.0)], 24.0, noise_dbfs=-45.0
    )


@pytest.fixture(scope="session")
def dialogue_wav(dialogue: Built, tmp_path_factory: pytest.TempPathFactory):
    return dialogue.write(tmp_path_factory.mktemp("audio") / "call_0001.wav")
