"""The automaton built again in the order of the characters a process has read (``Compiled.learn``) finds what the
first one finds: every phrase at every place with the same keys, placeholders adding nothing."""

from __future__ import annotations

from collections import Counter

from hotline.inspect.compiled import LEARN_CHARS, PLACEHOLDER_END, build_automaton, compile_rulebook
from hotline.norms import load_default


def _found(automaton: object, text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of every match with a key, as ``CallContext._scan`` records them."""
    out = []
    for last, (length, keys) in automaton.iter(text):  # type: ignore[attr-defined]
        out.extend((last - length + 1, last + 1, key) for key in keys)
    return sorted(out)


def _texts(phrases: list[str]) -> list[str]:
    """Phrases run together (matches across their joins, inside one another) and among characters that begin no
    phrase, some followed by the placeholders' last character."""
    firsts = {p[0] for p in phrases}
    filler = "".join(c for c in "的了是在我这个们来到时大地为子中你说生国年着就那和要她出也得里后自以会" if c not in firsts)
    assert len(filler) > 5
    texts = ["".join(phrases[i:i + 4]) for i in range(0, len(phrases), 3)]
    texts += [filler[i % len(filler)] * 3 + p + filler for i, p in enumerate(phrases)]
    texts.append("".join(c + PLACEHOLDER_END for c in filler) + phrases[0] + PLACEHOLDER_END)
    return texts


def test_the_learned_automaton_finds_what_the_first_finds() -> None:
    compiled = compile_rulebook(load_default())
    first = compiled.automaton
    texts = _texts(list(compiled.phrase_values))
    want = [_found(first, t) for t in texts]
    assert compiled.learning
    while compiled.learning:
        compiled.learn(texts)
    assert compiled.automaton is not first
    assert len(compiled.automaton) > len(compiled.phrase_values)  # placeholders were added
    assert [_found(compiled.automaton, t) for t in texts] == want


def test_a_phrase_like_a_placeholder_keeps_its_keys() -> None:
    words = {"好" + PLACEHOLDER_END: (2, ("odd",)), "好的": (2, ("ok",))}
    counts = Counter("好的好的好" + "嗯" * 50)
    learned = build_automaton(words, counts)
    text = "嗯好" + PLACEHOLDER_END + "好的嗯" + PLACEHOLDER_END
    assert _found(learned, text) == _found(build_automaton(words), text) == [(1, 3, "odd"), (3, 5, "ok")]


def test_the_automaton_is_built_again_only_once_enough_characters_are_read() -> None:
    compiled = compile_rulebook(load_default())
    first = compiled.automaton
    turn = "您好，请问有什么可以帮您？"
    read = 0
    while read + len(turn) < LEARN_CHARS:  # a few calls: too few characters to tell which come often
        compiled.learn([turn])
        read += len(turn)
        assert compiled.learning and compiled.automaton is first
    compiled.learn([turn, turn])
    assert not compiled.learning and compiled.automaton is not first
    assert compiled.seen.total() == 0  # the counts are not kept once used


def test_a_call_in_progress_is_not_counted_at_every_turn() -> None:
    from hotline.inspect import Engine
    from hotline.model import Call, Speaker, Turn

    engine = Engine(load_default())
    call = Call("live", [Turn(Speaker.AGENT, "您好，12345热线。"), Turn(Speaker.CITIZEN, "我家楼下很吵。")])
    before = engine.compiled.seen.total()
    engine.inspect(call, partial=True)  # live hints inspect the call again at each of its turns
    assert engine.compiled.seen.total() == before
    engine.inspect(call)
    assert engine.compiled.seen.total() > before
