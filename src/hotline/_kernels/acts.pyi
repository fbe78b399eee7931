# The act model's n-gram lookup and sums (acts.c), built by ``hotline native build``: importable only when built and current.

from typing import Any

class ActsKernel:
    def __init__(self, keys: Any, rows: Any, lengths: list[int]) -> None: ...
    def score(self, texts: list[str], weights: Any, out: Any) -> bool: ...
