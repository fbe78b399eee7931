"""Fixtures for curriculum tests: the bundled curriculum, the default engine, and a writable
copy of the content tree for tests that break files on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotline.content import data_path
from hotline.curriculum import Curriculum, load_curriculum


@pytest.fixture(scope="session")
def cur() -> Curriculum:
    return load_curriculum()


@pytest.fixture(scope="session")
def engine():  # noqa: ANN201 - the engine type lives in hotline.inspect
    from hotline.inspect import default_engine

    return default_engine()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of lessons/, questions/ and cases/ that a test may edit."""
    for part in ("lessons", "questions", "cases"):
        shutil.copytree(data_path(part), tmp_path / part)
    return tmp_path


def correct_answer(q) -> str:  # noqa: ANN001 - a Question
    """What a trainee who knows the answer types in."""
    if q.type == "true_false":
        return "对" if q.answer else "错"
    if q.type == "rewrite":
        return q.references[0]
    return "".join(q.correct_letters())


@pytest.fixture(scope="session")
def answer_key():  # noqa: ANN201
    return correct_answer
