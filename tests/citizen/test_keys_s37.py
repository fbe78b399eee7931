"""With a power-of-two number of buckets, the chunk's n-grams are numbered from their keys taken modulo 2³²
(``satisfaction._low_keys``: the polynomial in 32-bit numbers) instead of the 64-bit keys of
``hashing.keys_by_length``: a bucket is the key's low bits, and those are the same in both. Every key, every
bucket and every count must be the 64-bit path's, for texts of any characters and any number of buckets."""

import random

import numpy as np
import pytest

from hotline.acts.hashing import codes_of, keys, keys_by_length
from hotline.citizen.block import default_model
from hotline.citizen.satisfaction import _counted_keys, _low_keys


def _texts() -> list[str]:
    rng = random.Random(37)
    alphabet = ["a", "Z", "0", "9", "\n", " ", "，", "！", "？", "你", "好", "管", "😀", "𠀀", "\U0010ffff", "\ud800",
                "\x00", "\uffff", "é"]
    made = ["", "a", "ab", "abc", "你好", "😀😀😀😀", "\n\n", "12345", "\ud800\udfff", "管管管管管管"]
    for _ in range(300):
        made.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30))))
    for _ in range(100):  # any code point, BMP or past it
        made.append("".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(1, 12))))
    return made


def test_low_keys_are_the_64_bit_keys_low_half() -> None:
    for text in _texts():
        got = list(_low_keys(text, range(1, 5)))
        want = list(keys_by_length(codes_of(text), range(1, 5)))
        assert len(got) == len(want) == min(4, len(text))
        for n, (low, key) in enumerate(zip(got, want, strict=True), start=1):
            assert low.dtype == np.uint32
            assert np.array_equal(low, (key & np.uint64(0xFFFFFFFF)).astype(np.uint32)), (text, n)
            assert np.array_equal(low, (keys(codes_of(text), n) & np.uint64(0xFFFFFFFF)).astype(np.uint32))


def test_low_keys_arrays_are_each_new() -> None:
    """The chunk's numbering writes into each array it is handed: none may be another's, or the codes."""
    arrays = list(_low_keys("你们到底管不管！！", range(1, 4)))
    assert all(a.flags.writeable and a.flags.owndata for a in arrays)
    assert len({id(a) for a in arrays}) == 3


@pytest.mark.parametrize("buckets", [16384, 4096, 2, 1, 2**32, 1000, 3])
@pytest.mark.parametrize("top", [None, 2**32])  # 32-bit numbers, and 64-bit ones
def test_chunk_numbers_are_the_64_bit_keys_buckets(buckets: int, top: int | None) -> None:
    model = default_model()
    assert model is not None
    s = model.settings.model_copy(update={"buckets": buckets, "ngram_max": 3})
    texts = [t for t in _texts() if t][:120]
    pieces = [f"^{t}$" for t in texts] + ["^重复的话$", "^重复的话$", "^x$"]
    owner = sorted(random.Random(1).randrange(0, 400) for _ in pieces)
    numbers = [keys(codes_of(p), n) % np.uint64(buckets) + np.uint64(o * buckets)
               for p, o in zip(pieces, owner, strict=True) for n in range(1, 4) if len(p) >= n]
    want, want_counts = np.unique(np.concatenate(numbers), return_counts=True)
    high = top or 2 * buckets * 401
    if high >= 2**32:
        high = max(high, 2**32)
    grams = _counted_keys(pieces, owner, s, high)
    assert grams.combined.dtype == (np.uint32 if high < 2**32 else np.uint64)
    assert np.array_equal(grams.combined, want) and np.array_equal(grams.counts, want_counts)
