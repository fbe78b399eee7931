import pytest

from hotline.audio.rate import rate_metrics, relative_pace, speaker_cpm, spoken_units, turn_cpm
from hotline.model import Call, Speaker, Turn

A, C = Speaker.AGENT, Speaker.CITIZEN


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("您好，12345热线！", 9),
        ("  ，。？ ", 0),
        ("请拨打 110 或者 app 上报", 11),
        ("嗯", 1),
    ],
)
def test_spoken_units(text, units):
    assert spoken_units(text) == units


@pytest.mark.parametrize(
    ("turn", "cpm"),
    [
        (Turn(A, "一二三四五六七八九十", 0.0, 5.0), 120.0),
        (Turn(A, "一二三四五六七八九十", 10.0, 12.0), 300.0),
        (Turn(A, "一二三", None, None), None),
        (Turn(A, "一二三", 1.0, 1.2), None),  # too short to measure
        (Turn(A, "，", 1.0, 3.0), None),
    ],
)
def test_turn_cpm(turn, cpm):
    assert turn_cpm(turn) == cpm


def test_speaker_pace_is_time_weighted_and_relative_to_citizen():
    call = Call(
        "c",
        [
            Turn(A, "一二三四五六七八九十", 0.0, 5.0),  # 120/min
            Turn(C, "一二三四五", 5.5, 10.5),  # 60/min: a slow, elderly caller
            Turn(A, "一二三四五六七八九十一二三四五六七八九十", 11.0, 16.0),  # 240/min
        ],
    )
    assert speaker_cpm(call, A) == pytest.approx(30 * 60 / 10)
    assert speaker_cpm(call, C) == pytest.approx(60.0)
    m = rate_metrics(call)
    assert m["agent_cpm"] == 180.0 and m["citizen_cpm"] == 60.0
    assert m["agent_cpm_ratio"] == 3.0
    assert (m["agent_turn_cpm_max"], m["agent_turn_cpm_min"]) == (240.0, 120.0)


def test_no_text_gives_no_rate():
    m = rate_metrics(Call("c", [Turn(A, "", 0.0, 3.0), Turn(C, "", 3.0, 5.0)]))
    assert m["agent_cpm"] is None and m["agent_cpm_ratio"] is None
    assert relative_pace(150.0, None) is None
    assert relative_pace(150.0, 100.0) == 1.5
