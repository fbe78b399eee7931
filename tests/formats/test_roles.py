"""Speaker roles from what is said: the bundled sample calls with their labels replaced by generic
ones (说话人1/2, spk0/1, A/B, channel numbers, names) get their roles back, with a confidence."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from hotline.content import data_path
from hotline.errors import FormatError
from hotline.formats import read_calls
from hotline.formats.roles import META_KEY, RawTurn, assign_roles, role_cues, role_warning, swap_roles
from hotline.model import Call, Speaker

A, C = Speaker.AGENT, Speaker.CITIZEN
SAMPLES = list(read_calls(data_path("samples", "calls")))
LABELS = [("说话人1", "说话人2"), ("spk0", "spk1"), ("A", "B"), ("0", "1"), ("channel 1", "channel 2"),
          ("老王", "小李"), ("甲", "乙")]


def relabelled(call: Call, labels: tuple[str, str], agent_first: bool) -> list[RawTurn]:
    """The call's turns with 坐席/市民 replaced by generic labels (the agent gets either one)."""
    agent, citizen = labels if agent_first else labels[::-1]
    name = {A: agent, C: citizen}
    return [RawTurn(name[t.speaker], t.text, t.start, t.end, f"第 {i + 1} 行") for i, t in enumerate(call.turns)]


@pytest.mark.parametrize("labels", LABELS, ids=["-".join(x) for x in LABELS])
def test_sample_calls_without_labels_get_their_roles_back(labels: tuple[str, str]) -> None:
    rng = random.Random(13)
    for call in SAMPLES:
        speakers, info = assign_roles(relabelled(call, labels, rng.random() < 0.5), "test", call.id)
        assert speakers == [t.speaker for t in call.turns], call.id
        assert info is not None and info["method"] == "content"
        assert info["confidence"] >= role_cues().settings.warn_below, (call.id, info)
        assert "warning" not in info


def test_roles_come_from_content_not_from_who_speaks_first() -> None:
    """Calls that start with the citizen (the greeting was cut off): still right where the content is clear,
    and where it is not, the guess carries a low-confidence warning rather than posing as certain."""
    wrong_and_sure = []
    right = 0
    cut = [Call(c.id, c.turns[1:], c.meta) for c in SAMPLES if len(c.turns) > 3 and c.turns[0].speaker is A]
    for call in cut:
        speakers, info = assign_roles(relabelled(call, ("说话人1", "说话人2"), True), "test", call.id)
        assert info is not None
        if speakers == [t.speaker for t in call.turns]:
            right += 1
        elif "warning" not in info:
            wrong_and_sure.append(call.id)
    assert right >= 0.9 * len(cut) and not wrong_and_sure


@pytest.mark.parametrize(
    ("turns", "speakers", "warned"),
    [
        # one side labelled: the unknown label is the other party
        ([("坐席", "您好，12345热线"), ("老王", "路灯坏了")], [A, C], False),
        ([("市民", "路灯坏了"), ("小张", "好的，请问您贵姓？")], [C, A], False),
        # the labelled side speaking like the other party: assigned, but a person must look
        ([("坐席", "我想投诉，我家楼下天天吵"), ("老王", "您好，12345热线，工号1024为您服务，请问有什么可以帮您？")],
         [A, C], True),
        # no cue at all: a guess, with a warning
        ([("说话人1", "嗯"), ("说话人2", "好")], [A, C], True),
        # three speakers: the most agent-like is the agent, the rest citizens, and a warning
        ([("spk0", "您好，12345热线，请问有什么可以帮您？"), ("spk1", "我想反映个事"), ("spk2", "我是他家人")],
         [A, C, C], True),
        # a single unknown speaker whose words say agent (a silent call: only the agent speaks)
        ([("说话人1", "您好，12345政务服务便民热线，请问有什么可以帮您？"), ("说话人1", "您好，请问能听到吗？")], [A, A], False),
    ],
)
def test_assignment_table(turns: list[tuple[str, str]], speakers: list[Speaker], warned: bool) -> None:
    raw = [RawTurn(label, text, None, None, f"第 {i + 1} 行") for i, (label, text) in enumerate(turns)]
    got, info = assign_roles(raw, "test", "c1")
    assert got == speakers
    assert info is not None and ("warning" in info) == warned
    if warned:
        assert "--swap-roles c1" in info["warning"]


@pytest.mark.parametrize(
    ("turns", "message", "where"),
    [
        ([("坐席", "您好"), ("市民", "喂"), ("老王", "我也说两句")], "不认识的说话人「老王」（这通电话已有坐席和市民", "第 3 行"),
        ([("机器人", "嗯")], "不认识的说话人「机器人」，从内容也无法判断", "第 1 行"),
    ],
)
def test_labels_that_cannot_be_resolved_are_errors_at_their_line(turns: list[tuple[str, str]], message: str,
                                                                 where: str) -> None:
    raw = [RawTurn(label, text, None, None, f"第 {i + 1} 行") for i, (label, text) in enumerate(turns)]
    with pytest.raises(FormatError) as err:
        assign_roles(raw, "f.txt", "c1")
    assert message in err.value.message and err.value.location == where


def test_known_labels_take_the_fast_path_and_leave_meta_alone() -> None:
    raw = [RawTurn("坐席", "您好", None, None, ""), RawTurn("来电人(138****1234)", "喂", None, None, "")]
    assert assign_roles(raw, "x", "c") == ([A, C], None)


def test_inferred_roles_are_recorded_in_meta_and_warnings_surface(tmp_path: Path) -> None:
    path = tmp_path / "asr.jsonl"
    rows = [{"id": "sure", "turns": [{"speaker": "说话人1", "text": "您好，12345热线，请问有什么可以帮您？"},
                                     {"speaker": "说话人2", "text": "我想反映一下路灯坏了"}]},
            {"id": "unsure", "turns": [{"speaker": "说话人1", "text": "嗯"}, {"speaker": "说话人2", "text": "好"}]}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    sure, unsure = read_calls(path)
    assert sure.meta[META_KEY]["agent"] == ["说话人1"] and sure.meta[META_KEY]["confidence"] > 0.9
    assert role_warning(sure) == "" and "置信度" in role_warning(unsure)


def test_a_forced_swap_exchanges_every_turn_and_says_so() -> None:
    call = SAMPLES[0]
    swapped = swap_roles(call)
    assert [t.speaker for t in swapped.turns] == [C if t.speaker is A else A for t in call.turns]
    assert [t.text for t in swapped.turns] == [t.text for t in call.turns]
    assert swapped.meta[META_KEY]["method"] == "swapped" and call.meta.get(META_KEY) is None
    assert [t.speaker for t in swap_roles(swapped).turns] == [t.speaker for t in call.turns]


def test_cue_file_is_validated(tmp_path: Path) -> None:
    from hotline.content import load_yaml_model
    from hotline.errors import ContentError
    from hotline.formats.roles import RoleCues

    bad = tmp_path / "roles.yaml"
    bad.write_text("agent: [{pattern: '(', weight: 1}]\ncitizen: [{pattern: 我, weight: 0}]\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_yaml_model(bad, RoleCues)
    assert "agent[0].pattern" in str(err.value) and "正则表达式「(」无效" in str(err.value)
    assert "citizen[0].weight：应大于 0" in str(err.value)
