"""The simulated citizen's state rules, with a scripted engine so each rule is seen in isolation."""

from __future__ import annotations

import pytest
from drill_helpers import FakeEngine

from hotline.simulate.library import fill_slot
from hotline.simulate.schema import Scenario
from hotline.simulate.session import DrillSession

BASE = {
    "title": "测试", "domain": "测试", "difficulty": 1, "summary": "测试",
    "persona": {"name": "李四", "age": 40, "colour": "红"},
    "mood": {"anger": 0.5, "anxiety": 0.5, "patience": 0.8, "trust": 0.4},
    "slots": {
        "event": {"value": "夜里施工", "lines": ["工地夜里施工。"]},
        "phone": {"value": "13800000000", "lines": ["电话13800000000。"]},
        "amount": {"label": "金额", "value": "三千", "lines": ["三千块。"], "keywords": ["多少钱"]},
        "secret": {"label": "顾虑", "value": "怕报复", "lines": ["我怕被报复。"], "hidden": True,
                   "min_trust": 0.6, "guarded": ["没什么。"], "keywords": ["顾虑"]},
    },
    "expected_order": {"request_type": "投诉", "category": ["环境保护"], "department": "市生态环境局"},
    "norms": ["listen.key_facts.v1"],
}
ACTS = {
    "您好": {"greeting"},
    "理解": {"empathy"},
    "对不起": {"apology"},
    "禁语": {"forbidden"},
    "推诿": {"shirking"},
    "催促": {"rushing"},
    "复述": {"restate"},
    "下一步": {"next_step"},
    "问事": {"ask_event"},
    "问电话": {"ask_phone"},
    "问多少钱": set(),
    "还有吗": {"anything_else"},
    "再见": {"goodbye"},
    "嗯": {"backchannel"},
}


def scenario(library, **changes) -> Scenario:
    data = {**BASE, **changes}
    sc = Scenario.model_validate(data)
    sc.id = "test"
    sc.slots = {k: fill_slot(k, s, library.defaults) for k, s in sc.slots.items()}
    return sc


def start(library, **changes) -> DrillSession:
    return DrillSession.start(scenario(library, **changes), seed=5, library=library, engine=FakeEngine(ACTS))


def moved(library, text: str, **changes) -> dict[str, float]:
    s = start(library, **changes)
    s.say("您好")
    before = s.state.mood()
    s.say(text)
    return {k: round(s.state.mood()[k] - before[k], 3) for k in before}


@pytest.mark.parametrize(
    ("text", "key", "sign"),
    [
        ("理解", "anger", -1), ("理解", "anxiety", -1), ("对不起", "anger", -1),
        ("禁语", "anger", +1), ("禁语", "trust", -1), ("推诿", "anger", +1), ("催促", "anger", +1),
        ("复述", "trust", +1), ("下一步", "anxiety", -1), ("嗯", "patience", -1),
    ],
)
def test_acts_move_the_mood(library, text, key, sign):
    delta = moved(library, text)[key]
    assert delta * sign > 0, delta


def test_colour_changes_the_weights(library):
    def rushing_anger(colour: str) -> float:
        return moved(library, "催促", persona={"name": "x", "age": 30, "colour": colour})["anger"]

    assert rushing_anger("绿") > rushing_anger("蓝")
    green = moved(library, "嗯", persona={"name": "x", "age": 30, "colour": "绿"})["patience"]
    yellow = moved(library, "嗯", persona={"name": "x", "age": 30, "colour": "黄"})["patience"]
    assert yellow < green < 0  # a 黄 caller loses patience faster on a turn that gets nowhere


def test_repeated_empathy_counts_less(library):
    s = start(library)
    s.say("您好")
    drops = []
    for _ in range(3):
        before = s.state.anger
        s.say("理解")
        drops.append(before - s.state.anger)
    assert drops[0] > drops[1] > drops[2] > 0


def test_slots_revealed_only_when_asked(library):
    s = start(library)
    s.say("您好")
    reply = s.say("嗯")  # a vague prompt reveals nothing
    assert s.state.revealed == [] and "13800000000" not in reply.text
    reply = s.say("问电话")
    assert s.state.revealed == ["phone"] and reply.revealed == ["phone"] and "13800000000" in reply.text
    reply = s.say("请问问多少钱")  # a scenario keyword asks a custom slot
    assert "amount" in s.state.revealed and "三千" in reply.text


def test_repeated_question_costs_patience_and_gets_a_repeat_line(library):
    s = start(library)
    s.say("问电话")
    before = s.state.patience
    reply = s.say("问电话")
    assert s.trace[-1].causes and any(c["name"] == "repeat_question" for c in s.trace[-1].causes)
    assert s.state.patience < before
    assert "13800000000" in reply.text and reply.revealed == []


def test_hidden_concern_needs_trust(library):
    s = start(library)
    s.say("您好")
    reply = s.say("顾虑")
    assert "secret" not in s.state.revealed and reply.text == "没什么。"
    for _ in range(3):
        s.say("复述")
    assert s.state.trust >= 0.6
    reply = s.say("还有吗")
    assert "secret" in s.state.revealed and "报复" in reply.text


def test_opening_reveals_volunteered_slots_only(library):
    slots = {**BASE["slots"], "event": {"value": "夜里施工", "lines": ["工地夜里施工。"], "volunteered": True}}
    s = start(library, slots=slots)
    s.say("您好")
    assert s.state.revealed == ["event"]


def test_silence_prompts_then_hangs_up(library):
    s = start(library)
    s.say("您好")
    replies = [s.say("").text for _ in range(3)]
    assert replies[0] in library.defaults.lines.silence
    assert s.ended and s.outcome == "hangup"
    assert all(t.text for t in s.turns)  # silence adds no empty agent turn


def test_graded_trigger_escalates_to_hang_up(library):
    s = start(library, mood={"anger": 0.1, "anxiety": 0.1, "patience": 1.0, "trust": 0.5})
    s.say("您好")
    grades = library.defaults.triggers[0].grades  # forbidden: first time, pushed again, third time
    for i in range(3):
        reply = s.say("禁语")
        assert any(line in reply.text for line in grades[i].lines)
    assert s.ended and s.outcome == "hangup"


def test_supervisor_is_asked_for_once_at_the_threshold(library):
    s = start(library, mood={"anger": 0.8, "anxiety": 0.5, "patience": 1.0, "trust": 0.4})
    s.say("您好")
    first = s.say("推诿")
    assert first.supervisor and s.state.supervisor_asked
    assert not s.say("嗯").supervisor


def test_goodbye_ends_the_call_by_mood(library):
    calm = start(library, mood={"anger": 0.1, "anxiety": 0.1, "patience": 1.0, "trust": 0.7})
    calm.say("您好")
    assert calm.say("再见").text in library.defaults.lines.closing_ok
    assert calm.outcome == "resolved"
    angry = start(library, mood={"anger": 0.7, "anxiety": 0.1, "patience": 1.0, "trust": 0.2})
    angry.say("您好")
    angry.say("再见")
    assert angry.outcome == "unsatisfied"


def test_too_long_for_an_elderly_caller(library):
    persona = {"name": "x", "age": 80, "colour": "绿", "pace": "slow", "max_agent_chars": 10}
    s = start(library, persona=persona)
    s.say("您好")
    s.say("问事" + "这是一句很长很长的话，老人家跟不上。")
    assert any(c["name"] == "too_long" for c in s.trace[-1].causes)


def test_scenario_effects_override_defaults(library):
    plain = moved(library, "理解")["anger"]
    strong = moved(library, "理解", effects={"empathy": {"anger": -0.4}})["anger"]
    assert strong < plain < 0
