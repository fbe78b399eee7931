"""Everything computed once per call: normalised turn texts, one automaton pass over all of them,
and the guards that every phrase match goes through."""

from __future__ import annotations

import bisect
import importlib
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np

from hotline.inspect.compiled import SEPARATOR, Compiled, around_surrogates, holds
from hotline.model import Call, Speaker, WorkOrder
from hotline.text import Normalized, counts_kernel, normalize_all

if TYPE_CHECKING:  # (imported with the act model, when a call is first judged)
    from hotline.acts.model import ClauseActs

CLAUSE_MARKS: Final = ",.!?;:、"  # where a turn's clauses end: one character each (``_clause_cuts``)
CLAUSE_SPLIT: Final = re.compile(f"[{re.escape(CLAUSE_MARKS)}]")  # (no group)
# what ``str.isalnum`` is not: ``\w`` is exactly isalnum or "_" (checked for every code point in the tests)
NOT_ALNUM: Final = re.compile(r"[\W_]")
MARKS: Final = ",.?!"  # the marks normalised turns hold most (，。？！ become these): none is alnum

# ``spoken_count``'s map of the BMP: a byte per code point, 2 when ``str.isalnum`` holds it, 1 when not, 0 while its
# block (4,096 code points) is not filled: a block is filled when a text first holds one of its code points
# (``_alnum_block``), so a process fills the few blocks its texts use (hanzi: six), not all sixteen at start (~65,000
# code points looked up in Unicode's tables). A ``bytes``, read in place compiled (a ``bytearray`` is read through
# the C API), so it is replaced when a block is filled: a copy per block, not per page (a copy costs ~130K).
_ALNUM_MAP: Final[list[bytes]] = [bytes(65536)]
_LOW_BYTES: Final = bytes(range(256))


def _alnum_block(block: int) -> None:
    """Fill the bytes of ``block`` (code points ``block * 4096`` to ``block * 4096 + 4095``) in ``_ALNUM_MAP``."""
    table = _ALNUM_MAP[0]
    start = block << 12
    parts = [table[:start]]
    for page in range(block << 4, (block + 1) << 4):
        parts.append(_alnum_page(page))
    parts.append(table[start + 4096:])
    _ALNUM_MAP[0] = b"".join(parts)


def _alnum_page(page: int) -> bytes:
    """The map's bytes of ``page`` (code points ``page * 256`` to ``page * 256 + 255``): the page's characters made at
    once (as UTF-16-LE: each code point's low byte, then ``page``), a page all ``isalnum`` holds (hanzi) found by one
    ``isalnum``, the rest by pieces of 32 and then characters."""
    raw = bytearray(512)
    raw[0::2] = _LOW_BYTES
    raw[1::2] = bytes((page,)) * 256
    try:
        chars = raw.decode("utf-16-le")
    except UnicodeDecodeError:  # the surrogates' pages, which the codec refuses alone
        chars = "".join([chr(c) for c in range(page << 8, (page + 1) << 8)])
    if chars.isalnum():
        return b"\x02" * 256
    out: list[bytes] = []
    for at in range(0, 256, 32):
        piece = chars[at:at + 32]
        out.append(b"\x02" * 32 if piece.isalnum() else bytes([2 if ch.isalnum() else 1 for ch in piece]))
    return b"".join(out)


def spoken_count(text: str) -> int:
    """The characters of ``text`` that ``str.isalnum`` holds (letters, digits, hanzi; no punctuation), read code point
    by code point (compiled: ``ord(text[i])`` read in place) in the map of the BMP (``_ALNUM_MAP``), characters past it
    by ``isalnum`` itself. (Taking the marks out with ``str.replace`` and ``isalnum`` of the rest cost about three
    times as much: each ``replace`` copies the text, and ``isalnum`` looks each character up in Unicode's tables.)"""
    table = _ALNUM_MAP[0]
    n = 0
    for i in range(len(text)):
        c = ord(text[i])
        if c < 65536:
            value = table[c]
            if not value:  # its block is not filled yet
                _alnum_block(c >> 12)
                table = _ALNUM_MAP[0]
                value = table[c]
            n += value - 1
        elif text[i].isalnum():
            n += 1
    return n


def spoken_counts(texts: list[str]) -> list[int]:
    """``spoken_count`` of each text."""
    return [spoken_count(t) for t in texts]


class Hit(NamedTuple):
    """A match: turn index (-1 for the whole call), [start, end) in the normalised text of that turn,
    an optional note (e.g. "冷场 12.3 秒") used as evidence instead of the matched text, and for a
    learned layer what fired (``act|agent.dismiss|0.93``)."""

    turn_index: int
    start: int
    end: int
    note: str = ""
    why: str = ""


CALL_HIT: Final = Hit(-1, 0, 0)
_NO_HITS: Final[list[tuple[int, int, int]]] = []  # ``phrase_hits`` of a key a call does not hold (never changed)
_SPEAKERS: Final[dict[str, Speaker]] = {s.value: s for s in Speaker}  # ``turns_of``
# a slot not evaluated yet (Final: compiled, the modules that read it hold it, not a lookup in this one's globals)
UNSET: Final[Any] = object()
_SPAN: Final = 1 << 21  # a start or end below it fits ``span_key``'s int


def span_key(turn: int, start: int, end: int) -> Any:
    """A span's key in the guard caches (``guarded``, ``act_guarded``): its turn, start and end in one int (turn above
    bit 42, start from bit 21, end below), when start and end are below ``_SPAN`` and none is negative (every span of
    a turn shorter than two million characters), else the tuple. The same span gives the same key and two spans two
    keys (an int is never equal to a tuple); an int is made, hashed and freed for less than a tuple of three (which
    the collector tracks)."""
    if 0 <= start < _SPAN and 0 <= end < _SPAN and turn >= 0:
        return (turn << 42) | (start << 21) | end
    return (turn, start, end)


_LATE: Final[dict[str, Any]] = {}  # ``late``: what was imported, by its ``module:name``


def late(path: str) -> Any:
    """``module:name`` imported when first asked for and kept: a module that imports this package or loads models
    is imported only when needed, and once (an import statement in a function runs the import machinery at each
    call, ~4K instructions compiled, though the module is loaded)."""
    got = _LATE.get(path)
    if got is None:
        module, _, name = path.partition(":")
        got = _LATE[path] = getattr(importlib.import_module(module), name)
    return got


def prepare_acts(contexts: list[CallContext]) -> None:
    """Judge the clauses of many calls at once (one model pass per speaker instead of one per call)."""
    model = contexts[0].act_model()
    for speaker in ("agent", "citizen"):
        jobs = [(ctx, ctx.turns_of(speaker)) for ctx in contexts]
        texts = [ctx.norm[i].text for ctx, turns in jobs for i in turns]
        batch = model.clause_batch(speaker, texts)
        # typed (the model is read as Any): compiled, each turn's clauses are then read from the list in place (a
        # generic item lookup per turn, and a slice of the rows per call, cost more than the loop's other work)
        rows: list[list[Any]] = batch[0]
        probs: np.ndarray = batch[1]
        # the clauses at or above an act's floor, found for the whole batch at once: one comparison and one
        # ``nonzero`` instead of a few numpy calls per call (each costs more than the work on a call's rows)
        above, cols, said = _above_floors(probs, _floors(contexts[0], speaker))
        k = r = a = 0
        for ctx, turns in jobs:
            n = 0
            table: dict[int, list[Any]] = {}
            for t in turns:  # (compiled: no zip, map or sum called per call)
                clauses = rows[k]
                table[t] = clauses
                n += len(clauses)
                k += 1
            ctx._acts[speaker] = table
            ctx._probs[speaker] = probs[r:r + n]
            b = bisect.bisect_left(above, r + n, a)
            ctx._above[speaker] = ([above[x] - r for x in range(a, b)], cols[a:b], said[a:b])
            r += n
            a = b


def _above_floors(probs: np.ndarray, floors: np.ndarray) -> tuple[list[int], list[int], list[float]]:
    """The clauses (rows of ``probs``) at or above an act's floor, row after row and by column within a row (what
    ``np.nonzero`` gives): each one's row, act column and probability. Found in the flattened block (``nonzero`` of a
    1-D array, its row and column by ``divmod``): ``nonzero`` of the 2-D block costs about five times as much."""
    if not len(probs):
        return [], [], []
    flat = (probs >= floors).ravel().nonzero()[0]
    at, col = np.divmod(flat, probs.shape[1])
    return at.tolist(), col.tolist(), probs.ravel().take(flat).tolist()


def _floors(ctx: CallContext, speaker: str) -> Any:
    """Each act's floor in the model's column order (+inf: no rule uses it), per speaker, once per plan, as float32
    (``float32_floors``): the model's probabilities are float32, so comparing them with float64 floors cast the
    whole block to float64 first (a temporary block per batch)."""
    floors = ctx.compiled.act_floors.get(speaker)
    if floors is None:
        floor = ctx.compiled.act_floor
        floors = ctx.compiled.act_floors[speaker] = float32_floors(np.array(
            [floor.get(a, np.inf) for a in ctx.act_model().for_speaker(speaker).acts], dtype=np.float64))
    return floors


def float32_floors(floors: np.ndarray) -> np.ndarray:
    """The smallest float32 at or above each (float64) floor: a float32 ``p`` is at or above a floor ``f`` exactly
    when it is at or above that one (no float32 lies in [f, ceil32(f)) but ceil32(f) itself), so float32
    probabilities compared with these give what they gave compared with ``floors``; +inf stays +inf, a floor past
    the largest float32 becomes +inf (which only +inf reaches, as before), NaN stays NaN (reached by nothing)."""
    with np.errstate(over="ignore"):
        narrow = floors.astype(np.float32)
    low = narrow < floors  # rounded down to the nearest float32: the next one up is the smallest at or above
    narrow[low] = np.nextafter(narrow[low], np.float32(np.inf))
    return narrow


_CHAR_MAPS: Final[dict[str, bytes]] = {}  # ``char_map``, by its characters (one or two per rulebook; bounded)
_CHAR_MAPS_MAX: Final = 64


def char_map(chars: str) -> bytes:
    """A bit per code point of the BMP (bit ``c & 7`` of byte ``c >> 3``), set for the characters of ``chars``
    (those past the BMP are looked up in ``chars`` itself, ``holds_char``); made once per string."""
    got = _CHAR_MAPS.get(chars)
    if got is None:
        bits = bytearray(8192)
        for ch in chars:
            c = ord(ch)
            if c < 65536:
                bits[c >> 3] |= 1 << (c & 7)
        if len(_CHAR_MAPS) >= _CHAR_MAPS_MAX:
            _CHAR_MAPS.clear()
        got = _CHAR_MAPS[chars] = bytes(bits)
    return got


def holds_char(text: str, i: int, chars: str, bits: bytes) -> bool:
    """``text[i] in chars`` (one character; ``bits`` is ``char_map(chars)``), read as a code point (compiled:
    ``ord(text[i])`` reads it in place) and looked up in the map: ``text[i]`` made a new one-character string for
    every character past Latin-1 (every hanzi), and ``in`` searched ``chars`` for it."""
    c = ord(text[i])
    if c < 65536:
        return (bits[c >> 3] >> (c & 7)) & 1 == 1
    return text[i] in chars


_CLAUSE_MAP: Final = char_map(CLAUSE_MARKS)  # (``_clause_cuts``)


def acts_enabled(compiled: Compiled) -> bool:
    """Whether the act layer runs: the rulebook's setting, unless ``HOTLINE_ACTS=0`` (read when asked: a batch asks
    once for all its calls, ``Engine.inspect_batch``; reading the environment costs ~8K instructions)."""
    return compiled.rulebook.settings.acts and os.environ.get("HOTLINE_ACTS", "1") != "0"


class CallContext:
    def __init__(self, call: Call, compiled: Compiled, work_order: WorkOrder | None = None,
                 *, partial: bool = False, semantic: bool = True, acts: bool | None = None):
        self.call = call
        self.partial = partial
        self.semantic = semantic
        self.compiled = compiled
        self.work_order = work_order
        self.norm: list[Normalized] = normalize_all([t.text for t in call.turns])  # (one scan per call, not per turn)
        self.speakers = [t.speaker for t in call.turns]
        self.has_times: bool = call.has_times  # (a property walking every turn; timing operators ask often)
        # a recording without a transcript: turns are speech segments with no words, so text rules
        # cannot judge it (N/A) while timing and audio-metric rules still can
        self.no_text = bool(call.turns) and not any(t.text.strip() for t in call.turns)
        # the act layer and the citizen block, decided once per call (operators ask many times), or once per batch
        # (``acts``: what ``acts_enabled`` said)
        self.acts_on: bool = acts if acts is not None else acts_enabled(compiled)
        self.citizen_on: bool = self.acts_on and compiled.rulebook.settings.citizen
        # what each slot of the plan answered: over the whole call (by slot index), over a subset of turns
        self.whole: list[Any] = [UNSET] * len(compiled.plan.slots)
        self.slot_by_node = compiled.plan.slot_by_node
        self.memo: dict[tuple[int, int], list[Hit] | None] = {}
        # the same, as turn masks (``verdicts``): what most rules need to pass
        self.verdicts: list[Any] = [UNSET] * len(compiled.plan.slots)
        self.verdict_memo: dict[tuple[int, int], int | None] = {}
        self.cpm: list[float | None] | None = None  # characters per minute of each turn (``timing``)
        self.walked = 0  # slots the verdict pass ran (not answered from memory, not skipped as absent)
        self._phrase_hits: dict[str, list[tuple[int, int, int]]] | None = None
        self._key_turns: dict[str, int] = {}  # ``key_turns``
        # per slot of the plan (by index): one of its lexicon keys is in the call / one of its speech acts fires
        self._live_keys: list[bool] | None = None
        self._live_acts: list[bool] | None = None
        self._quotes: dict[int, list[tuple[int, int]]] = {}
        self._reports: dict[int, tuple[bool, bool]] = {}  # per turn: may a reporting marker / reported speech match
        self._cuts: dict[int, list[int]] = {}  # per turn: where each clause starts (after a punctuation mark)
        self._safe: dict[int, list[tuple[int, int]]] | None = None
        self._turns_of: dict[str, list[int]] = {}
        self._speaker_masks: dict[str, int] = {}
        # by ``span_key``: once per span and call
        self._guard_cache: dict[Any, bool] = {}
        self._act_guard_cache: dict[Any, bool] = {}
        self._worded = -2  # ``_plain_turn``'s mask, once known
        self._alnum: list[int] | None = None
        # ``holds_char`` maps of the characters ending a negation prefix / starting a clause negation
        self._negation_ends = char_map(compiled.negation_ends)
        self._clause_starts = char_map(compiled.clause_starts)
        self._acts: dict[str, dict[int, list[Any]]] = {}
        # per speaker: the probabilities of all the clauses of ``_acts``, a row per clause, turn after turn
        self._probs: dict[str, np.ndarray] = {}
        # per speaker, when a batch found them (``prepare_acts``): the rows of ``_probs`` at or above an act's
        # floor, each one's act column and probability
        self._above: dict[str, tuple[list[int], list[int], list[float]]] = {}
        self._firing: dict[str, list[tuple[int, int, int, float]]] | None = None
        self._restating: dict[int, bool] = {}
        self._may_restate = -1  # ``_restate_turns``, once found
        self._citizen: Any = None
        self.embeddings: dict[int, Any] = {}
        self._goals: Any = False  # not read yet
        self._goal_names: set[str] | None = None
        # reaction windows still open (live hints): (trigger turn, first agent turn after it, turns left, words)
        self.pending: list[tuple[int, int | None, int, str]] = []
        # what a batch computed for many calls at once, for a later stage to take (e.g. the citizen model's n-grams)
        self.prepared: dict[Any, Any] = {}

    # ── goals ───────────────────────────────────────────────
    def goals(self) -> Any:
        """The call's own goals (a drill's scenario), or None (``hotline.norms.goals.CallGoals``)."""
        if self._goals is False:
            self._goals = late("hotline.norms.goals:read_goals")(self.call.meta)
        return self._goals

    def turns_of(self, speaker: str) -> list[int]:
        cached = self._turns_of.get(speaker)
        if cached is None:
            if speaker == "any":
                cached = list(range(len(self.speakers)))
            else:
                # the speaker by its name from a table (calling the enum runs its metaclass's __call__ in Python);
                # a name that is no speaker's raises as the enum does
                want = _SPEAKERS.get(speaker)
                if want is None:
                    want = Speaker(speaker)
                cached = [i for i, s in enumerate(self.speakers) if s is want]
            self._turns_of[speaker] = cached
        return cached

    def speaker_mask(self, speaker: str) -> int:
        """``turns_of(speaker)`` as a mask (bit i: turn i)."""
        mask = self._speaker_masks.get(speaker)
        if mask is None:
            mask = 0
            for t in self.turns_of(speaker):
                mask |= 1 << t
            self._speaker_masks[speaker] = mask
        return mask

    def phrase_hits(self, key: str) -> list[tuple[int, int, int]]:
        """(turn, start, end) of every phrase of lexicon ``key``, before guards: the call's own list, or for a key it
        does not hold the shared empty one (``get(key, [])`` made a list for every miss); read, never changed."""
        hits = self.keys_hit().get(key)
        return _NO_HITS if hits is None else hits

    def key_turns(self, key: str) -> int:
        """The turns holding a match of automaton key ``key``, as a mask (bit i: turn i), once per call and key."""
        mask = self._key_turns.get(key)
        if mask is None:
            mask = 0
            for t, _, _ in self.phrase_hits(key):
                mask |= 1 << t
            self._key_turns[key] = mask
        return mask

    def keys_hit(self) -> dict[str, list[tuple[int, int, int]]]:
        """Every automaton key with at least one raw match in the call (before guards)."""
        if self._phrase_hits is None:
            self._phrase_hits = self._scan()
        return self._phrase_hits

    def live_by_keys(self) -> list[bool]:
        """Per slot of the plan, by index: it needs a lexicon key this call holds (``plan.by_key``), found once per
        call."""
        if self._live_keys is None:
            plan = self.compiled.plan
            self._live_keys = _needing(self.keys_hit(), plan.by_key, len(plan.slots))
        return self._live_keys

    def live_by_acts(self) -> list[bool]:
        """Per slot of the plan, by index: it needs a speech act firing in this call (``plan.by_act``), found once
        per call."""
        if self._live_acts is None:
            plan = self.compiled.plan
            self._live_acts = _needing(self.firing(), plan.by_act, len(plan.slots))
        return self._live_acts

    def _scan(self) -> dict[str, list[tuple[int, int, int]]]:
        out: dict[str, list[tuple[int, int, int]]] = {}
        compiled = self.compiled
        automaton = compiled.automaton
        if not compiled.phrases:
            return out
        texts = [n.text for n in self.norm]
        if not texts:
            return out
        # the C kernel, when built (``Compiled.kernel``): the same dict in one call, each turn read in place as code
        # points, no UTF-8 copy of the joined turns, no list of matches to unpack and file one by one here. It scans
        # turn by turn, which is what the pass below finds (joined or not, with lone surrogates or not)
        kernel = compiled.kernel
        if kernel is not None:
            found_all: dict[str, list[tuple[int, int, int]]] = kernel.scan(texts)
            return found_all
        # one pass over the turns joined a newline apart (``SEPARATOR``), not one per turn (each costs a call into
        # the automaton): no phrase holds a newline (``Compiled.joinable``), so none spans two turns, and the matches
        # come by where they end (those ending at one place longest first), so a pass finds in each turn, in the same
        # order, what a pass over that turn finds. (Were a phrase to hold one, each turn is scanned alone.)
        if compiled.joinable:
            parts = [SEPARATOR.join(texts)]
        else:
            parts = texts
        keys_of = compiled.phrase_keys
        turn = 0
        for part in parts:
            bound = len(texts[turn])  # where ``turn`` ends in ``part``
            begin = 0  # and where it starts
            # (start, end, pattern id), read as its type (compiled: the tuples unboxed at once)
            found: list[tuple[int, int, int]]
            try:
                found = automaton.find_overlapping(part) if automaton is not None else around_surrogates(compiled, part)
            except UnicodeEncodeError:  # a lone surrogate, which the automaton cannot read
                found = around_surrogates(compiled, part)
            for start, end, pattern in found:
                while end > bound:  # (a match lies in one turn: its end is past the ones before)
                    turn += 1
                    begin = bound + 1
                    bound = begin + len(texts[turn])
                hit = (turn, start - begin, end - begin)
                for key in keys_of[pattern]:
                    bucket = out.get(key)
                    if bucket is None:
                        out[key] = [hit]
                    else:
                        bucket.append(hit)
            turn += 1
        return out

    # ── the citizen ─────────────────────────────────────────
    def citizen(self) -> Any:
        """The citizen block (emotion over the call, dissatisfaction, escalation risk), once per call."""
        if self._citizen is None:
            self._citizen = late("hotline.citizen:citizen_block")(self)
        return self._citizen

    # ── speech acts ─────────────────────────────────────────
    def act_model(self) -> Any:
        if self.compiled.act_model is None:
            from hotline.acts import default_model

            self.compiled.act_model = default_model()
        return self.compiled.act_model

    def clause_acts(self, turn: int) -> list[Any]:
        """The clauses of a turn with their act probabilities (``hotline.acts.ClauseActs``); all turns
        of the same speaker are judged together, once per call."""
        speaker = self.speakers[turn].value
        table = self._acts.get(speaker)
        if table is None:
            table = self._judge(speaker)
        return table[turn]

    def _judge(self, speaker: str) -> dict[int, list[Any]]:
        """Judge the clauses of all turns of ``speaker`` (when ``prepare_acts`` has not)."""
        turns = self.turns_of(speaker)
        rows, probs = self.act_model().clause_batch(speaker, [self.norm[i].text for i in turns])
        self._probs[speaker] = probs
        table = self._acts[speaker] = dict(zip(turns, rows, strict=True))
        return table

    def clause_probs(self, speaker: str) -> np.ndarray:
        """The act probabilities of every clause of a speaker's turns, one row per clause, turn after turn
        (``clause_acts`` of each turn in order; one block of the model's batch, not a copy)."""
        turns = self.turns_of(speaker)
        if not turns:
            return np.zeros((0, 0), dtype=np.float32)
        if speaker not in self._acts:
            self._judge(speaker)
        return self._probs[speaker]

    def act_firing(self, name: str) -> list[tuple[int, int, int, float]]:
        """(turn, clause start, clause end, probability) of every clause where act ``name`` reaches
        the lowest threshold any rule uses for it."""
        return self.firing().get(name, [])

    def firing(self) -> dict[str, list[tuple[int, int, int, float]]]:
        """``act_firing`` of every act that fires somewhere in the call, found for all acts at once, once per call."""
        if self._firing is None:
            firing: dict[str, list[tuple[int, int, int, float]]] = {}
            self._firing = firing
            model = self.act_model()
            for speaker in ("agent", "citizen"):
                turns = self.turns_of(speaker)
                if not turns:
                    continue
                table = self._acts.get(speaker)
                if table is None:
                    table = self._judge(speaker)
                above = self._above.get(speaker)
                if above is None:  # judged for this call alone, not in a batch (``prepare_acts``)
                    # (the clauses of ``table``, turn after turn)
                    above = _above_floors(self._probs[speaker], _floors(self, speaker))
                rows, cols = above[0], above[1]
                # the probabilities as they are (compiled: a ``list[float]`` item is unboxed, then boxed anew into
                # the hit), the clauses and the acts' names as their types (their fields and items read in place, not
                # looked up by name)
                said: list[Any] = above[2]
                if not rows:
                    continue
                acts: list[str] = model.for_speaker(speaker).acts
                t = base = 0  # the turn holding row ``r`` (rows ascend), and the row of its first clause
                clauses: list[ClauseActs] = table[turns[0]]
                for x in range(len(rows)):  # (compiled: the typed lists read in place, no zip)
                    r = rows[x]
                    while r - base >= len(clauses):
                        base += len(clauses)
                        t += 1
                        clauses = table[turns[t]]
                    c = clauses[r - base]
                    name = acts[cols[x]]
                    hit = (turns[t], c.start, c.end, said[x])
                    hits = firing.get(name)
                    if hits is None:
                        firing[name] = [hit]
                    else:
                        hits.append(hit)
        return self._firing

    def act_evidence(self, turn: int, start: int, end: int, act: str) -> list[str]:
        """The n-grams that made a clause ``act``, as a user reads them."""
        model = self.act_model()
        for clause in self.clause_acts(turn):
            if (clause.start, clause.end) == (start, end):
                sm = model.for_speaker(self.speakers[turn].value)
                return [model.featurizer.describe(g) for g, _ in sm.explain(clause.feature_text, act, top=3)]
        return []

    def restating(self, turn: int) -> bool:
        """The turn retells the citizen's account for confirmation (我跟您确认一下：……，对吗？): what
        it says is the citizen's, not the agent's own words. Only a turn holding both a restating opener and a
        confirmation tag may (``_restate_turns``: most turns hold neither, and are answered by one bit)."""
        may = self._may_restate
        if may < 0:
            may = self._may_restate = self._restate_turns()
        if not (may >> turn) & 1:
            return False
        cached = self._restating.get(turn)
        if cached is None:
            confirm = self.compiled.confirm_key
            assert confirm is not None  # (else no turn may restate)
            text = self.norm[turn].text
            tail = len(text.rstrip(",.!?;:…~—")) - 8
            # opened, as the turn is in ``may``; tagged when a confirmation ends near the turn's end
            cached = any(t == turn and e >= tail for t, _, e in self.phrase_hits(confirm))
            self._restating[turn] = cached
        return cached

    def _restate_turns(self) -> int:
        """The turns holding a match of one of the restating openers (``restatement_keys``) and one of the
        confirmation tags (``confirm_key``), as a mask (bit i: turn i), read off the call's automaton pass."""
        confirm, restatements = self.compiled.confirm_key, self.compiled.restatement_keys
        if not confirm or not restatements:
            return 0
        opened = 0
        for name in restatements:
            opened |= self.key_turns(name)
        return opened & self.key_turns(confirm)

    def act_guarded(self, turn: int, start: int, end: int) -> bool:
        """True when a clause is not the speaker's own words: quoted, reported (他们说…, 物业的人让您…,
        物业跟您讲，……), or negated (just before it, or at its start). Once per clause and call: many
        act rules read the same clause."""
        key = span_key(turn, start, end)  # (boxed once, compiled: not once for the lookup and again to store)
        cached = self._act_guard_cache.get(key)
        if cached is None:
            # the cache read here, not by a helper handed the judge: calling a bound method object costs, compiled
            cached = self._act_guard_cache[key] = self._act_guarded(turn, start, end)
        return cached

    def _act_guarded(self, turn: int, start: int, end: int) -> bool:
        text = self.norm[turn].text
        # a plain turn (most) has no quote spans and may hold no reporting marker or reported speech
        plain = self._plain_turn(turn)
        if not plain and any(qs <= start and end <= qe for qs, qe in self._quote_spans(turn)):
            return True
        if self.restating(turn):  # the citizen's account retold: neither misconduct nor an answer of the agent's
            return True
        clause = text[start:end]
        markers = self.compiled.markers_re
        may_mark, may_report = (False, False) if plain else self._may_report(turn)
        if markers is not None and may_mark:
            if markers.search(clause[:-2] if len(clause) > 2 else ""):
                return True
            lead = text[:start].rstrip(",.!?;:…~—")
            cuts = self._clause_cuts(turn)
            after = bisect.bisect_right(cuts, len(lead))
            previous = lead[cuts[after - 1] if after else 0:]  # the clause just before (CLAUSE_SPLIT.split(lead)[-1])
            if previous and previous.endswith(self.compiled.reporting_markers):
                return True
        if may_report and self.compiled.reported_re is not None and self.compiled.reported_re.search(clause):
            return True
        if self._clause_negated(text, start, clause):
            return True
        return self._negated(text, start)

    def _clause_negated(self, text: str, start: int, clause: str) -> bool:
        """``clause`` (``text`` from ``start``) starts with a clause negation. Most clauses start with a character that
        starts none (``Compiled.clause_starts``): one look at it (``holds_char``) instead of a ``startswith`` of every
        negation."""
        negations = self.compiled.clause_negations
        if not negations:
            return False
        starts = self.compiled.clause_starts
        if starts and (not clause or not holds_char(text, start, starts, self._clause_starts)):
            return False
        return clause.startswith(negations)

    # ── guards ──────────────────────────────────────────────
    def alnum_count(self, turn: int) -> int:
        """Spoken characters in a turn (letters, digits, hanzi; no punctuation): counted for all turns at once, by the
        C kernel when built (``counts_kernel().spoken_counts``: ``Py_UNICODE_ISALNUM`` of each code point, which is
        ``str.isalnum`` of it, its answers for the BMP kept in a table as ``_ALNUM_MAP`` keeps them), else
        ``spoken_counts``."""
        alnum = self._alnum  # (a local: compiled, the attribute is not narrowed, and its item was read generically)
        if alnum is None:
            texts = [n.text for n in self.norm]
            kernel = counts_kernel()
            alnum = self._alnum = spoken_counts(texts) if kernel is None else kernel.spoken_counts(texts)
        return alnum[turn]

    def guarded(self, turn: int, start: int, end: int) -> bool:
        """True when a match must not count: negated, inside a negation-safe phrase, or quoted."""
        if self._plain_turn(turn):
            # (most spans) a plain turn's spans are judged again when asked again: neither quoted nor reported, so
            # a look at the safe spans and the character before costs less than a key made, looked up and stored
            return self._guarded(turn, start, end)
        key = span_key(turn, start, end)  # (boxed once, compiled: not once for the lookup and again to store)
        cached = self._guard_cache.get(key)
        if cached is None:  # once per span of a turn that is not plain and call, as ``act_guarded``
            cached = self._guard_cache[key] = self._guarded(turn, start, end)
        return cached

    def _guarded(self, turn: int, start: int, end: int) -> bool:
        text = self.norm[turn].text
        spans = self._safe_spans().get(turn)  # (None for most turns: no empty list made for each)
        if spans is not None:
            for s, e in spans:
                if (s, e) == (start, end):
                    continue  # the match is itself a safe phrase (不好意思 as a cushion)
                if s < end and start < e and not (start <= s and e <= end):
                    return True
        if self._negated(text, start):
            return True
        return self._quoted(turn, start, end)

    def _negated(self, text: str, start: int) -> bool:
        """A negation prefix ends at ``start``, within the four characters before it. Most spans follow a character
        that ends no prefix (``Compiled.negation_ends``): one look at it (``holds_char``), no slice and no ``endswith``."""
        prefixes = self.compiled.negation_prefixes
        if not prefixes:
            return False
        ends = self.compiled.negation_ends
        if ends and (start == 0 or not holds_char(text, start - 1, ends, self._negation_ends)):
            return False
        return text[max(0, start - 4):start].endswith(prefixes)

    def _safe_spans(self) -> dict[int, list[tuple[int, int]]]:
        """The negation-safe phrases' spans, by turn (only turns holding one)."""
        if self._safe is None:
            self._safe = {}
            for t, s, e in self.phrase_hits(self.compiled.negation_safe_key):
                self._safe.setdefault(t, []).append((s, e))
        return self._safe

    def _quoted(self, turn: int, start: int, end: int) -> bool:
        if self._plain_turn(turn):  # (most turns) no quote spans, no reporting marker, no reported speech
            return False
        if any(qs <= start and end <= qe for qs, qe in self._quote_spans(turn)):
            return True
        may_mark, may_report = self._may_report(turn)
        if not may_mark and not may_report:
            return False
        text = self.norm[turn].text
        cuts = self._clause_cuts(turn)
        lead_start = cuts[bisect.bisect_right(cuts, start) - 1] if cuts and cuts[0] <= start else 0
        markers = self.compiled.markers_re
        if may_mark and markers is not None and markers.search(text[lead_start:start]) is not None:
            return True
        reported = self.compiled.reported_re
        return may_report and reported is not None and reported.search(text[lead_start:end]) is not None

    def _may_report(self, turn: int) -> tuple[bool, bool]:
        """Whether a reporting marker (``markers_re``) and reported speech (``reported_re``) may match in some
        part of the turn, once per turn: the markers are literals, so a part holds one only if the turn does;
        a reported-speech match holds one of its pattern's literals (``Compiled.reported_need``)."""
        cached = self._reports.get(turn)
        if cached is None and self._plain_turn(turn):
            cached = self._reports[turn] = (False, False)
        if cached is None:
            text = self.norm[turn].text
            markers, need = self.compiled.markers_re, self.compiled.reported_need
            cached = self._reports[turn] = (
                markers is not None and markers.search(text) is not None,
                self.compiled.reported_re is not None and (need is None or holds(need, text)))
        return cached

    def _clause_cuts(self, turn: int) -> list[int]:
        """Where each clause of a turn starts, after a CLAUSE_SPLIT mark (ascending): each mark is one character, so
        a cut is the place after each character of the turn that is one (``CLAUSE_MARKS``), found by a look at each
        in their map (``_CLAUSE_MAP``, as ``holds_char``). (``CLAUSE_SPLIT.split`` made a string per piece, and the
        regex tried its set of marks at every place; ``finditer`` made a match object per mark.)"""
        cuts = self._cuts.get(turn)
        if cuts is None:
            cuts = []
            text = self.norm[turn].text
            bits = _CLAUSE_MAP
            for i in range(len(text)):  # (compiled: each code point read in place and looked up in the map)
                c = ord(text[i])
                if c < 65536 and (bits[c >> 3] >> (c & 7)) & 1:  # (the marks are all in the BMP)
                    cuts.append(i + 1)
            self._cuts[turn] = cuts
        return cuts

    def _plain_turn(self, turn: int) -> bool:
        """The turn holds no quote mark, reporting marker or literal of the reported-speech patterns
        (``Compiled.plain_words``: read off the call's automaton pass, which finds them under ``plain_key``);
        False when that is not known."""
        worded = self._worded  # the turns that are not plain (bit i: turn i), read once per call (-2: not yet)
        if worded == -2:
            plain_key = self.compiled.plain_key
            # (no plain key: -1, every bit set, no turn known to be plain)
            worded = self._worded = self.key_turns(plain_key) if plain_key != "" else -1
        return not (worded >> turn) & 1

    def _quote_spans(self, turn: int) -> list[tuple[int, int]]:
        if turn not in self._quotes:
            text, spans = self.norm[turn].text, []
            opens = self.compiled.quote_opens
            plain = self._plain_turn(turn)
            for open_q, close_q in self.compiled.quote_pairs if not plain and opens is not None and opens.search(
                    text) else ():
                i = text.find(open_q)
                while i != -1:
                    j = text.find(close_q, i + 1)
                    if j == -1:
                        spans.append((i, len(text)))
                        break
                    spans.append((i, j + 1))
                    i = text.find(open_q, j + 1)
            self._quotes[turn] = spans
        return self._quotes[turn]


def _needing(present: Iterable[str], table: dict[str, tuple[int, ...]], size: int) -> list[bool]:
    """Per slot index below ``size``: ``table`` lists it for one of the names ``present`` (a call's lexicon keys or
    firing acts). A list of flags, not a set of indices: each index is set by a store, not hashed and inserted, and
    read by an index, not a lookup (nor a shift of a mask as wide as the plan, which allocates at every test)."""
    live = [False] * size
    for name in present:
        slots = table.get(name)
        if slots is not None:
            for index in slots:
                live[index] = True
    return live
