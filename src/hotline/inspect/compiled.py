"""Compiling a rulebook once: one Aho-Corasick automaton over every phrase of every lexicon,
compiled regexes, and the per-node lookups the operators need."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import daachorse

from hotline.inspect.plan import Plan, build_plan
from hotline.inspect.prefilter import anchored, literals
from hotline.norms.schema import Matcher, Rulebook, iter_nodes
from hotline.regexcache import compile_pattern
from hotline.regexscan import scannable
from hotline.text import SURROGATE, normalize_phrase

# what a call's turns are joined with for one automaton pass over all (``CallContext._scan``)
SEPARATOR: Final = "\n"


@dataclass(slots=True)
class Compiled:
    rulebook: Rulebook
    # every phrase of every lexicon, with the literals looked for under keys of their own (``plain_key``,
    # ``regex_need_keys``): None when there is none. A match is (start, end, pattern id); the id is its index in
    # ``phrases`` and in ``phrase_keys``, the keys it is found under
    automaton: daachorse.CharwiseDoubleArrayAhoCorasick | None = None
    # the same phrases in the C kernel (``hotline._kernels.scan``), which does the whole of ``CallContext._scan`` in
    # one call: None when it is not built (plain Python, a failed build), or refuses the phrases (``scan_kernel``)
    kernel: Any = None
    phrases: tuple[str, ...] = ()
    phrase_keys: list[tuple[str, ...]] = field(default_factory=list)
    # the automaton holds ``phrases[:readable]``; the rest hold a lone surrogate, which it cannot read: they are looked
    # for in the texts that hold one (``around_surrogates``)
    readable: int = 0
    node_keys: dict[int, list[str]] = field(default_factory=dict)
    regexes: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = field(default_factory=dict)
    # a regex node → what a turn must hold for the regex to match there (``prefilter.literals``): the one
    # literal itself, or an alternation of the literals; a node without a safe prefilter is not listed
    regex_needs: dict[int, str | re.Pattern[str]] = field(default_factory=dict)
    # a regex node whose prefilter is an alternation of literals → the automaton key they are added under: which
    # turns hold one is read off the call's one automaton pass (``CallContext.key_turns``), not searched turn by turn
    regex_need_keys: dict[int, str] = field(default_factory=dict)
    regex_anchored: set[int] = field(default_factory=set)  # regex nodes that can only match at a turn's start
    negation_prefixes: tuple[str, ...] = ()
    # the last character of each negation prefix, when none is empty ("": not known): a span whose character before
    # is none of them follows no prefix (``CallContext._negated``)
    negation_ends: str = ""
    clause_negations: tuple[str, ...] = ()
    # the first character of each clause negation, when none is empty ("": not known): a clause starting with none
    # of them starts with no clause negation (``CallContext._act_guarded``)
    clause_starts: str = ""
    reporting_markers: tuple[str, ...] = ()
    quote_pairs: tuple[tuple[str, str], ...] = ()
    negation_safe_key: str = "negation_safe"
    confirm_key: str | None = None  # ``guards.confirm_lexicon`` and ``restatement_lexicons`` (``CallContext.restating``)
    restatement_keys: tuple[str, ...] = ()
    markers_re: re.Pattern[str] | None = None
    reported_re: re.Pattern[str] | None = None
    reported_need: str | re.Pattern[str] | None = None  # what a text must hold for reported_re to match in it
    quote_opens: re.Pattern[str] | None = None  # any opening quote mark: a turn without one has no quotes
    # the quote marks, reporting markers and literals of the reported patterns (``reported_need``): a turn holding
    # none of them is neither quoted nor reported (``_quote_or_report_words``; empty: not known)
    plain_words: tuple[str, ...] = ()
    # the automaton key ``plain_words`` are added under: the turns holding one are read off the call's one automaton
    # pass (``CallContext._plain_turn``), not searched turn by turn ("" when they are not known)
    plain_key: str = ""
    # no phrase of the automaton holds a newline: a scan of the turns joined a newline apart finds what a scan of
    # each finds (``CallContext._scan``)
    joinable: bool = True
    act_limits: dict[int, list[tuple[str, float]]] = field(default_factory=dict)
    # per act node, for each of its ``act_limits``: what a hit's ``why`` holds before and after its probability
    # (``act|name|`` and ``|limit``), made once here: only the probability is formatted for each hit
    act_labels: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    act_model: Any = None  # hotline.acts.ActModel, loaded on first use
    act_floor: dict[str, float] = field(default_factory=dict)  # lowest threshold any node uses, per act
    act_floors: dict[str, Any] = field(default_factory=dict)  # per speaker: floors in the model's column order
    resolved: dict[int, Matcher] = field(default_factory=dict)  # a detector reference → the node it names
    # nodes whose hits over a subset of turns are just their hits over the whole call, filtered
    filterable: set[int] = field(default_factory=set)
    plan: Plan = field(default_factory=Plan)


def compile_rulebook(rb: Rulebook, compile_regex: Callable[[str], Any] = re.compile, *, cache: bool = True) -> Compiled:
    """``compile_regex`` compiles every pattern (``safe_regex.limited_compiler`` for browser-entered rulebooks).
    ``cache``: the analysis of its patterns may be read back from the start-up cache (``known_literals``);
    ``hotline rulebook validate`` proves a file with nothing read back."""
    phrase_keys: dict[str, set[str]] = {}
    reported = reported_pattern(rb)
    plain = compile_regex is re.compile  # (the patterns ``known`` holds are as ``re.compile`` makes them)
    known = known_literals(analysed_patterns(rb)) if plain and cache else {}  # what ``_need`` makes of each, found before

    def add(key: str, phrases: list[str]) -> None:
        for p in phrases:
            norm = normalize_phrase(p)
            if norm:
                phrase_keys.setdefault(norm, set()).add(key)

    for name, phrases in rb.lexicons.items():
        add(name, phrases)
    guards = rb.guards
    compiled = Compiled(
        rulebook=rb,
        negation_prefixes=tuple(normalize_phrase(p) for p in guards.negation_prefixes),
        clause_negations=tuple(normalize_phrase(p) for p in guards.clause_negations),
        reporting_markers=tuple(normalize_phrase(p) for p in guards.reporting_markers),
        quote_pairs=tuple((q[0], q[-1]) for q in guards.quote_pairs if q),
        negation_safe_key=guards.negation_safe_lexicon,
        confirm_key=guards.confirm_lexicon or None,
        restatement_keys=tuple(guards.restatement_lexicons),
    )
    if all(compiled.negation_prefixes):
        compiled.negation_ends = "".join(sorted({p[-1] for p in compiled.negation_prefixes}))
    if all(compiled.clause_negations):
        compiled.clause_starts = "".join(sorted({p[0] for p in compiled.clause_negations}))
    if compiled.quote_pairs:
        compiled.quote_opens = compile_pattern("|".join(re.escape(q[0]) for q in compiled.quote_pairs))
    if compiled.reporting_markers:
        compiled.markers_re = compile_pattern("|".join(re.escape(m) for m in compiled.reporting_markers))
    if guards.reported_patterns:
        compiled.reported_re = compile_pattern(reported, scan=True)
        compiled.reported_need = _need(compiled.reported_re, known)
    plain_words = _quote_or_report_words(compiled, known)
    if plain_words is not None:
        compiled.plain_words = tuple(plain_words)
        compiled.plain_key = "guard:quote_or_report"
        for word in plain_words:  # as they are: a turn holds one exactly when one of them is in it
            phrase_keys.setdefault(word, set()).add(compiled.plain_key)
    need_keys: dict[tuple[str, ...], str] = {}  # a prefilter's literals → their automaton key
    regex_nodes: list[tuple[int, Any]] = []  # (a regex node's id, its pattern): which are anchored, found after
    for node in _all_nodes(rb):
        if node.phrases is not None:
            keys = node.phrases.lexicon_names()
            if node.phrases.phrases:
                inline = f"inline:{id(node)}"
                add(inline, node.phrases.phrases)
                keys = [*keys, inline]
            compiled.node_keys[id(node)] = keys
        if node.regex is not None:
            exclude = _regex(node.regex.exclude, compile_regex, plain) if node.regex.exclude else None
            pattern = _regex(node.regex.pattern, compile_regex, plain)
            compiled.regexes[id(node)] = (pattern, exclude)
            found = _literals_of(pattern, known)
            need = _need_of(found)
            if need is not None:
                compiled.regex_needs[id(node)] = need
                if found is not None and not isinstance(need, str) and all(found):
                    key = need_keys.get(found)
                    if key is None:
                        key = need_keys[found] = f"need:{len(need_keys)}"
                        for literal in found:  # as they are: a turn holds one exactly when the alternation finds it
                            phrase_keys.setdefault(literal, set()).add(key)
                    compiled.regex_need_keys[id(node)] = key
            regex_nodes.append((id(node), pattern))
        if node.act is not None:
            compiled.act_limits[id(node)] = [(name, _act_limit(rb, name, node.act.min_prob))
                                             for name in node.act.names()]
            compiled.act_labels[id(node)] = [(f"act|{name}|", f"|{limit:.2f}") for name, limit in compiled.act_limits[id(node)]]
            for name, limit in compiled.act_limits[id(node)]:
                compiled.act_floor[name] = min(limit, compiled.act_floor.get(name, 1.0))
    # which regex nodes can only match at a turn's start (``prefilter.anchored``): read back with the patterns'
    # string and flags, all it reads of one, when ``known_anchored`` analysed the same patterns before
    is_anchored = known_anchored([p for _, p in regex_nodes]) if plain and cache and regex_nodes else {}
    for node_id, pattern in regex_nodes:
        hit = is_anchored.get((pattern.pattern, pattern.flags)) if isinstance(pattern, re.Pattern) else None
        if hit is True or (hit is not False and anchored(pattern)):
            compiled.regex_anchored.add(node_id)
    for node in _all_nodes(rb):
        if node.detector is not None:
            target = rb.detectors[node.detector]
            while target.detector is not None:
                target = rb.detectors[target.detector]
            compiled.resolved[id(node)] = target
    for root in [*rb.detectors.values()]:
        _mark_filterable(root, rb, compiled.filterable)
    for node in _all_nodes(rb):
        _mark_filterable(node, rb, compiled.filterable)
    readable = list(phrase_keys)
    odd: list[str] = []  # the phrases holding a lone surrogate (one search of all first: nearly no rulebook has one)
    if SURROGATE.search(SEPARATOR.join(readable)) is not None:
        odd = [phrase for phrase in readable if SURROGATE.search(phrase) is not None]
        readable = [phrase for phrase in readable if SURROGATE.search(phrase) is None]
    compiled.phrases = (*readable, *odd)
    compiled.phrase_keys = [tuple(sorted(phrase_keys[phrase])) for phrase in compiled.phrases]
    compiled.readable = len(readable)
    compiled.joinable = not any(SEPARATOR in phrase for phrase in phrase_keys)
    if readable:
        compiled.automaton = daachorse.CharwiseDoubleArrayAhoCorasick(readable)
    if compiled.phrases:
        compiled.kernel = scan_kernel(compiled.phrases, compiled.phrase_keys)
    compiled.plan = build_plan(rb, _roots(rb), compiled.node_keys, compiled.resolved, compiled.filterable)
    for slot in compiled.plan.slots:  # what the verdict pass reads of a regex or an act node
        node_id = id(slot.node)
        if node_id in compiled.regexes:
            slot.pattern, slot.exclude = compiled.regexes[node_id]
            slot.need = compiled.regex_needs.get(node_id)
            slot.need_key = compiled.regex_need_keys.get(node_id, "")
            slot.anchored = node_id in compiled.regex_anchored
        if node_id in compiled.act_limits:
            slot.limits = compiled.act_limits[node_id]
    return compiled


def scan_kernel(phrases: tuple[str, ...], keys: list[tuple[str, ...]]) -> Any:
    """The C scan over ``phrases`` (pattern id i: ``phrases[i]``, filed under ``keys[i]``), or None when it is not
    built. It reads code points, so it takes every phrase, those holding a lone surrogate too: a match of one is
    what ``around_surrogates``' ``str.find`` gives, in the automaton's order (by where it ends, the longer first),
    and the rest cannot match across a surrogate, as the pieces daachorse reads between them. It refuses an empty
    or a repeated phrase (daachorse takes them; ``compile_rulebook`` makes neither): the daachorse path then."""
    try:
        from hotline._kernels.scan import ScanKernel
    except ImportError:
        return None
    try:
        return ScanKernel(phrases, keys)
    except ValueError:
        return None


def around_surrogates(compiled: Compiled, text: str) -> list[tuple[int, int, int]]:
    """What ``compiled.automaton.find_overlapping(text)`` gives, for a text holding a lone UTF-16 surrogate, which
    daachorse cannot read (the readers refuse such text; a program calling the engine may pass one). The automaton
    reads the pieces between the surrogates (none of its phrases holds one, so no match spans one), the phrases that
    hold one are found by ``str.find``, and all come in the automaton's order: by where they end, the longer first."""
    found: list[tuple[int, int, int]] = []
    automaton = compiled.automaton
    if automaton is not None:
        begin = 0
        for cut in [*(m.start() for m in SURROGATE.finditer(text)), len(text)]:
            if cut > begin:
                found.extend((begin + s, begin + e, p) for s, e, p in automaton.find_overlapping(text[begin:cut]))
            begin = cut + 1
    for pattern in range(compiled.readable, len(compiled.phrases)):
        phrase = compiled.phrases[pattern]
        at = text.find(phrase)
        while at != -1:
            found.append((at, at + len(phrase), pattern))
            at = text.find(phrase, at + 1)
    if compiled.readable < len(compiled.phrases):
        found.sort(key=lambda match: (match[1], match[0]))
    return found


def _literals_of(pattern: Any, known: dict[str, tuple[str, ...] | None]) -> tuple[str, ...] | None:
    """``prefilter.literals(pattern)``, taken from ``known`` (``known_literals``: by pattern text, as ``re.compile``
    makes them) when it is there."""
    text = pattern.pattern if isinstance(pattern, re.Pattern) else None
    return known[text] if text is not None and text in known else literals(pattern)


def _regex(pattern: str, compile_regex: Callable[[str], Any], plain: bool) -> Any:
    """A rule's pattern told where a match may begin (``regexscan.scannable``: the same pattern), compiled once per
    machine (``regexcache``) when ``compile_regex`` is ``re``'s; one of a browser-entered rulebook's
    ``compile_regex`` is left as it is."""
    return compile_pattern(pattern, scan=True) if plain else scannable(compile_regex(pattern))


def _need(pattern: Any, known: dict[str, tuple[str, ...] | None]) -> str | re.Pattern[str] | None:
    """The prefilter of a pattern (``prefilter.literals``, or ``known``'s) as ``holds`` reads it: the literal itself
    when there is one, else an alternation of them (one search, whatever their number)."""
    return _need_of(_literals_of(pattern, known))


def _need_of(found: tuple[str, ...] | None) -> str | re.Pattern[str] | None:
    """``_need`` of a pattern whose literals are ``found``."""
    if found is None:
        return None
    return found[0] if len(found) == 1 else compile_pattern("|".join(map(re.escape, found)))


def reported_pattern(rb: Rulebook) -> str:
    """The guards' reported-speech patterns as one ("" without any)."""
    return "|".join(f"(?:{p})" for p in rb.guards.reported_patterns)


def analysed_patterns(rb: Rulebook) -> list[str]:
    """The patterns whose prefilter ``compile_rulebook`` finds (``_need``): the regex nodes' and the reported speech's."""
    nodes = {node.regex.pattern for node in _all_nodes(rb) if node.regex is not None}
    return sorted({*nodes, reported_pattern(rb)} - {""})


def literals_slot(patterns: list[str]) -> str:
    """The start-up cache's name for ``known_literals(patterns)``."""
    return "prefilter:" + hashlib.sha256("\0".join(patterns).encode()).hexdigest()[:32]


def known_literals(patterns: list[str]) -> dict[str, tuple[str, ...] | None]:
    """``prefilter.literals`` of each pattern compiled by ``re.compile``; read back from the start-up cache
    (``hotline.cache``) when the same patterns were analysed before, as every start analyses the rulebook's:
    the analysis parses each pattern in Python, about a twentieth of a start. A pattern ``re`` rejects is left
    out (its rule's own compile says what is wrong with it)."""
    from hotline.cache import cached

    return cached(literals_slot(patterns), (), lambda: _analysed(patterns), dict)


def known_anchored(patterns: list[Any]) -> dict[tuple[str, int], bool]:
    """``prefilter.anchored`` of each ``re`` pattern, by its string and flags (all that it reads of a pattern);
    read back from the start-up cache (``hotline.cache``) when the same patterns were analysed before, as every
    start analyses the rulebook's: the analysis parses each pattern in Python (~15M instructions a start for the
    default rulebook). Any other pattern is left out (its node asks ``anchored`` itself)."""
    from hotline.cache import cached

    keyed = {(p.pattern, p.flags): p for p in patterns if isinstance(p, re.Pattern) and isinstance(p.pattern, str)}
    return cached(anchored_slot(list(keyed)), (), lambda: {key: anchored(p) for key, p in keyed.items()}, dict)


def anchored_slot(keys: list[tuple[str, int]]) -> str:
    """The start-up cache's name for ``known_anchored`` of the patterns with these (string, flags)."""
    named = repr(sorted(set(keys)))  # (each string escaped: no two lists of patterns read alike)
    return "anchored:" + hashlib.sha256(named.encode("utf-8", "backslashreplace")).hexdigest()[:32]


def _analysed(patterns: list[str]) -> dict[str, tuple[str, ...] | None]:
    out: dict[str, tuple[str, ...] | None] = {}
    for p in patterns:
        try:
            out[p] = literals(re.compile(p))
        except re.error:
            continue
    return out


def _quote_or_report_words(compiled: Compiled, known: dict[str, tuple[str, ...] | None]) -> list[str] | None:
    """``Compiled.plain_words``: the quote marks (``quote_opens``), the reporting markers (``markers_re``) and the
    literals one of which a reported-speech match holds (``reported_need``), sorted. None when reported speech has
    no such literals (it may then match in any turn) or there is nothing to find."""
    words = [q for q, _ in compiled.quote_pairs] + list(compiled.reporting_markers)
    if compiled.reported_re is not None:
        need = _literals_of(compiled.reported_re, known)
        if need is None:
            return None
        words.extend(need)
    if not words or "" in words:
        return None
    return sorted(set(words))


def holds(need: str | re.Pattern[str], text: str) -> bool:
    """``text`` holds the literal, or one of the literals, of a prefilter (``_need``)."""
    if isinstance(need, str):
        return need in text
    return need.search(text) is not None


def regex_patterns(rb: Rulebook) -> set[str]:
    """Every regex pattern (and exclude pattern) the rulebook uses."""
    out: set[str] = set()
    for node in _all_nodes(rb):
        if node.regex is not None:
            out.update(p for p in (node.regex.pattern, node.regex.exclude) if p)
    return out


def _act_limit(rb: Rulebook, name: str, min_prob: float | None) -> float:
    """A city's ``act_thresholds`` first, then the rule's ``min_prob``, then the taxonomy's."""
    if name in rb.act_thresholds:
        return rb.act_thresholds[name]
    if min_prob is not None:
        return min_prob
    from hotline.acts.taxonomy import load_taxonomy

    return load_taxonomy().get(name).threshold


def _roots(rb: Rulebook) -> list[Matcher]:
    """Every matcher tree of the rulebook: detectors, the goals' condition, each rule's parts."""
    roots: list[Matcher] = list(rb.detectors.values())
    if rb.call_goals.when is not None:
        roots.append(rb.call_goals.when)
    for rule in rb.rules:
        roots.extend(m for m in (rule.match, rule.applies_when) if m is not None)
        roots.extend(rule.elements.values())
    return roots


def _all_nodes(rb: Rulebook) -> list[Matcher]:
    out: list[Matcher] = []
    for root in _roots(rb):
        out.extend(iter_nodes(root))
    return out


def _mark_filterable(node: Matcher, rb: Rulebook, out: set[int], seen: set[int] | None = None) -> bool:
    """Phrases (mode any) and regexes hit turn by turn; so do detectors and ``any`` groups made only
    of them, and a ``turn`` test whose ``has`` and ``lacks`` all are (each turn's verdict is its own, whatever
    other turns a mask keeps). The similarity operator is excluded on purpose: it must stay lazy."""
    seen = seen if seen is not None else set()
    if id(node) in out:
        return True
    if id(node) in seen:
        return False
    seen.add(id(node))
    ok = False
    if node.phrases is not None:
        ok = node.phrases.mode == "any"
    elif node.regex is not None or node.act is not None:
        ok = True
    elif node.detector is not None:
        ok = _mark_filterable(rb.detectors[node.detector], rb, out, seen)
    elif node.any is not None:
        ok = all([_mark_filterable(c, rb, out, seen) for c in node.any])
    elif node.turn is not None:
        ok = all([_mark_filterable(c, rb, out, seen) for c in [*node.turn.has, *node.turn.lacks]])
    if ok:
        out.add(id(node))
    return ok
