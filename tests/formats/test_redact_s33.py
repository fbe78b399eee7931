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


def test_a_finding_masked_by_default_as_by_mask_recurring() -> None:
    from hotline.masking import build_masker, default_rules
    from hotline.model import Finding, Severity

    turns = ["我的电话是13812345678", "好的"]
    masker = build_masker(default_rules())
    masked = [masker.mask(t) for t in turns]
    for evidence, message, turn in [("13812345678", "未复述电话13812345678（第 1 句）", 0), ("好的", "说明", 1),
                                    ("", "电话13912345678", None)]:
        f = Finding("r.v1", "维度", Severity.MINOR, turn, None, evidence, message, "建议：拨打13712345678")
        assert masker.finding(f, turns, masked) == masker.finding(f, turns, masked, masker.mask_recurring)
        assert masker.finding(f, turns, masked).suggestion == "建议：拨打137****5678"
