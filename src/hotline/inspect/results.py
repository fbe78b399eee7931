"""What an operator gives back. The tree walk (``operators``) and the timing operators (``timing``)
both stand on this module and on ``context``; ``timing`` never reaches up into ``operators``."""

from __future__ import annotations

from collections.abc import Iterable

from hotline.inspect.context import Hit

Result = list[Hit] | None
"""The hits of a matcher, or None when it cannot apply to this call (a timing rule without times)."""

Allowed = int | None
"""The turns a matcher may look at, as a mask with one bit per turn (bit i: turn i); None = every turn."""


def mask_of(turns: Iterable[int]) -> int:
    """The mask of a set of turn indices (a whole-call hit's turn, -1, is no turn of a subset)."""
    mask = 0
    for t in turns:
        if t >= 0:
            mask |= 1 << t
    return mask


def hit_mask(hits: Result) -> int | None:
    """The turns a list of hits falls on, as the verdict pass writes them (``verdicts``): bit 0 for a hit on the
    whole call (turn -1), bit i + 1 for turn i; None for None (the matcher does not apply)."""
    if hits is None:
        return None
    mask = 0
    for h in hits:
        mask |= 1 << (h.turn_index + 1)
    return mask


def allows(allowed: Allowed, turn: int) -> bool:
    """Turn ``turn`` is among ``allowed`` (a whole-call hit, turn -1, never is a member of a subset)."""
    return allowed is None or (turn >= 0 and (allowed >> turn) & 1 == 1)
