"""Fast paths of the operators (helper s33), each against the simple way it stands for."""

from __future__ import annotations

import itertools

from test_plan import engine_with

from hotline.inspect import operators as ops
from hotline.inspect import plan as op
from hotline.inspect import timing
from hotline.inspect.context import CallContext, Hit
from hotline.inspect.operators import evaluate
from hotline.inspect.results import hit_mask
from hotline.model import Call, Speaker, Turn


def _letter_pairs(text: str) -> set[str]:
    """The simple way: every two neighbouring characters that ``str.isalpha`` holds."""
    return {text[i:i + 2] for i in range(len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()}


def _simple_overlap(text: str, earlier: list[str], ignore: set[str]) -> tuple[int, int]:
    """The simple way: the pairs of letters the citizen said (less those ignored), and the runs of them in ``text``."""
    heard = set().union(*(_letter_pairs(t) for t in earlier)) - ignore
    said = [text[i:i + 2] in heard for i in range(len(text) - 1)]
    starts = [i for i, hit in enumerate(said) if hit and (i == 0 or not said[i - 1])]
    return len({text[i:i + 2] for i, hit in enumerate(said) if hit}), len(starts)


# letters of every kind beside hanzi and ASCII (kana, hangul, Latin-1 ª, Greek), and what only looks like one:
# digits of all widths, numerals that are not letters (Ⅻ ① ² 〇), punctuation, the line break that joins turns
ODD = "ªµ×ÀéΩあア한①²ⅫⅫ〇_-0９\n"
TURNS = ["我家楼下路灯坏了一个星期", "路灯ab12cdAB", "电话是13800138000", "ªµ×Àé", "Ωあア한①²Ⅻ〇",
         "，。？！", "", "灯", "a", "坏了坏了坏了", "一下您的", "我们的问题"]


def test_a_letter_is_what_isalpha_holds() -> None:
    for c in range(0x4E00, 0xA000):  # the hanzi answered without asking ``str.isalpha``
        assert chr(c).isalpha(), hex(c)
    for c in itertools.chain(range(0, 0x3000), range(0x3000, 0x4E00, 7), range(0x9F00, 0x10000, 3)):
        assert ops._is_letter(chr(c), 0) == chr(c).isalpha(), hex(c)
    for text in TURNS:
        assert [ops._is_letter(text, i) for i in range(len(text))] == [ch.isalpha() for ch in text]


def test_the_overlap_with_earlier_words_is_that_of_their_pairs_of_letters() -> None:
    ignore = {"一下", "我们的", "坏了", "ab"}  # a three-character entry never matches a pair
    texts = [*TURNS, ODD, ODD[::-1], "路灯坏了坏了一下您的电话Ab cd", "坏了一个路灯，坏了。路灯"]
    for text in texts:
        for size in range(0, 4):
            for earlier in itertools.combinations(texts, size):
                heard = "\n".join(earlier)
                assert ops._overlap(text, heard, ignore) == _simple_overlap(text, list(earlier), ignore), \
                    (text, earlier)


def test_no_pair_is_heard_across_two_turns() -> None:
    """Found in the joined turns, "灯坏" would be heard; said by nobody, it is not."""
    assert ops._overlap("路灯坏了", "我家路灯\n坏了", set()) == _simple_overlap("路灯坏了", ["我家路灯", "坏了"], set())
    assert ops._overlap("灯坏", "路灯\n坏了", set()) == (0, 0)


# ── the timing operators' verdicts ─────────────────────────────────────────────────────────────────────────────
A, C = Speaker.AGENT, Speaker.CITIZEN
# gaps and overlaps over and at each threshold, speech far too fast and too slow, an agent faster than the caller,
# an agent turn before the caller has spoken, metrics on either side of a bound, one that is a flag, no times
TIMING_RULES = [{"id": f"test.timing{i}.v1", "kind": "forbid", "match": m} for i, m in enumerate([
    {"silence": {"min_seconds": 2}},
    {"reply_gap": {"min_seconds": 1.5}},
    {"overlap": {"min_seconds": 0.5}},
    {"agent_gap": {"min_seconds": 1, "max_seconds": 4}},
    {"agent_gap": {"min_seconds": 1}},
    {"speech_rate": {"min_cpm": 100, "max_cpm": 300, "min_chars": 4}},
    {"speech_rate": {"relative_to_citizen": 1.2, "min_chars": 2}},
    {"speech_rate": {"speaker": "citizen", "max_cpm": 200}},
    {"metric": {"name": "loud", "lt": -35}},
    {"metric": {"name": "loud", "gt": 0.5}},
    {"within": {"speaker": "agent", "last_turns": 2, "of": {"speech_rate": {"max_cpm": 250}}}},
])]
TIMED_CALLS = [
    Call("gaps", [Turn(A, "您好，请问有什么可以帮您？", 0.0, 2.0), Turn(C, "我家楼下的路灯坏了。", 4.0, 6.0),
                  Turn(A, "好的。", 7.5, 8.0), Turn(C, "你们什么时候来修？", 7.6, 10.0),
                  Turn(A, "我马上给您登记，三个工作日内会有人联系您，请您保持电话畅通。", 9.0, 11.0),
                  Turn(A, "还有别的吗？", 11.0, 30.0), Turn(C, "没有了谢谢", 31.0, 32.0),
                  Turn(A, "再见", 40.0, 40.0)], {"metrics": {"loud": -40.0}}),
    Call("pace", [Turn(A, "您好请讲", 0.0, 1.0), Turn(C, "路灯坏了好几天了一直没人管", 1.0, 9.0),
                  Turn(A, "好的我这就给您登记转给路灯所处理", 9.2, 11.0), Turn(C, "好", 11.0, 11.5),
                  Turn(A, "请问还有其他问题吗", 12.0, 20.0)], {"metrics": {"loud": 0.75}}),
    Call("flag", [Turn(A, "您好", 0.0, 1.0), Turn(C, "喂", 3.5, 4.0)], {"metrics": {"loud": True}}),
    Call("untimed", [Turn(A, "您好", None, None), Turn(C, "喂", None, None)], {"metrics": {"loud": 3}}),
    Call("half", [Turn(A, "您好", 0.0, 1.0), Turn(C, "喂喂喂", None, None)]),
]


def test_a_timing_verdict_is_the_turns_of_its_hits() -> None:
    engine = engine_with(*TIMING_RULES)
    slots = [s for s in engine.compiled.plan.slots if s.code >= op.SPEECH_RATE]
    assert {s.op for s in slots} == {"silence", "reply_gap", "overlap", "agent_gap", "speech_rate", "metric"}
    hit = 0
    for c in TIMED_CALLS:
        n = len(c.turns)
        for allowed in (None, (1 << n) - 1, 0b10101 & ((1 << n) - 1), 0b1010, 0):
            walk, quick = CallContext(c, engine.compiled), CallContext(c, engine.compiled)
            for slot in slots:
                want = hit_mask(evaluate(slot.node, walk, allowed))
                assert timing.verdict(slot.code, slot.node, quick, allowed) == want, (c.id, slot.node, allowed)
                hit |= bool(want and want >> 1)
    assert hit



def test_a_hit_made_by_tuple_new_is_the_hit_its_class_makes() -> None:
    for fields in [(0, 1, 2, "", ""), (-1, 0, 0, "冷场 3.0 秒", ""), (3, 4, 9, "", "act|agent.empathy|0.93|0.90")]:
        made = ops._hit(fields)
        assert type(made) is Hit and made == Hit(*fields) and made._asdict() == Hit(*fields)._asdict()
    assert ops._hit((2, 0, 5, "", "")) == Hit(2, 0, 5)  # the defaults of ``Hit``, given in full
