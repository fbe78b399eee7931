"""``Masker.mask_recurring`` reads its memory with one lookup, "" standing for a text not remembered: a masker whose
answer is "" (the whole text masked with no mask character) still answers "", each time."""

from __future__ import annotations

import re

from hotline.redact import Masker


def test_an_empty_answer_is_found_again() -> None:
    masker = Masker(re.compile(r"(?P<p0>\d+)"), [(None, 0, 0)], "")
    for _ in range(3):
        assert masker.mask_recurring("13812345678") == ""
    assert masker.mask_recurring("电话13812345678") == "电话"
    text = "".join(["未按", "规范"])
    assert masker.mask_recurring(text) is text and masker.memo[text] is None
