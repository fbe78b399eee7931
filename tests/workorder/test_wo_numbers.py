import pytest

from hotline.workorder.numbers import classify_run, digit_runs, id_checksum_ok, normalize_phone


@pytest.mark.parametrize(
    ("text", "digits", "kind"),
    [
        ("我的电话是幺三八零零零幺幺幺幺二", "13800011112", "mobile"),
        ("一三八 零零零一 一一一二，对", "13800011112", "mobile"),
        ("号码是13800001111", "13800001111", "mobile"),
        ("一三九一二三四五六七八对吗", "13912345678", "mobile"),
        ("座机0551-62345678", "055162345678", "landline"),
        ("幺八六洞洞洞幺二三四五", "18600012345", "mobile"),
        ("身份证三四零一零四一九九零零一零一一二三叉", "34010419900101123X", "id"),
    ],
)
def test_spoken_and_written_numbers(text: str, digits: str, kind: str) -> None:
    runs = digit_runs(text)
    assert [r.digits for r in runs] == [digits]
    assert classify_run(runs[0]) == kind
    assert normalize_phone(text[runs[0].start : runs[0].end]).startswith(digits[:11])


@pytest.mark.parametrize("text", ["我一直打不通，一下子等了三天", "十八号楼二单元", "一五一十地说了"])
def test_words_with_numerals_are_not_numbers(text: str) -> None:
    assert digit_runs(text) == []


def test_id_checksum() -> None:
    assert id_checksum_ok("11010519491231002X")
    assert not id_checksum_ok("110105194912310021")
