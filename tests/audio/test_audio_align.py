"""Fitting transcripts to recordings."""

import numpy as np
import pytest
from audio_synth import COMPLAINT, GREETING, REPLY, THANKS, ZH, build_call

from hotline.audio import load_call
from hotline.audio.align import estimate_offset, place, place_turns
from hotline.audio.rate import spoken_units
from hotline.model import Call, Speaker, Turn

A, C = Speaker.AGENT, Speaker.CITIZEN
SCRIPT = [(A, GREETING), (C, COMPLAINT), (A, REPLY), (C, THANKS)]


def _flat(items):
    return [v for seg in items for v in seg]


def _truth(built):
    """Where each turn of SCRIPT really is in the built dialogue."""
    return [
        built.speech["agent"][0],
        built.speech["citizen"][0],
        built.speech["agent"][1],
        built.speech["citizen"][1],
    ]


def _transcript(times=None, offset=0.0):
    turns = []
    for i, (spk, pinyin) in enumerate(SCRIPT):
        s, e = times[i] if times else (None, None)
        turns.append(
            Turn(spk, ZH[pinyin], None if s is None else s + offset, None if e is None else e + offset)
        )
    return Call("工单-0001", turns, {"agent_id": "1024"})


@pytest.mark.parametrize(
    ("turns", "speech", "offset"),
    [
        ([(2, 4), (7, 9)], [(5, 7), (10, 12)], 3.0),
        ([(5, 7), (10, 12)], [(2, 4), (7, 9)], -3.0),
        ([(1, 2), (3, 5)], [(1, 2), (3, 5)], 0.0),
    ],
)
def test_estimate_offset(turns, speech, offset):
    got, best, at_zero = estimate_offset([(turns, speech)], 20.0, 5.0)
    assert got == pytest.approx(offset, abs=0.06)
    assert best == pytest.approx(1.0, abs=0.05)
    assert at_zero <= best


@pytest.mark.parametrize(
    ("weights", "segments", "expected"),
    [
        ([1, 1], [(0, 1), (2, 3), (5, 7)], [(0, 3), (5, 7)]),
        ([2, 1], [(0, 1), (2, 3), (5, 6)], [(0, 3), (5, 6)]),
        ([1, 1, 2], [(0, 4)], [(0, 1), (1, 2), (2, 4)]),
        ([5], [(0, 1), (2, 3)], [(0, 3)]),
        ([], [(0, 1)], []),
    ],
)
def test_place(weights, segments, expected):
    assert _flat(place(weights, segments)) == pytest.approx(_flat(expected))


def test_place_turns_reports_what_cannot_be_placed():
    turns = [Turn(A, "您好"), Turn(C, "喂"), Turn(A, "再见")]
    out, unplaced = place_turns(turns, {A: [(0.0, 1.0), (3.0, 4.0)], C: []})
    assert unplaced == [1]
    assert [(t.start, t.end) for t in out] == [(0.0, 1.0), (None, None), (3.0, 4.0)]


def test_untimed_transcript_is_placed_on_each_channel(dialogue, dialogue_wav):
    call = load_call(dialogue_wav, _transcript())
    assert call.id == "工单-0001" and call.meta["agent_id"] == "1024"
    assert [t.text for t in call.turns] == [ZH[p] for _, p in SCRIPT]
    assert call.meta["audio"]["alignment"]["method"] == "segments"
    for turn, (s, e) in zip(call.turns, _truth(dialogue), strict=True):
        assert turn.start == pytest.approx(s, abs=0.25)
        assert turn.end == pytest.approx(e, abs=0.35)
    agent = [(ZH[GREETING], *dialogue.speech["agent"][0]), (ZH[REPLY], *dialogue.speech["agent"][1])]
    expected_cpm = sum(spoken_units(t) for t, _, _ in agent) * 60 / sum(e - s for _, s, e in agent)
    assert call.meta["metrics"]["agent_cpm"] == pytest.approx(expected_cpm, rel=0.1)
    assert call.meta["metrics"]["citizen_cpm"] > 0
    per_turn = call.meta["audio"]["turn_cpm"]
    assert len(per_turn) == 4 and per_turn[0] == pytest.approx(
        spoken_units(ZH[GREETING]) * 60 / (call.turns[0].end - call.turns[0].start), abs=0.1
    )
    assert call.meta["metrics"]["agent_cpm_ratio"] == pytest.approx(
        call.meta["metrics"]["agent_cpm"] / call.meta["metrics"]["citizen_cpm"], rel=0.01
    )


@pytest.mark.parametrize("offset", [3.0, -0.4])
def test_timed_transcript_with_a_clock_offset_is_shifted(dialogue, dialogue_wav, offset):
    call = load_call(dialogue_wav, _transcript(_truth(dialogue), offset=offset))
    alignment = call.meta["audio"]["alignment"]
    assert alignment["method"] == "offset"
    assert alignment["offset"] == pytest.approx(-offset, abs=0.1)
    for turn, (s, _) in zip(call.turns, _truth(dialogue), strict=True):
        assert turn.start == pytest.approx(s, abs=0.1)


def test_timed_transcript_that_fits_is_kept(dialogue, dialogue_wav):
    transcript = _transcript(_truth(dialogue))
    call = load_call(dialogue_wav, transcript)
    assert call.meta["audio"]["alignment"]["method"] == "times"
    assert [(t.start, t.end) for t in call.turns] == [(t.start, t.end) for t in transcript.turns]
    assert call.meta["metrics"]["channel_swap_suspected"] is False


def test_timed_transcript_reveals_swapped_channels(dialogue, tmp_path):
    swapped = build_call(
        [
            ("agent", GREETING, 0.5),
            ("citizen", COMPLAINT, 6.0),
            ("agent", REPLY, 9.0),
            ("citizen", THANKS, 20.0),
        ],
        24.0,
        agent_left=False,
    ).write(tmp_path / "swapped.wav")
    call = load_call(swapped, _transcript(_truth(dialogue)))
    assert call.meta["metrics"]["channel_swap_suspected"] is True
    assert any("转写文本" in w for w in call.meta["audio"]["warnings"])


def test_mono_recording_with_untimed_transcript(dialogue, tmp_path):
    mono = dialogue.samples.sum(axis=1, keepdims=True) / 2
    import soundfile as sf

    path = tmp_path / "mono.wav"
    sf.write(path, mono, dialogue.rate)
    # on one channel, the overlapping reply merges with the complaint: use the clean dialogue layout
    call = load_call(path, _transcript())
    assert call.has_times
    m = call.meta["metrics"]
    assert m["agent_speech_seconds"] + m["citizen_speech_seconds"] == pytest.approx(
        dialogue.total("agent") + dialogue.total("citizen") - (dialogue.speech["citizen"][0][1] - 9.0),
        abs=1.0,
    )
    assert m["max_dead_air"] == pytest.approx(20.0 - dialogue.speech["agent"][1][1], abs=0.4)
    assert call.meta["audio"]["agent_channel"] is None


def test_transcript_turns_without_speech_stay_untimed(silent_call, tmp_path):
    path = silent_call.write(tmp_path / "silent.wav")
    transcript = Call("s", [Turn(A, ZH[GREETING]), Turn(C, "喂？"), Turn(A, "您的电话没有声音，再见。")])
    call = load_call(path, transcript)
    assert call.turns[1].start is None
    assert call.meta["audio"]["alignment"]["unplaced_turns"] == [1]
    assert any("无法定位" in w for w in call.meta["audio"]["warnings"])
    assert call.meta["metrics"]["citizen_speech_seconds"] == 0


def test_mono_without_transcript_is_refused_clearly(tmp_path):
    import soundfile as sf

    from hotline.audio import AudioError

    path = tmp_path / "mono.wav"
    sf.write(path, np.zeros(8000, dtype=np.float32), 8000)
    with pytest.raises(AudioError, match="单声道"):
        load_call(path)


def test_stretches_keep_a_paused_sentence_in_one_turn():
    # agent speech: one sentence with a pause (0–2, 2.5–6), then a short reply (9–10)
    segments = [(0.0, 2.0), (2.5, 6.0), (9.0, 10.0)]
    stretches = [(0.0, 6.0), (9.0, 10.0)]
    turns = [Turn(A, "您好"), Turn(A, "好的，我马上为您登记，请您稍等，工作人员会尽快联系您")]
    by_chars, _ = place_turns(turns, {A: segments})
    by_turns, _ = place_turns(turns, {A: segments}, {A: stretches})
    assert (by_chars[1].start, by_chars[1].end) == (2.5, 10.0)  # text lengths alone mislead
    assert [(t.start, t.end) for t in by_turns] == [(0.0, 6.0), (9.0, 10.0)]


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        ([0.0, 3.0, 6.0], []),
        ([0.0, 5.0, 4.5], []),  # within the tolerance: overlapping speech
        ([0.0, 6.0, 3.0], [2]),
        ([0.0, None, 3.0], []),
    ],
)
def test_out_of_order(starts, expected):
    from hotline.audio.align import out_of_order

    turns = [Turn(A, "x", s, None if s is None else s + 1) for s in starts]
    assert out_of_order(turns) == expected


def test_paused_agent_sentence_on_a_recording(tmp_path):
    from audio_synth import PROMPT

    events = [
        ("agent", GREETING, 0.5),
        ("agent", PROMPT, 0.5 + 5.0 + 0.5),
        ("citizen", COMPLAINT, 12.5),
        ("agent", THANKS, 18.0),
    ]
    built = build_call(events, 21.0)
    transcript = Call(
        "p", [Turn(A, "您好，12345热线。"), Turn(C, ZH[COMPLAINT]), Turn(A, ZH[REPLY] + ZH[REPLY])]
    )
    call = load_call(built.write(tmp_path / "paused.wav"), transcript)
    first, _, last = call.turns
    assert first.start == pytest.approx(0.5, abs=0.25)
    assert first.end == pytest.approx(built.speech["agent"][1][1], abs=0.35)
    assert last.start == pytest.approx(18.0, abs=0.25)
    assert call.meta["audio"]["warnings"] == []


def test_stereo_file_with_two_identical_channels_is_treated_as_mono(dialogue, tmp_path):
    import soundfile as sf

    from hotline.audio import AudioError

    mixed = dialogue.samples.sum(axis=1) / 2
    path = tmp_path / "dup.wav"
    sf.write(path, np.stack([mixed, mixed], axis=1), dialogue.rate)
    with pytest.raises(AudioError, match="单声道"):
        load_call(path)
    call = load_call(path, _transcript())
    assert call.meta["audio"]["agent_channel"] is None
    assert any("两个声道内容相同" in w for w in call.meta["audio"]["warnings"])
    assert call.turns[0].start == pytest.approx(0.5, abs=0.25)
