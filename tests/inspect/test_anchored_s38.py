"""Session 38, start-up: which regex nodes can only match at a turn's start (``prefilter.anchored``, which parses
each pattern in Python, ~15M instructions a start) is read back from the start-up cache
(``compiled.known_anchored``): what it reads is what the analysis gives, by the pattern's string and flags, and only
a rulebook compiled by ``re`` with the cache takes it."""

from __future__ import annotations

import re

from hotline import cache
from hotline.inspect.compiled import _all_nodes, anchored_slot, compile_rulebook, known_anchored
from hotline.inspect.prefilter import anchored
from hotline.norms import load_default

PATTERNS = ["^a", "\\Aa", "a", "^a|^b", "^a|b", "(?:^x)y", "(?m)^a", "(?s).*", "", "^", "^\U0001f600",
            "^[0-9]{3}", "号码\\d+", "(?m:^a)|^b", "(?>^a)", "^\U00020000|\\A\u4e00"]


def _compiled_patterns() -> list[re.Pattern[str]]:
    out = [re.compile(p, flags) for p in PATTERNS for flags in (0, re.MULTILINE)]
    return out + _rulebook_patterns()


def _rulebook_patterns() -> list[re.Pattern[str]]:
    """The default rulebook's regex nodes' patterns, as ``re`` compiles them (string and flags as the engine's)."""
    return [re.compile(n.regex.pattern) for n in _all_nodes(load_default()) if n.regex is not None]


def test_the_known_anchored_are_the_analysis_built_and_read_back(own_cache: None) -> None:
    patterns = _compiled_patterns()
    want = {(p.pattern, p.flags): anchored(p) for p in patterns}
    assert any(want.values()) and not all(want.values())
    one, many = re.compile("^a").flags, re.compile("^a", re.MULTILINE).flags
    assert want[("^a", one)] and not want[("^a", many)]  # one string, two flags: two answers
    assert known_anchored(patterns) == want  # analysed and written
    assert known_anchored(patterns) == want  # read back
    assert known_anchored(patterns[::-1]) == want  # the same patterns in another order: the same slot
    assert known_anchored(patterns[:3]) == {k: want[k] for k in [(p.pattern, p.flags) for p in patterns[:3]]}
    assert known_anchored([]) == {}


def test_a_rulebook_reads_its_anchored_nodes_back_unless_told_not_to(own_cache: None) -> None:
    rb = load_default()
    plain = compile_rulebook(rb, cache=False)
    assert plain.regex_anchored  # the default rulebook has some
    assert compile_rulebook(rb).regex_anchored == plain.regex_anchored  # analysed and written
    assert compile_rulebook(rb).regex_anchored == plain.regex_anchored  # read back
    keys = [(p.pattern, p.flags) for p in _rulebook_patterns()]
    assert cache.read_back(anchored_slot(keys), dict) == {k: anchored(re.compile(k[0], k[1])) for k in keys}
    planted = {k: not anchored(re.compile(k[0], k[1])) for k in keys}  # only a read-back gives this
    assert cache.cached(anchored_slot(keys[::-1]), (), lambda: {}, dict) != planted
    cache.keep(anchored_slot(keys), planted)
    flip = compile_rulebook(rb)
    assert flip.regex_anchored == set(flip.regexes) - plain.regex_anchored  # what it reads is what it takes
    assert compile_rulebook(rb, cache=False).regex_anchored == plain.regex_anchored  # never read back
