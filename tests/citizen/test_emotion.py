"""The citizen's emotion over the call and the risk that the matter goes further: trajectory maths on
known series, and the engine's block on calls written for these tests."""

import pytest
from helpers import call  # tests/inspect/helpers.py
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.citizen import load_settings
from hotline.citizen.emotion import set_course, shape
from hotline.inspect import default_engine
from hotline.model import CitizenBlock

S = load_settings()


def run(series: list[float], settled: bool = True) -> CitizenBlock:
    b = CitizenBlock(anger=[(2 * i + 1, v) for i, v in enumerate(series)],
                     anxiety=[(2 * i + 1, 0.0) for i in range(len(series))])
    set_course(b, shape([t for t, _ in b.anger], series, S, settled))  # anxiety 0: the series is the anger
    return b


@pytest.mark.parametrize(
    ("series", "settled", "calmed", "escalated", "end"),
    [
        ([0.9, 0.5, 0.1, 0.05], True, True, False, 0.1),  # end = strongest of the last two turns
        ([0.9, 0.5, 0.1, 0.05], False, False, False, 0.1),  # quiet but not accepting: not calmed
        ([0.9, 0.5, 0.4, 0.05], True, False, False, 0.4),  # still upset one turn before the end
        ([0.1, 0.2, 0.7, 0.8], True, False, True, 0.8),
        ([0.1, 0.9, 0.2, 0.1], True, True, False, 0.2),  # flared up in the middle and was soothed
        ([0.8], True, False, False, 0.8),  # one turn: no course to judge
        ([0.1, 0.7], True, False, True, 0.7),
    ],
)
def test_trajectory(series: list[float], settled: bool, calmed: bool, escalated: bool, end: float) -> None:
    b = run(series, settled)
    assert (b.calmed, b.escalated) == (calmed, escalated)
    assert b.end == pytest.approx(end)
    assert b.peak == max(series) and b.peak_turn == 2 * series.index(max(series)) + 1
    assert b.start == series[0]


GREET = "坐席：您好，12345政务服务便民热线，工号1002为您服务，请问有什么可以帮您？"


def block(*lines: str) -> CitizenBlock:
    card = default_engine().inspect(call(GREET, *lines))
    assert card.citizen is not None
    return card.citizen


def test_anger_and_anxiety_are_read_per_citizen_turn() -> None:
    b = block("市民：我家老人走丢了，到现在还没找到，我急死了，怎么办啊？", "坐席：您先别急，我马上帮您联系派出所。",
              "市民：好的好的，谢谢你。")
    (t1, anxious), (t3, settled) = b.anxiety
    assert (t1, t3) == (1, 3)
    assert anxious >= 0.6 > 0.3 > settled
    assert b.peak_turn == 1


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("市民：再不处理我就带着大家去市政府门口拉横幅！", "聚集"),
        ("市民：你们再拖着不办，我就找记者来曝光！", "媒体"),
        ("市民：我要投诉你，你工号多少？", "投诉坐席"),
        ("市民：这日子过不下去了，我真不想活了。", "自伤"),
    ],
)
def test_escalation_kinds_with_evidence(line: str, kind: str) -> None:
    b = block(line)
    kinds = {k for k, _, _ in b.escalation}
    assert kind in kinds
    evidence = next(e for k, t, e in b.escalation if k == kind)
    assert evidence and evidence in line
    assert b.escalation_risk >= 0.6


def test_self_harm_is_always_the_highest_risk() -> None:
    assert block("市民：活着没意思，我不想活了。").escalation_risk == 1.0


@pytest.mark.parametrize(
    "line",
    [
        "市民：你好，我在市电视台上班，想问下公积金怎么提取。",  # the word, not a threat
        "市民：上次记者来采访过我们小区，后来路修好了，谢谢你们。",
    ],
)
def test_a_word_is_not_a_threat(line: str) -> None:
    assert block(line).escalation == []


@pytest.mark.parametrize(("text", "fires"), [("怎么还没修！！", True), ("都三天了!！!", True), ("你说呢!!", True),
                                             ("怎么还没修！", False), ("一个！两个!", False), ("？！", False)])
def test_the_exclamation_run_cue_takes_two_marks_or_more(text: str, fires: bool) -> None:
    """连续感叹 is written ``[!！][!！]+`` (two marks or more, either width; as ``{2,}`` the regex tries a match
    at every character instead of skipping to a mark)."""
    import re

    cue = next(c for c in S.emotion.cues if c.name == "连续感叹")
    assert (re.search(cue.pattern or "", text) is not None) == fires


def test_the_escalation_words_are_found_as_a_plain_alternation_finds_them() -> None:
    """One pattern says whether a text holds an escalation word (the words grouped by first character): for
    texts around every word, every word cut short and every first character alone, it finds one exactly when
    some word is in the text; so it does for word lists with a one-character word and with the empty word."""
    import re

    from hotline.citizen.emotion import _any_of, _kinds_of

    kinds, pattern = _kinds_of(S.escalation)
    words = {w for ws in kinds.values() for w in ws}
    texts = ["您好，我想问一下", *(f"我要{w}了" for w in words), *(f"说{w[:-1]}吧" for w in words if len(w) > 1),
             *(w[0] for w in words)]
    for found, among in ((pattern, words), (re.compile(_any_of({*words, "跳", "投诉"})), {*words, "跳", "投诉"}),
                         (re.compile(_any_of({"", "上访"})), {"", "上访"})):
        assert [found.search(t) is not None for t in texts] == [any(w in t for w in among) for t in texts]


FOUND_PATTERNS = ["[!！][!！]+", "(就是|凭什么|像话吗)", "a*", "x|", "(?i)ab", "a(?:b|!)+?", "(?>ab)", "[a-c]b",
                  "^ab", "b$", "(?m)^a", "(?<=a)b", "(?<!a)b", "a(?=b)", "a.b", "(?s)a.b", "[^x]+", "[^\n]b", "a\nb",
                  "[\t-\r]", "\\w+b", "\\sa", "\\bab", "(a)\\1", "\\Aa", "a\\Z"]


NEEDLE_PATTERNS = ["[!！]{2}", "凭什么|像话", "a+b", "(?:ab|b!)x", "[a-c]x", "[a-z]b", "(?:就|是)?什么", "a(?=b)|(?<=!)x",
                   "[0-9]{0,2}就", "(?>就是)是?"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab!！x\n就是凭什么像话吗", max_size=8), max_size=8))
def test_found_in_says_what_searching_each_text_says(texts: list[str]) -> None:
    """A search over the texts joined a line break apart finds a match in each text exactly when searching it alone
    does, for patterns that may be joined (literals, classes, groups, repeats, the empty match) and those that may
    not (anchors, look-arounds, ``.``, negated classes, categories, a line break, back-references)."""
    import re

    from hotline.citizen.emotion import found_in

    for regex in FOUND_PATTERNS + NEEDLE_PATTERNS:
        pattern = re.compile(regex)
        assert found_in(pattern, texts) == [pattern.search(t) is not None for t in texts], regex


def test_the_cue_and_escalation_patterns_are_searched_joined() -> None:
    """The bundled cue patterns and the escalation words take the joined search; a pattern that could match
    across two texts or looks around a match does not."""
    from hotline.citizen.emotion import _apart, _kinds_of

    bundled = [c.pattern for c in S.emotion.cues if c.pattern] + [_kinds_of(S.escalation)[1].pattern]
    assert len(bundled) == 3 and all(_apart(p, 0) for p in bundled)
    assert [_apart(p, 0) for p in FOUND_PATTERNS] == [True] * 8 + [False] * 18


def test_the_strings_every_match_holds_are_the_prefilters_for_few_or_none() -> None:
    """``found_in`` searches only the texts holding one of the strings every match holds (``prefilter.literals``,
    as the rules' regexes are prefiltered): a class's characters, each alternative's run, the part a repeat or a
    look-around leaves; none when a match may be empty or the pattern ignores case, and none for many strings
    (the escalation words: sre's one scan is cheaper)."""
    import re

    from hotline.citizen.emotion import _NEEDLES, _kinds_of, _needles

    def needles(regex: str) -> tuple[str, ...] | None:
        return _needles(re.compile(regex))

    assert needles("[!！][!！]+") == ("!", "！")
    assert set(needles(next(c.pattern or "" for c in S.emotion.cues if c.name == "反问质问")) or ()) == {
        "就是这么", "还让不让", "有没有人管", "到底管不管", "凭什么", "什么态度", "像话吗", "算什么"}
    assert needles("a+b") == ("a",)
    assert needles("(?:ab|b!)x") == ("abx", "b!x")  # each alternative with what follows it
    assert needles("[a-c]x") == ("ax", "bx", "cx")
    assert [needles(p) for p in ("[a-z]b", "(?:就|是)?什么", "a(?=b)|(?<=!)x", ".b", "\\db")] == [
        ("b",), ("什么",), ("a", "x"), ("b",), ("b",)]
    assert [needles(p) for p in ("(?i)ab", "x*", "x|")] == [None] * 3
    escalation = _kinds_of(S.escalation)[1]
    assert len(literals_of(escalation)) > _NEEDLES and _needles(escalation) is None


def literals_of(pattern: object) -> tuple[str, ...]:
    from hotline.inspect.prefilter import literals

    return literals(pattern) or ()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0.0, -0.0, 0.1, 0.3, 0.6, 0.9, 1.0]), max_size=7), st.integers(0, 8),
       st.booleans())
def test_the_course_is_the_maxima_and_slices_it_is_defined_by(series: list[float], end_turns: int,
                                                               settled: bool) -> None:
    """``_course`` finds the peak, its turn and the end in one pass each: what ``max``, ``index`` and the last
    ``end_turns`` of the series say (the first of equal maxima, 0.0 and -0.0 apart), whatever ``end_turns``."""
    import math

    from hotline.citizen.emotion import _course

    turns = [3 * i + 1 for i in range(len(series))]
    got = _course(turns, series, settled, end_turns, 0.6, 0.3)
    if not series:
        assert got is None
        return
    size = end_turns if len(series) > end_turns else 1
    peak, end = max(series), max(series[-size:])
    want = (series[0], peak, turns[series.index(peak)], end,
            settled and peak >= 0.6 and end < 0.3 and turns[series.index(peak)] < turns[-size],
            series[0] < 0.3 and end >= 0.6 and len(series) > 1)
    assert got == want
    assert got is not None and math.copysign(1, got[1]) == math.copysign(1, peak)
    assert math.copysign(1, got[3]) == math.copysign(1, end)
