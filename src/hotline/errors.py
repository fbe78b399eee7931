"""Errors with stable codes that say where the problem is and what to do.

Every error a user can cause (a bad file, a bad rulebook, a bad option) is a ``HotlineError``;
the CLI prints its message in one line and never shows a traceback."""

from __future__ import annotations


class HotlineError(Exception):
    """Base class. ``code`` is stable (E1xx formats, E2xx rulebook, E3xx inspect, E4xx workorder,
    E5xx simulate, E6xx curriculum, E7xx audio, E8xx store/web)."""

    code = "E000"

    def __init__(self, message: str, *, source: str | None = None, location: str | None = None):
        self.message = message
        self.source = source
        self.location = location
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = f" {self.source}"
            if self.location:
                where += f" {self.location}"
            where += ":"
        return f"[{self.code}]{where} {self.message}"


class FormatError(HotlineError):
    """A transcript file could not be read."""

    code = "E100"


class RulebookError(HotlineError):
    """A rulebook or lexicon file is invalid."""

    code = "E200"


class ContentError(HotlineError):
    """A content file (scenario, lesson, question, taxonomy…) is invalid."""

    code = "E600"
