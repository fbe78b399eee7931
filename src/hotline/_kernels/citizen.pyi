# The citizen block's C kernel (citizen.c), built by ``hotline native build``: importable only when built and current.

def chunk_grams(pieces: list[str], owner: list[int], buckets: int, ngram_max: int, itemsize: int, calls: int,
                table: object) -> tuple[list[bytearray], bytearray, bytearray, bytearray, bytearray | None, list[int]]: ...

def clause_stats(blocks: list[object], sizes: list[int], bounds: list[int], width: int,
                 groups: list[list[int]]) -> tuple[bytearray, list[bytearray]]: ...
