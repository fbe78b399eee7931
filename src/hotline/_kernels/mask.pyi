# Where a match of the masking rules may begin (mask.c), built by ``hotline native build``: importable only when built
# and current.

from collections.abc import Iterable

class Heads:
    def __init__(self, sets: Iterable[tuple[str, tuple[tuple[int, int], ...], int]],
                 rules: Iterable[tuple[int, tuple[int, ...]]]) -> None: ...
    def find(self, text: str, start: int = 0) -> int: ...
