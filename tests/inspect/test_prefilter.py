"""The regex prefilter (``hotline.inspect.prefilter``): the literals derived from a pattern must occur in every
string the pattern matches, or a turn with a match would be skipped. Unit tests pin the derivation; property
tests check the promise over generated patterns and strings, and over every pattern of the bundled rulebook."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.inspect import default_engine
from hotline.inspect.compiled import regex_patterns
from hotline.inspect.prefilter import anchored, literals
from hotline.norms import load_default


def lits(pattern: str, flags: int = 0) -> set[str] | None:
    found = literals(re.compile(pattern, flags))
    return None if found is None else set(found)


# ── the derivation ──────────────────────────────────────────
def test_a_literal_requires_itself() -> None:
    assert lits("你") == {"你"}
    assert lits("为您服务") == {"为您服务"}


def test_alternation_is_the_union_and_drops_what_contains_a_shorter_literal() -> None:
    assert lits("不会|不行|办不了") == {"不会", "不行", "办不了"}
    assert lits("当天|今天之内|天") == {"天"}  # a text holding 当天 holds 天
    assert lits("不会|.") is None  # one branch may match anything


def test_optional_parts_and_repeats_from_zero_require_nothing() -> None:
    assert lits("a?") is None
    assert lits("(?:不会)*") is None
    assert lits("x{0,3}") is None
    assert lits("(?:^|[,.])[^,.]{0,8}?(不知道|不会)[啊吧]?(?=[,.]|$)") == {"不知道", "不会"}
    assert lits("[0-9]*号") == {"号"}


def test_repeats_from_one_require_their_body() -> None:
    assert lits("(?:工号)+") == {"工号"}
    assert lits("(?:ab){2}") == {"abab"}
    assert lits("(?:a|b){1,3}c") in ({"c"}, {"ac", "bc"})


def test_small_classes_are_literals_and_wide_or_negated_ones_anything() -> None:
    assert lits("[甲乙]丙") == {"甲丙", "乙丙"}
    assert lits("[0-9]") == {str(d) for d in range(10)}
    assert lits("[^,.]") is None
    assert lits(r"\d") is None
    assert lits("[a-z]") is None  # 26 characters: wider than a class read as literals
    assert lits(r"[\d号]") is None


def test_concatenation_keeps_the_most_selective_part() -> None:
    # one two-character literal filters better than ten digits
    assert lits("[0-9]{1,6}为您服务") == {"为您服务"}
    assert lits("(您|你)(刚才|之前)?(是说|说的是)") == {"是说", "说的是"}
    assert lits(".*不会.*") == {"不会"}


def test_anchors_and_lookarounds_consume_nothing() -> None:
    assert lits("^不会$") == {"不会"}
    assert lits(r"\b不会(?!吧)") == {"不会"}
    assert lits("(?<=他)说") == {"说"}
    assert lits("不(?=会)会") == {"不会"}  # read as one run: the lookahead adds no text between them
    assert lits("^.") is None
    assert lits("(?=不会)") is None


def test_what_cannot_be_reasoned_about_gets_no_prefilter() -> None:
    assert lits("不会", re.IGNORECASE) is None
    assert lits("(?i)abc") is None
    assert lits("(?i:abc)") is None
    assert lits("(?i:abc)d") == {"d"}
    assert lits(r"(a)\1") == {"a"}
    assert lits(r"(a)?(?(1)b|c)") is None
    assert literals("不会") is None  # not a compiled pattern
    assert literals(re.compile(b"abc")) is None


def test_anchored_patterns_match_only_at_the_start() -> None:
    assert anchored(re.compile("^.")) and anchored(re.compile(r"\A不会"))
    assert anchored(re.compile("^a|^b")) and anchored(re.compile("(?:^a)b"))
    assert not anchored(re.compile("^a|b"))
    assert not anchored(re.compile("^a", re.MULTILINE))
    assert not anchored(re.compile("(?m)^a"))
    assert not anchored(re.compile("a^"))


# ── the promise, over generated patterns and strings ────────
ALPHABET = "ab不会行,."


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    """A pattern over ALPHABET built from every construct the derivation reads."""
    roll = rng.random() if depth < 3 else rng.random() * 0.45
    if roll < 0.25:
        return re.escape(rng.choice(ALPHABET))
    if roll < 0.35:
        return rng.choice(["[ab]", "[不会]", "[^,.]", "[a-c]", ".", r"\w", "[,.会]"])
    if roll < 0.45:
        return rng.choice(["^", "$", r"\b", r"\A"])
    if roll < 0.6:
        return "".join(_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 4)))
    if roll < 0.72:
        return "(?:" + "|".join(_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 3))) + ")"
    if roll < 0.84:
        low = rng.choice([0, 0, 1, 2])
        high = rng.choice([low, low + 1, low + 3, None])
        body = _random_pattern(rng, depth + 1)
        upper = "" if high is None else str(high)
        bounds = rng.choice(["{" + f"{low},{upper}" + "}", "?", "*", "+"])
        return f"(?:{body}){bounds}{rng.choice(['', '?'])}"
    if roll < 0.9:
        return f"({_random_pattern(rng, depth + 1)})"
    if roll < 0.96:
        return f"(?{rng.choice(['=', '!', '<=', '<!'])}{re.escape(rng.choice(ALPHABET))})"
    return f"(?>{_random_pattern(rng, depth + 1)})"


def _check(pattern: re.Pattern[str], text: str) -> None:
    need = literals(pattern)
    if need is not None and pattern.search(text) is not None:
        assert any(n in text for n in need), (pattern.pattern, text, need)


def test_generated_patterns_never_lose_a_match() -> None:
    rng = random.Random(7)
    derived = 0
    for _ in range(1500):
        source = _random_pattern(rng)
        try:
            pattern = re.compile(source)
        except re.error:
            continue
        derived += literals(pattern) is not None
        for _ in range(60):
            _check(pattern, "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 10))))
    assert derived > 300  # the test exercises the prefilter, not only patterns without one


def _rulebook_patterns() -> list[str]:
    rb = load_default()
    return sorted(regex_patterns(rb) | set(rb.guards.reported_patterns))


@pytest.mark.parametrize("source", _rulebook_patterns())
def test_rulebook_patterns_never_lose_a_match(source: str) -> None:
    pattern = re.compile(source)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.from_regex(pattern), st.text(alphabet="不会天号你您说,. 0一", max_size=6))
    def check(text: str, noise: str) -> None:
        _check(pattern, text)
        _check(pattern, noise + text + noise)

    check()


def test_the_engine_filters_the_rulebooks_costly_patterns() -> None:
    compiled = default_engine(semantic=False).compiled
    by_pattern = {compiled.regexes[node_id][0].pattern: need for node_id, need in compiled.regex_needs.items()}
    assert by_pattern["你"] == "你"
    filtered = [p for p in by_pattern if "不知道" in p and "不清楚" in p]
    assert filtered, "the bare-refusal pattern has a prefilter"


# ── the operator: the same hits as a plain finditer over every turn ──
@pytest.mark.parametrize("source", ["^(|您)", "^您", "^.", "(?:不会|不行)吧?", "您", "[0-9]{1,6}号", "x?"])
def test_regex_operator_finds_what_finditer_finds(source: str) -> None:
    from helpers import call

    from hotline.inspect import Engine
    from hotline.inspect import operators as ops
    from hotline.inspect.context import CallContext
    from hotline.norms.schema import Matcher

    rb = load_default()
    node = Matcher.model_validate({"regex": {"pattern": source, "guards": False, "speaker": "any"}})
    detectors = {**rb.detectors, "测试正则": node}
    engine = Engine(rb.model_copy(update={"detectors": detectors}))
    c = call("坐席：您好，1024号为您服务", "市民：我不会吧，您说呢", "坐席：不行", "市民：嗯")
    ctx = CallContext(c, engine.compiled, semantic=False)
    pattern = re.compile(source)
    expected = []
    for t, norm in enumerate(ctx.norm):
        for m in pattern.finditer(norm.text):
            s, e = m.span(1) if pattern.groups else m.span()
            expected.append((t, *((s, e) if s >= 0 else m.span())))
    hits = ops.evaluate(engine.compiled.rulebook.detectors["测试正则"], ctx)
    assert hits is not None
    assert [(h.turn_index, h.start, h.end) for h in hits] == expected
    if source == "^(|您)":  # an empty match at 0, then a longer one at 0: finditer gives both
        assert (0, 0, 0) in expected and (0, 0, 1) in expected


def test_an_alternation_prefilter_is_read_off_the_automaton_pass() -> None:
    """The literals of a regex's prefilter that is an alternation go into the phrase automaton under a key of their
    own: the turns that may match are read off the call's one automaton pass (fails when the literals are left out:
    no turn may match). A literal that is also a lexicon phrase stays that lexicon's phrase too."""
    from helpers import call

    from hotline.inspect import Engine
    from hotline.inspect import verdicts as vd
    from hotline.inspect.context import CallContext
    from hotline.norms.schema import Matcher

    rb = load_default()
    node = Matcher.model_validate({"regex": {"pattern": "(?:不会|不行)吧?", "guards": False, "speaker": "any"}})
    words = Matcher.model_validate({"phrases": {"lexicon": "测试词表", "guards": False, "speaker": "any"}})
    engine = Engine(rb.model_copy(update={"detectors": {**rb.detectors, "测试正则": node, "测试词表": words},
                                          "lexicons": {**rb.lexicons, "测试词表": ["不行"]}}))
    compiled = engine.compiled
    key = compiled.regex_need_keys[id(compiled.rulebook.detectors["测试正则"])]
    assert key.startswith("need:")
    c = call("坐席：您好，1024号为您服务", "市民：我不会吧，您说呢", "坐席：不行", "市民：嗯，行吧")
    ctx = CallContext(c, compiled, semantic=False)
    assert ctx.key_turns(key) == 0b0110
    assert vd.verdict(compiled.rulebook.detectors["测试正则"], ctx) == 0b0110 << 1
    assert [t for t, _, _ in ctx.phrase_hits("测试词表")] == [2]
    assert vd.verdict(compiled.rulebook.detectors["测试词表"], ctx) == 0b0100 << 1
