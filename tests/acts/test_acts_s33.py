"""The act layer's fast paths of session 33, each against the simple way."""

from __future__ import annotations

import numpy as np

from hotline.acts.hashing import _FILTER_BITS, _FILTER_FROM, _SHARED, _SPREAD, KeyTable, codes_of, keys


def _sharing(top: int, low: int) -> int:
    """A key whose slot is ``top``: ``_SPREAD`` is odd, so a spread value is made back into its key."""
    inverse = pow(int(_SPREAD), -1, 1 << 64)
    return ((top << (64 - _FILTER_BITS) | low) * inverse) & ((1 << 64) - 1)


def test_a_long_lookup_through_the_slots_finds_what_a_search_finds() -> None:
    """Keys alone in their slot, keys sharing a slot (different keys, and equal keys whose first row wins),
    misses that fall in a slot held by another key, in an empty slot or in a shared one: positions and rows as
    ``_search`` gives them, in the query's order, with repeats."""
    rng = np.random.default_rng(33)
    alone = rng.integers(2**60, 2**63, 3000, dtype=np.int64).astype(np.uint64).tolist()
    low = next(i for i in range(1, 1 << 20) if _sharing(77, i) < 2**60)  # the smallest key of the table, in a
    # shared slot: ``lookup`` reads the first key where a slot holds no single key, and must give it its own row
    shared = [_sharing(77, low), _sharing(77, 2), _sharing(78, 5), _sharing(78, 5)]  # a pair, and one key twice
    made = sorted([(k, r) for r, k in enumerate(alone + shared)], key=lambda kr: kr[0])  # equal keys by row
    table = KeyTable((), (np.array([k for k, _ in made], dtype=np.uint64), np.array([r for _, r in made]), [2]))
    assert (table.slots() == _SHARED).sum() >= 2 and table.keys[0] == shared[0]
    misses = [_sharing(77, 3), _sharing(int(((alone[0] * int(_SPREAD)) % 2**64) >> (64 - _FILTER_BITS)), 9), 0, 5]
    query = np.array(alone[::3] + shared + misses + shared[:2] + alone[:40], dtype=np.uint64)
    rng.shuffle(query)
    assert len(query) >= _FILTER_FROM
    got, want = table.lookup(query), table._search(query)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
    rows = dict(zip(query.tolist(), [None] * len(query), strict=True))
    rows.update({q: r for q, r in zip(query[got[0]].tolist(), got[1].tolist(), strict=True)})
    assert rows[shared[2]] == len(alone) + 2 and rows[shared[0]] == len(alone) and rows[misses[0]] is None
    # without a shared slot in the query: the slots alone answer
    plain = np.array(alone[:500] + misses[1:], dtype=np.uint64)
    got, want = table.lookup(plain), table._search(plain)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist() and len(got[0]) == 500


def test_the_shipped_tables_looked_up_through_the_slots() -> None:
    """Both speakers' tables: every key, the n-grams of real text and misses, as a search finds them."""
    from hotline.acts import default_model

    for speaker in ("agent", "citizen"):
        m = default_model().for_speaker(speaker)
        text = "".join(m.vocab[:300])
        query = np.concatenate([m.table.keys[::-1], keys(codes_of(text), 2), keys(codes_of(text), 4)])
        got, want = m.table.lookup(query), m.table._search(query)
        assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()


def test_batch_segmentation_finds_quotes_and_cuts_without_the_marks_table_for_them() -> None:
    """``batch_quoted`` of texts with each quote mark (and without any), code points past the marks' table
    (emoji, the last code point): each text's spans as ``spans`` gives them, and whether one holds a quote."""
    from hotline.acts import default_model

    seg = default_model().featurizer.segmenter
    plain = ["好的,谢谢!", "😀你好?\U0010ffff嗯", "", "标价69.9元.", "你——行,你等着", "\U0001f600"]
    assert seg.batch_quoted(plain) == ([seg.spans(t) for t in plain], False)
    for opener, closer in [(q[0], q[-1]) for q in seg.settings.quote_pairs if q]:
        texts = [*plain[:3], f"他说{opener}快点,别啰嗦{closer},我记下了", *plain[3:]]
        assert seg.batch_quoted(texts) == ([seg.spans(t) for t in texts], True)
        alone = [f"{opener}好"]
        assert seg.batch_quoted(alone) == ([seg.spans(t) for t in alone], True)
