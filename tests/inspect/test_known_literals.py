"""The prefilter analysis of a rulebook's patterns (``prefilter.literals``, about a twentieth of a start) is
read back from the start-up cache: what it reads is what the analysis gives, and only patterns compiled by
``re.compile`` take it (a browser-entered rulebook's are compiled under a time limit, and analysed afresh)."""

from __future__ import annotations

import re

from hotline import cache
from hotline.inspect.compiled import (
    analysed_patterns,
    compile_rulebook,
    known_literals,
    literals_slot,
    regex_patterns,
)
from hotline.inspect.prefilter import literals
from hotline.inspect.safe_regex import limited_compiler
from hotline.norms import load_default


def test_the_known_literals_are_the_analysis(own_cache: None) -> None:
    patterns = analysed_patterns(load_default())
    assert len(patterns) > 5
    want = {p: literals(re.compile(p)) for p in patterns}
    assert known_literals(patterns) == want  # analysed and written
    assert known_literals(patterns) == want  # read back


def test_a_rulebook_takes_its_known_literals_only_for_patterns_re_compiles(own_cache: None) -> None:
    rb = load_default()
    patterns = analysed_patterns(rb)
    planted = {p: ("甲乙丙丁",) for p in patterns}  # not what any pattern needs: only a read-back gives it
    assert cache.cached(literals_slot(patterns), (), lambda: planted, dict) == planted
    compiled = compile_rulebook(rb)
    assert compiled.regex_needs and set(compiled.regex_needs.values()) == {"甲乙丙丁"}
    assert compiled.reported_need == "甲乙丙丁"
    limited = compile_rulebook(rb, limited_compiler(regex_patterns(rb)))  # the same patterns, through the limit
    assert "甲乙丙丁" not in limited.regex_needs.values()
