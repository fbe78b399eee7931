"""Errors of the drill trainer (codes E5xx)."""

from __future__ import annotations

from hotline.errors import HotlineError


class SimulateError(HotlineError):
    """A drill could not go on (bad state, bad call order, a session file that cannot be read)."""

    code = "E500"


class ScenarioNotFound(SimulateError):
    code = "E501"


class DrillStateError(SimulateError):
    """The session API was used out of order (e.g. speaking after the call ended)."""

    code = "E502"


class ScriptError(SimulateError):
    """A trainee script file for ``hotline drill --script`` is unreadable or empty."""

    code = "E503"


class ResponderError(SimulateError):
    """The optional LLM responder failed; the drill falls back to the offline responder."""

    code = "E504"
