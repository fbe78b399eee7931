"""``normalize_all`` of texts none of whose characters the table maps (most calls): whitespace is looked for in the
joined texts at once, and when there is none besides the newlines between them the mapped texts are the compact ones
(fails when that check is dropped, or made on texts a mapped character was found in)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline import text as T

# characters the table leaves alone (``_mapping``'s regex finds none), whitespace among them, and ASR words
UNMAPPED = ["好", "的", "您", "请问", "a", "1", ",", "。", " ", "\t", "\u00a0", "\u2003", "\x1c", "不知到",
            "幺零二四", "以后在说"]


@settings(max_examples=800, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from(UNMAPPED), max_size=5).map("".join), max_size=6),
       st.sampled_from(["", "ＡＢＣ", "請", "以後在說"]))
def test_normalize_all_of_unmapped_texts_is_normalize_of_each(texts: list[str], mapped: str) -> None:
    if mapped and texts:
        texts[-1] += mapped  # a mapped character found: the texts from it on are translated (an ASR word made)
    assert T.normalize_all(texts) == [T.normalize(t) for t in texts]


def test_the_unmapped_pieces_are_unmapped() -> None:
    common, rest = T._mapping()
    assert all(rest.search(p) is None for p in UNMAPPED)
    assert all(rest.search(m) is not None for m in ["ＡＢＣ", "請", "以後在說"])
    assert T.normalize("以後在說").text == T.normalize("以后在说").text != "以后在说"  # (an ASR word once mapped)
