"""Masking rules (data/masking.yaml): citizens' numbers and house numbers masked, the agent's own
工号 left readable; suggested wordings carry the agent's own 工号; exports neutralise formulas."""

from __future__ import annotations

import pytest

from hotline.masking import agent_suggestion, mask_text
from hotline.web.export import safe_cell


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("您好，12345政务服务便民热线，1024号为您服务", "您好，12345政务服务便民热线，1024号为您服务"),
        ("工号2001号为您服务", "工号2001号为您服务"),
        ("我的工号 2001号", "我的工号 2001号"),
        ("1024号话务员很高兴为您服务", "1024号话务员很高兴为您服务"),
        ("住幸福小区3栋2单元501室", "住幸福小区*栋*单元***室"),
        ("幸福路88号", "幸福路**号"),
        ("我住12号楼", "我住**号楼"),
        ("三号楼二单元", "*号楼*单元"),
        ("电话13812345678", "电话138****5678"),
        ("座机010-62345678", "座机010-******78"),
        ("幺三八一二三四五六七八", "幺三八******七八"),
        ("身份证110101199003074518", "身份证110101********4518"),
    ],
)
def test_mask_table(text, masked):
    assert mask_text(text) == masked
    assert len(mask_text(text)) == len(text)  # spans of findings stay valid


@pytest.mark.parametrize(
    ("suggestion", "code", "expected"),
    [
        ("您好，12345政务服务便民热线，1024号为您服务，请问有什么可以帮您？", "3145", "您好，12345政务服务便民热线，3145号为您服务，请问有什么可以帮您？"),
        ("您好，12345政务服务便民热线，1024号为您服务", "", "您好，12345政务服务便民热线，1024号为您服务"),
        ("请说“不好意思”", "3145", "请说“不好意思”"),
    ],
)
def test_suggestions_carry_the_agents_own_code(suggestion, code, expected):
    assert agent_suggestion(suggestion, code) == expected


@pytest.mark.parametrize(("value", "safe"), [("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("-2", "'-2"), ("正常", "正常"), (3.5, 3.5)])
def test_export_cells_never_run_as_formulas(value, safe):
    assert safe_cell(value) == safe


@pytest.mark.parametrize(("regex", "first"), [
    (r"(?<!\d)1[3-9]\d{9}", "1"), (r"(?<![0-9])(?P<mask>[0-9]+|[一二]+)(?=号)", "0-9一二"), (r"a|b", "ab"),
    (r"\d+x", r"\d"), (r"a?b", None), (r"(?:a|)b", None), (r".x", None), (r"[^a]", None), (r"(?i)ab", None),
    (r"x*y", None), (r"(?i:ab)c", None), (r"(?s:.)x", None), (r"(?:ab)+", "a"), (r"(?<=x)\b[0-9]", "0-9")])
def test_first_characters_of_a_pattern_or_none_when_unsure(regex, first):
    """The combined pattern skips places where no rule's match can begin: a wrong answer here would leave a
    number unmasked, so anything not certain is None (and then no place is skipped)."""
    from hotline.regexscan import first_chars

    assert first_chars(regex) == first


def test_a_rule_that_may_begin_anywhere_still_masks(tmp_path):
    from hotline.masking import load_rules

    path = tmp_path / "masking.yaml"
    path.write_text("patterns:\n  - {name: 手机号, regex: '1[3-9]\\d{9}', keep_head: 3, keep_tail: 4}\n"
                    "  - {name: 车牌, regex: '.?京A\\d{5}'}\n", encoding="utf-8")
    assert mask_text("电话13812345678，车牌京A12345", load_rules(path)) == "电话138****5678，车********"


def test_recurring_texts_are_masked_every_time_and_the_memory_stays_bounded():
    from hotline.masking import build_masker, default_rules

    masker = build_masker(default_rules(), memo_texts=3)
    message = "市民留的电话13812345678未复述核对"
    for _ in range(3):  # remembered, and masked each time it comes back
        assert masker.mask_recurring(message) == "市民留的电话138****5678未复述核对"
    plain, again = "".join(["未按规范", "结束通话"]), "".join(["未按", "规范结束通话"])  # equal, not the same object
    assert plain is not again and masker.mask_recurring(plain) is plain and masker.mask_recurring(again) is again
    for i in range(10):
        assert masker.mask_recurring(f"第{i}条：电话13912345678") == f"第{i}条：电话139****5678"
        assert len(masker.memo) <= 3
    long = "电话13812345678，" * 100  # longer than kept: masked, never remembered
    assert masker.mask_recurring(long) == mask_text(long) and long not in masker.memo
    assert masker.mask_recurring("") == ""
