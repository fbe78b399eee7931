"""The citizen reacts only to what was said: a line that repeats the trainee's words (什么叫不知道？,
等通知？) is used only when the trainee said them, for every trigger of every scenario; a goodbye is answered
with a goodbye, not with questions or the caller's worries again."""

from __future__ import annotations

import re

import pytest

from hotline.simulate.citizen import merged_triggers
from hotline.simulate.library import default_library
from hotline.simulate.schema import QuotedLine, usable_lines
from hotline.simulate.session import DrillSession

LIB = default_library()
# agent sentences that fire each detector a trigger may react to (checked below to really fire it)
ACT_EXAMPLES = {
    "forbidden": ["你烦不烦啊，有完没完"], "retort": ["你凶什么凶，我又不欠你的"],
    "shirking": ["这事不归我们管，你自己去找物业", "你去找派出所吧"], "flat_refusal": ["这个我不清楚", "不知道"],
    "brushoff": ["等通知吧，研究研究再说"], "rushing": ["你快点讲，说重点"], "transfer": ["我马上为您转接119"],
    "ask_name": ["请问您贵姓？"], "ask_phone": ["麻烦您留一个联系电话好吗？"], "ask_time": ["请问是什么时候开始的？"],
    "next_step": ["我这边为您登记，转交相关部门处理，工作人员会联系您"], "empathy": ["我理解您的心情，您别着急"],
    "praise": ["您的建议很好，谢谢您"], "harassment_warning": ["请您文明用语，否则我将结束通话"],
}
QUOTED = {q for sc in LIB.scenarios.values() for t in merged_triggers(sc, LIB.defaults) for g in t.grades
          for line in g.lines if isinstance(line, QuotedLine) for q in line.quotes}


def _firing(trigger, reader) -> list[str]:  # noqa: ANN001
    out = [f"这个事情{k}。" for k in trigger.keywords]
    for act in trigger.acts:
        out += [a for a in ACT_EXAMPLES[act] if act in reader.acts(a)]
    return out


def _echoes(line: str, words: set[str]) -> list[str]:
    """What a line repeats of someone's words: 什么叫X？, or a known phrase said back as a question (等通知？)."""
    out = [m.group(1) for m in re.finditer(r"什么叫([^？?，,。！!]+)", line)]
    out += [w for w in words if re.search(re.escape(w) + r"[啊吗呀呢]?[？?]", line)]
    return out


CASES = [(sc.id, t.id) for sc in sorted(LIB.scenarios.values(), key=lambda s: s.id)
         for t in merged_triggers(sc, LIB.defaults)]


@pytest.mark.parametrize(("scenario_id", "trigger_id"), CASES, ids=[f"{s}-{t}" for s, t in CASES])
def test_every_trigger_response_reacts_to_what_was_said(scenario_id, trigger_id, reader):
    sc = LIB.get(scenario_id)
    trig = next(t for t in merged_triggers(sc, LIB.defaults) if t.id == trigger_id)
    sentences = _firing(trig, reader)
    assert sentences, f"{trigger_id}: no example sentence fires it"
    for said in sentences:
        for grade in trig.grades:
            for line in usable_lines(grade.lines, said):
                for echoed in _echoes(line, QUOTED | set(trig.keywords)):
                    assert echoed in said, f"{scenario_id}/{trigger_id}: 「{line}」 repeats 「{echoed}」, not said in 「{said}」"


def test_a_line_quoting_a_word_is_not_said_without_it(reader):
    s = DrillSession.start("wage-restaurant", seed=5, library=LIB, reader=reader)
    s.say("您好，12345政务服务便民热线，108号为您服务，请问有什么可以帮您？")
    for _ in range(2):
        reply = s.say("这个你去找劳动局吧")  # pushing away, without 不知道
        assert "什么叫" not in reply.text and "不归我们管？" not in reply.text
        if s.ended:
            break
    other = DrillSession.start("wage-restaurant", seed=5, library=LIB, reader=reader)
    other.say("您好，12345政务服务便民热线，108号为您服务，请问有什么可以帮您？")
    texts = [other.say("不知道").text for _ in range(1)]
    assert all("什么叫不知道" in t or "什么叫" not in t for t in texts)


def test_a_warm_goodbye_ends_the_call_warmly(reader):
    from hotline.simulate.model_answer import model_answer

    sc = LIB.get("noise-night-construction")  # the hidden worry: the child's exam
    s = DrillSession.start(sc.id, seed=7, library=LIB, reader=reader)
    for line in model_answer(sc, LIB.defaults)[:-1]:
        s.say(line)
    worry = sc.slots["exam"].lines if "exam" in sc.slots else [x for k, x in sc.slots.items() if x.hidden][0].lines
    reply = s.say("感谢您的来电，祝孩子考试顺利，再见！")
    assert s.ended and s.outcome == "resolved"
    assert not any(w in reply.text for w in worry) and "说过了" not in reply.text and "不是说了" not in reply.text
    assert reply.text in LIB.get(sc.id).lines.closing_ok or reply.text in LIB.defaults.lines.closing_ok
