"""Fast paths of the operators (helper s33), each against the simple way it stands for."""

from __future__ import annotations

import itertools

from hotline.inspect import operators as ops


def _letter_pairs(text: str) -> set[str]:
    """The simple way: every two neighbouring characters that ``str.isalpha`` holds."""
    return {text[i:i + 2] for i in range(len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()}


def _simple_overlap(text: str, earlier: list[str], ignore: set[str]) -> tuple[int, int]:
    heard: set[str] = set().union(*(_letter_pairs(t) for t in earlier))
    shared: set[str] = set()
    pieces = 0
    inside = False
    for i in range(len(text) - 1):
        pair = text[i:i + 2]
        hit = pair in heard and pair not in ignore
        if hit:
            shared.add(pair)
            pieces += not inside
        inside = hit
    return len(shared), pieces


# letters of every kind beside hanzi and ASCII (kana, hangul, Latin-1 ª, Greek), and what only looks like one:
# digits of all widths, numerals that are not letters (Ⅻ ① ² 〇), punctuation, the line break that joins turns
ODD = "ªµ×ÀéΩあア한①²ⅫⅫ〇_-0９\n"
TURNS = ["我家楼下路灯坏了一个星期", "路灯ab12cdAB", "电话是13800138000", "ªµ×Àé", "Ωあア한①²Ⅻ〇",
         "，。？！", "", "灯", "a", "坏了坏了坏了", "一下您的", "我们的问题"]


def test_a_letter_is_what_isalpha_holds() -> None:
    for c in range(0x4E00, 0xA000):  # the hanzi answered without asking ``str.isalpha``
        assert chr(c).isalpha(), hex(c)
    for c in itertools.chain(range(0, 0x3000), range(0x3000, 0x4E00, 7), range(0x9F00, 0x10000, 3)):
        assert ops._is_letter(chr(c), 0) == chr(c).isalpha(), hex(c)
    for text in TURNS:
        assert [ops._is_letter(text, i) for i in range(len(text))] == [ch.isalpha() for ch in text]


def test_the_overlap_with_earlier_words_is_that_of_their_pairs_of_letters() -> None:
    ignore = {"一下", "我们的", "坏了", "ab"}  # a three-character entry never matches a pair
    texts = [*TURNS, ODD, ODD[::-1], "路灯坏了坏了一下您的电话Ab cd", "坏了一个路灯，坏了。路灯"]
    for text in texts:
        for size in range(0, 4):
            for earlier in itertools.combinations(texts, size):
                heard = "\n".join(earlier)
                assert ops._overlap(text, heard, ignore) == _simple_overlap(text, list(earlier), ignore), \
                    (text, earlier)


def test_no_pair_is_heard_across_two_turns() -> None:
    """Found in the joined turns, "灯坏" would be heard; said by nobody, it is not."""
    assert ops._overlap("路灯坏了", "我家路灯\n坏了", set()) == _simple_overlap("路灯坏了", ["我家路灯", "坏了"], set())
    assert ops._overlap("灯坏", "路灯\n坏了", set()) == (0, 0)
