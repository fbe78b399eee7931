# The act featurizer's clause walks (features.c), built by ``hotline native build``: importable only when built and
# current.

from collections.abc import Callable
from typing import Any

def walk(
    texts: list[str], seps: bytes, long: int, split: tuple[list[str], int, int, int] | None = None, /
) -> list[tuple[tuple[int, int, str], ...] | None]: ...
def remembered(
    texts: list[str], spans: list[tuple[tuple[int, int, str], ...]], known: dict[str, dict[str, str]], /
) -> tuple[list[str], list[int], list[str]]: ...

class Abstracter:
    def __init__(self, words: list[str], symbols: list[str], number: str, /) -> None: ...
    def abstract(self, text: str, /) -> str: ...

class ClauseMemo:
    width: int
    limit: int
    def __init__(self, width: int, limit: int) -> None: ...
    def batch(
        self, texts: list[str], spans: list[tuple[tuple[int, int, str], ...]], abstracter: Abstracter,
        score: Callable[[list[str]], Any], /
    ) -> tuple[list[str], bytearray] | None: ...
    def clear(self) -> None: ...
    def __len__(self) -> int: ...
