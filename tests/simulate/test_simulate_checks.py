"""Every scenario: names exist in the rulebook, its example questions ask what they should, and its
reference answer plays to the intended end of the call."""

from __future__ import annotations

import pytest

from hotline.simulate.checks import check_library, check_names, check_questions, check_reachable
from hotline.simulate.library import default_library

IDS = default_library().ids()


@pytest.mark.parametrize("scenario_id", IDS)
def test_scenario_names_questions_and_reachability(scenario_id, library, engine, reader):
    sc = library.get(scenario_id)
    problems = check_names(sc, set(engine.rule_ids()), set(engine.detector_names()))
    problems += check_questions(sc, reader)
    problems += check_reachable(sc, library, reader)
    assert problems == []


def test_checks_catch_broken_data(library, engine, reader):
    sc = library.get("wage-construction").model_copy(deep=True)
    sc.norms = ["no.such.rule.v1"]
    sc.slots["amount"].keywords = []
    sc.slots["amount"].example = "请问您今天心情好吗？"
    sc.triggers[0].acts = ["no_such_detector"]
    problems = check_names(sc, set(engine.rule_ids()), set(engine.detector_names())) + check_questions(sc, reader)
    text = "\n".join(problems)
    assert "no.such.rule.v1" in text and "no_such_detector" in text and "amount" in text


def test_unreachable_reference_is_reported(library, reader):
    sc = library.get("wage-restaurant").model_copy(deep=True)
    sc.model_answer = ["你快点讲", "你快点讲", "你快点讲", "你快点讲"]
    problems = check_reachable(sc, library, reader)
    assert problems and "hangup" in problems[0]


def test_check_library_is_clean(library, engine, reader):
    assert check_library(library, engine, reader) == []
