"""Which engine reads the trainee live and which one scores the drill.

Both are the default inspection engine. Reading a turn live uses it without the sentence-embedding
detectors (phrase and pattern detectors only), so the citizen answers in milliseconds; the debrief
and the live hints use the full engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotline.inspect import Engine


def scoring_engine() -> Engine:
    from hotline.inspect import default_engine

    return default_engine()


def reading_engine() -> Engine:
    """The default rulebook compiled with ``settings.semantic`` off."""
    from hotline.inspect import default_engine

    return default_engine(semantic=False)
