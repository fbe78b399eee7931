# The act featurizer's clause walks (features.c), built by ``hotline native build``: importable only when built and
# current.

def walk(texts: list[str], seps: bytes, long: int, /) -> list[tuple[tuple[int, int, str], ...] | None]: ...
def remembered(
    texts: list[str], spans: list[tuple[tuple[int, int, str], ...]], known: dict[str, dict[str, str]], /
) -> tuple[list[str], list[int], list[str]]: ...
