"""From turns as read to a validated Call: roles assigned (from the labels, else from what is said),
then the checks every reader shares — at least one turn with words, the size limits, plain meta.

Compiled with the engine (``hotline.native``): every reader's calls pass through here, turn by turn. So the
turn as read (``RawTurn``) lives here too (``formats.roles`` names it), and no pydantic model does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from hotline.errors import FormatError
from hotline.formats.layouts import reader_settings
from hotline.formats.speakers import silence_marks, speaker_of_text
from hotline.model import Call, Speaker, Turn
from hotline.text import SURROGATE

# the meta key under which a call keeps how its roles were decided, when its labels did not say
META_KEY = "speaker_roles"

_SURROGATE_HINT = "含无法编码的字符（孤立的 UTF-16 代理项）：请检查导出转写的程序或文件编码"


@dataclass(slots=True, init=False)
class RawTurn:
    """A turn as read, before roles are known: its label and where it is in the file — ``place``, or for a
    turn of a JSON list the list's ``place`` (「第 3 行 turns[」) and the turn's ``index``, put together
    only when a message names it. Not frozen, and its own ``__init__`` (compiled, as ``model.Turn``'s): a
    reader makes one for every turn of every call (none is changed once made)."""

    label: str
    text: str
    start: float | None
    end: float | None
    place: str
    index: int | None = None

    def __init__(self, label: str, text: str, start: float | None, end: float | None, place: str,
                 index: int | None = None) -> None:
        self.label = label
        self.text = text
        self.start = start
        self.end = end
        self.place = place
        self.index = index

    @property
    def where(self) -> str:
        return self.place if self.index is None else f"{self.place}{self.index}]"


def clean_text(text: str) -> str:
    """A turn that is only a silence mark (（无声）) becomes empty text. Here, compiled, beside ``RawTurn``: every
    turn of every reader passes through it (``speakers`` holds the marks, from the editable alias table). A text
    longer than the longest mark is none (most: no hash of it, no lookup)."""
    silence = _SILENCE
    marks = silence.marks
    if marks is None:
        marks = silence.marks = silence_marks()
        silence.longest = max(map(len, marks), default=0)
    stripped = text.strip()
    return "" if len(stripped) <= silence.longest and stripped in marks else stripped


def silence() -> tuple[frozenset[str], int]:
    """The silence marks ``clean_text`` reads and the length of the longest (read once), for a reader that cleans
    turns its own way (``jsonfmt``'s C ``turns``)."""
    silence = _SILENCE
    marks = silence.marks
    if marks is None:
        marks = silence.marks = silence_marks()
        silence.longest = max(map(len, marks), default=0)
    return marks, silence.longest


class _Silence:
    """``speakers.silence_marks()``, read once (a call of the cached function costs more than the rest), and the
    length of the longest; one object, named Final (compiled: no lookup in the module's globals at each turn)."""

    def __init__(self) -> None:
        self.marks: frozenset[str] | None = None
        self.longest = 0


_SILENCE: Final = _Silence()


def finish_call(call_id: str, raw: list[RawTurn], meta: dict[str, Any], source: str, where: str, *,
                no_surrogates: bool = False) -> Call:
    """A Call from ``raw`` turns; a FormatError naming ``where`` (or the turn's line) when it is not usable.
    ``no_surrogates``: the turns' texts and labels and the meta are known to hold no lone surrogate (read by
    orjson from UTF-8: ``jsonfmt.call_from_obj``), so only the call id is searched for one."""
    limits = reader_settings().limits
    max_turns: int = limits.max_turns
    if not raw:
        raise FormatError("没有任何话轮", source=source, location=where)
    if len(raw) > max_turns:
        raise FormatError(f"话轮太多（{len(raw)} 个，上限 {max_turns}）", source=source, location=where)
    texts = [t.text for t in raw]
    max_chars: int = limits.max_turn_chars
    longest = 0
    words = False  # whether some turn has text
    for text in texts:
        n = len(text)
        if n > longest:
            longest = n
        if n:
            words = True
    if longest > max_chars:
        long = next(t for t in raw if len(t.text) > max_chars)
        raise FormatError(f"一个话轮超过 {max_chars} 字（{len(long.text)} 字），请检查转写是否分句",
                          source=source, location=long.where)
    # one search over all the texts, one over all the labels (a surrogate is in the whole when in a part)
    if not no_surrogates and (SURROGATE.search("".join(texts)) or SURROGATE.search("".join([t.label for t in raw]))):
        broken = next(t for t in raw if SURROGATE.search(t.text) or SURROGATE.search(t.label))
        raise FormatError(f"话轮{_SURROGATE_HINT}", source=source, location=broken.where)
    # an ASCII id (most) holds no surrogate: ``isascii`` reads a flag of the string, no search
    if (not call_id.isascii() and SURROGATE.search(call_id)) or (meta and not no_surrogates and _has_surrogate(meta)):
        raise FormatError(f"通话编号或 meta {_SURROGATE_HINT}", source=source, location=where)
    if not words and not meta.get("metrics"):
        raise FormatError("所有话轮都没有文字（只有录音分析结果的通话请直接检查录音）", source=source, location=where)
    max_depth: int = limits.max_meta_depth
    # most metas are flat (ids, dates): no dict or list among the values, so their depth is 1 (``depth``'s walk,
    # with a tuple made for every value, only for the others)
    flat = max_depth >= 1
    for value in meta.values():
        if isinstance(value, (dict, list)):
            flat = False
            break
    if not flat and depth(meta, max_depth) > max_depth:
        raise FormatError(f"meta 嵌套超过 {max_depth} 层", source=source, location=where)
    speakers: list[Speaker] = []
    known = _ROLES
    # the last two labels of this call that named a role, with their roles: a call's turns alternate between a
    # few labels (坐席, 市民), so most turns find theirs by comparing strings of a few characters, not by hashing
    # the label (a new string, read from the file: its hash is not yet known) and a lookup in ``_ROLES``
    last_label = other_label = ""
    last: Speaker | None = None
    other: Speaker | None = None
    for t in raw:
        label = t.label
        if last is not None and label == last_label:
            speakers.append(last)
            continue
        if other is not None and label == other_label:
            speakers.append(other)
            continue
        speaker = known.get(label)
        if speaker is None:
            speaker = speaker_of_text(label)
            if speaker is not None:
                if len(known) >= _ROLES_KEPT:
                    known.clear()
                known[label] = speaker
        if speaker is None:  # a label that does not say: roles from what is said
            from hotline.formats.roles import assign_roles

            speakers, roles = assign_roles(raw, source, call_id)
            if roles is not None:
                meta = {**meta, META_KEY: roles}
            break
        other_label, other, last_label, last = last_label, last, label, speaker
        speakers.append(speaker)
    if len(speakers) != len(raw):  # as ``zip(..., strict=True)`` would (the roles read by index)
        raise ValueError("a role for each turn")
    turns = [Turn(speakers[i], t.text, t.start, t.end) for i, t in enumerate(raw)]
    return Call(id=call_id, turns=turns, meta=meta)


# the role of each label that names one, as ``speaker_of_text`` (cached, but a Python call) gave it: a compiled lookup
# for every turn of every call (a file has few labels; the alias table is read once, so a label's role never changes)
_ROLES: Final[dict[str, Speaker]] = {}
_ROLES_KEPT: Final = 4096


def _has_surrogate(value: Any) -> bool:
    """A lone surrogate in any string of a JSON value (keys included)."""
    if isinstance(value, str):
        return SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_surrogate(v) for v in value)
    return False


def depth(value: Any, limit: int) -> int:
    """Nesting depth of dicts and lists in ``value``, counted without recursion up to ``limit + 1``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, d = stack.pop()
        if isinstance(item, (dict, list)):
            d += 1
            if d > deepest:
                deepest = d
            if d > limit:
                return d
            stack.extend((x, d) for x in (item.values() if isinstance(item, dict) else item))
    return deepest
