"""Writing scorecards for inspectors: JSON, JSONL (streamed), CSV (one row per call, plus a findings
CSV) and XLSX (汇总 / 问题明细 / 规则统计 / 未导入记录). Deductions are the real ones (rule caps and
dimension floors applied); severities are Chinese; every spreadsheet cell is formula-safe."""

from __future__ import annotations

import codecs
import io
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

import orjson

from hotline.errors import HotlineError
from hotline.formats import sheets
from hotline.formats.columnar import verdict
from hotline.formats.jsonfmt import encode
from hotline.formats.roles import role_warning
from hotline.formats.sheets import DECIMAL, PERCENT, Column
from hotline.labels import REVIEW_LABELS, SEVERITY_LABELS, SPEAKER_LABELS
from hotline.model import Call, CitizenBlock, RuleOutcome, Scorecard, rounded

Pair = tuple[Call, Scorecard]
SEVERITY_COLUMNS = ["致命", "严重", "轻微", "提示"]
FINDING_HEADERS = ["通话ID", "规则ID", "规则", "维度", "严重程度", "实际扣分", "一票否决", "话轮", "说话人",
                   "证据", "说明", "建议话术"]
FINDING_WIDTHS = [20, 28, 22, 14, 9, 9, 9, 6, 7, 36, 50, 40]
WRAPPED = {"证据", "说明", "建议话术", "规则"}


@dataclass(frozen=True, slots=True)
class ReportInfo:
    """What the writers need from the rulebook."""

    titles: dict[str, str]
    dimensions: list[str]
    pass_mark: float = 80.0


def notes(call: Call, card: Scorecard) -> str:
    """What an inspector must know besides the score: a partial judgement, inferred speaker roles."""
    parts = []
    if card.notice:
        judged = "；".join(f"{d} {v:g}/{card.max_dimensions.get(d, 0):g}" for d, v in card.dimensions.items())
        parts.append(f"{card.notice}" + (f"（{judged}）" if judged else ""))
    if warning := role_warning(call):
        parts.append(warning)
    return "；".join(parts)


def record(call: Call, card: Scorecard) -> dict[str, Any]:
    """One JSON record per call: the scorecard (each finding with its real deduction), the call's meta."""
    out = card.to_dict()
    for f, taken in zip(out["findings"], card.deductions(), strict=True):
        f["deduction"] = taken
    out["meta"] = call.meta
    return out


# a rule outcome's JSON, by (rule, dimension, status, points): a card has one per rule of the rulebook,
# and across calls they take few distinct values (kept to a bounded number all the same). Kept as its bytes:
# ``record_json`` hands the list of them to the C writer (``_kernels.records``), which copies each into the line as
# it is, or, without it, as ``orjson.Fragment``s to ``orjson.dumps``, which does the same (no joining of the
# outcomes' bytes, then again with the brackets, before the record copies them once more)
_OUTCOME_JSON: dict[tuple[str, str, str, float], bytes] = {}
_OUTCOME_JSON_MAX = 1 << 14


# the same, by the outcome object itself, for the outcomes the engine shares among cards (a rule that passed, was
# awarded or did not apply: ``Engine._outcome``; one that failed with the same points: ``Engine._failed``), all of
# almost every card's: the object is kept with its JSON, so its id names it alone while it is kept (a freed
# object's id could otherwise come back as another outcome's), and an outcome is frozen: its JSON stays its own
_SHARED_JSON: dict[int, tuple[RuleOutcome, bytes]] = {}


def _outcome_json(o: RuleOutcome) -> bytes:
    kept = _SHARED_JSON.get(id(o))
    if kept is not None:
        return kept[1]
    got = _outcome_json_of(o)
    if len(_SHARED_JSON) >= _OUTCOME_JSON_MAX:
        _SHARED_JSON.clear()
    _SHARED_JSON[id(o)] = (o, got)
    return got


def _outcome_json_of(o: RuleOutcome) -> bytes:
    points = o.points
    if type(points) is not float or points != points or (not points and math.copysign(1.0, points) < 0):
        return orjson.dumps(o.to_dict())  # kept apart: -0.0 and NaN are no keys (and 1 == 1.0 == True)
    key = (o.rule_id, o.dimension, o.status, points)
    got = _OUTCOME_JSON.get(key)
    if got is None:
        if len(_OUTCOME_JSON) >= _OUTCOME_JSON_MAX:
            _OUTCOME_JSON.clear()
        got = _OUTCOME_JSON[key] = orjson.dumps(o.to_dict())
    return got


# an outcome object with its JSON (one pair: read at once, never one's object with another's JSON)
_Kept = tuple[RuleOutcome, bytes]


class _Places:
    """For each place in a card's list of outcomes, the last two outcome objects seen there, with their JSON. The
    engine shares outcomes among cards (``_SHARED_JSON``) and lists them in the rulebook's order, so a place holds
    the same few objects from card to card (its rule passed, failed with its usual points, did not apply): one or
    two comparisons of pointers find most, instead of the object's id boxed and looked up (ids of objects are
    multiples of 16: their hashes collide, and a lookup probes several times). The lists are this object's own
    (a change to a card's list cannot reach them) and keep their objects alive (no id here is another's); each
    item is an (outcome, JSON) pair, so a writer in another thread (plain Python switches threads between any two
    steps) may replace an item, never pair an outcome with another's JSON. At most ``_PLACES_KEPT`` places. One
    object, named Final (compiled: its fields are read without a lookup in the module's globals)."""

    def __init__(self) -> None:
        self.last: list[_Kept] = []
        self.other: list[_Kept] = []  # the one seen there before ``last`` (or ``last`` again)


_PLACES: Final = _Places()
_PLACES_KEPT: Final = 1 << 12


class _Writer:
    """The C writer of a record's line (``_kernels.records``: ``dumps``, and the ``Shape`` of a record and of a
    finding, the keys of ``record`` in its order), looked for once; ``dumps`` None when it is not built, stale or
    switched off (``HOTLINE_NATIVE=0``): ``record_json`` then takes orjson's path, which gives the same bytes
    (tests/formats/test_records_kernel_s39.py holds the one to the other). One object, named Final (compiled: its
    fields are read without a lookup in the module's globals)."""

    def __init__(self) -> None:
        self.tried = False
        self.dumps: Callable[[object, list[bytes]], bytes | None] | None = None
        self.record: object = None  # the record's Shape
        self.finding: object = None  # a finding's Shape

    def load(self) -> None:
        self.tried = True
        try:
            from hotline._kernels import records
        except ImportError:
            return
        self.record = records.Shape(RECORD_KEYS)
        self.finding = records.Shape(FINDING_KEYS)
        self.dumps = records.dumps


# the keys of ``record``'s dict and of a finding's in it, in their order (``Scorecard.to_dict``, ``Finding.to_dict``,
# then what ``record`` adds): the C writer writes them from these, a value each from a tuple (test_records_kernel_s39
# holds its lines to ``encode(record(...))``)
RECORD_KEYS: Final = ("call_id", "total", "scope", "notice", "citizen", "review", "dimensions", "max_dimensions",
                      "vetoed", "rulebook_version", "findings", "outcomes", "meta")
FINDING_KEYS: Final = ("rule_id", "dimension", "severity", "turn_index", "span", "evidence", "message", "suggestion",
                       "points", "veto", "layer", "confidence", "threshold", "deduction")
_WRITER: Final = _Writer()


def record_json(call: Call, card: Scorecard) -> bytes | None:
    """``record(call, card)`` as one line of UTF-8 JSON (``encode`` of it, and a newline), built without
    the dict of every rule outcome (their JSON, kept, goes in as it is); None when orjson cannot write it
    (``encode`` then falls back). With the C writer (``_Writer``): the record's values as tuples, a value a key of
    its ``Shape`` (no dict of the record's head, nor of each finding, made and freed), the citizen block and the
    review as their dicts; orjson's path for what the writer leaves to it (it says so, None: a number orjson
    writes otherwise or refuses, a subclass, a lone surrogate…). Else one ``orjson.dumps`` of the dict, in the key
    order of ``record``."""
    places = _PLACES
    last = places.last
    other = places.other
    n_places = len(last)
    outcomes: list[bytes] = []
    failed: dict[str, float] = {}  # what ``Scorecard.deductions`` reads, gathered in the same walk of the outcomes
    for i, o in enumerate(card.outcomes):
        if i < n_places:
            seen = last[i]
            if seen[0] is o:  # most: the outcome seen last at this place (``_Places``)
                got = seen[1]
            else:
                before = other[i]
                if before[0] is o:
                    got = before[1]
                else:
                    got = _outcome_json(o)
                    other[i] = seen
                    last[i] = (o, got)
        else:
            got = _outcome_json(o)
            if n_places < _PLACES_KEPT:
                n_places += 1
                last.append((o, got))
                other.append((o, got))
        outcomes.append(got)
        if o.status == "failed":
            failed[o.rule_id] = -o.points
    writer = _WRITER
    if not writer.tried:
        writer.load()
    dumps = writer.dumps
    if dumps is not None:
        cards = card.findings
        taken = card.taken(failed)
        if len(taken) != len(cards):  # as ``zip(..., strict=True)`` would (one list read by index)
            raise ValueError("a deduction for each finding")
        shape = writer.finding
        # ``Finding.to_dict``'s values, and the deduction, in its order (a span as its tuple: an array, as its list;
        # the severity as the StrEnum it is, whose text is its value: the writer writes a str subclass by its text)
        rows = [(shape, f.rule_id, f.dimension, f.severity, f.turn_index, f.span if f.span else None,
                 f.evidence, f.message, f.suggestion, f.points, f.veto, f.layer, f.confidence, f.threshold, taken[j])
                for j, f in enumerate(cards)]
        line = dumps((writer.record, card.call_id, card.total, card.scope, card.notice,
                      card.citizen.to_dict() if card.citizen else None, card.review.to_dict() if card.review else None,
                      card.dimensions, card.max_dimensions, card.vetoed, card.rulebook_version, rows, outcomes,
                      call.meta), outcomes)
        if line is not None:
            return line
    head = card.to_dict(outcomes=False)
    findings: list[dict[str, Any]] = head["findings"]
    taken = card.taken(failed) if dumps is None else taken
    if len(taken) != len(findings):  # as ``zip(..., strict=True)`` would (one list read by index)
        raise ValueError("a deduction for each finding")
    for j, f in enumerate(findings):
        f["deduction"] = taken[j]
    head["outcomes"] = [orjson.Fragment(piece) for piece in outcomes]
    head["meta"] = call.meta
    try:
        return orjson.dumps(head, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return None


def _raw_writer(fh: IO[str]) -> Callable[[bytes], Any] | None:
    """A UTF-8 text file's byte stream, to write encoded lines to directly, or None."""
    buffer = getattr(fh, "buffer", None)
    if not isinstance(fh, io.TextIOWrapper) or buffer is None or os.linesep != "\n" or fh.line_buffering:
        return None
    if codecs.lookup(fh.encoding).name != "utf-8":
        return None
    fh.flush()  # what was written as text goes first
    return buffer.write  # type: ignore[no-any-return]


def write_jsonl(pairs: Iterable[Pair], fh: IO[str]) -> int:
    n = 0
    raw = _raw_writer(fh)
    for call, card in pairs:
        line = record_json(call, card)
        if line is None:  # the standard encoder's text, as ``encode`` writes it
            fh.write(encode(record(call, card)) + "\n")
            if raw is not None:
                fh.flush()
        elif raw is not None:
            raw(line)
        else:
            fh.write(line.decode())
        n += 1
    return n


def write_json(pairs: Iterable[Pair], fh: IO[str]) -> int:
    items = [record(c, s) for c, s in pairs]
    fh.write(encode(items, indent=True) + "\n")
    return len(items)


CITIZEN_HEADERS = ["复核分流", "分流原因", "市民情绪（开始/峰值/结束）", "情绪走势", "预测不满意", "升级风险"]


def course(c: CitizenBlock) -> str:
    """安抚平静 / 情绪升级 / ''."""
    return "安抚平静" if c.calmed else "情绪升级" if c.escalated else ""


def escalation_kinds(c: CitizenBlock) -> str:
    return "、".join(dict.fromkeys(k for k, _, _ in c.escalation))


def citizen_cells(card: Scorecard) -> list[Any]:
    """The review triage and the citizen block as spreadsheet cells (blank when not judged)."""
    review = [REVIEW_LABELS.get(card.review.level, card.review.level), "；".join(card.review.reasons)] \
        if card.review else ["", ""]
    c = card.citizen
    if c is None:
        return [*review, "", "", "", ""]
    risk = escalation_kinds(c)
    return [*review, f"{c.start:.2f} / {c.peak:.2f} / {c.end:.2f}", course(c),
            "" if c.dissatisfaction is None else rounded(c.dissatisfaction, 2),
            f"{risk} {c.escalation_risk:.2f}" if risk else ""]


def call_headers(info: ReportInfo) -> list[str]:
    return ["通话ID", "坐席工号", "日期", "总分", "结论", "一票否决", *info.dimensions, "问题数",
            *SEVERITY_COLUMNS, "实际扣分", *CITIZEN_HEADERS, "说明"]


def call_row(call: Call, card: Scorecard, info: ReportInfo) -> list[Any]:
    meta = call.meta
    by_severity = Counter(SEVERITY_LABELS[f.severity] for f in card.findings)  # a StrEnum is its value
    dims = [card.dimensions.get(d, "不适用") for d in info.dimensions]
    total = "" if card.total is None else card.total
    deductions = card.deductions()
    # no findings: the int 0, as sum([]) is (compiled, a sum of floats would start from 0.0)
    taken = round(sum(deductions), 2) if deductions else 0
    return [call.id, str(meta.get("agent_id", "")), str(meta.get("date", "")), total, verdict(card, info.pass_mark),
            "是" if card.vetoed else "否", *dims, len(card.findings), *(by_severity[s] for s in SEVERITY_COLUMNS),
            taken, *citizen_cells(card), notes(call, card)]


def finding_rows(call: Call, card: Scorecard, titles: dict[str, str]) -> Iterator[list[Any]]:
    for f, taken in zip(card.findings, card.deductions(), strict=True):
        speaker = ""
        if f.turn_index is not None and f.turn_index < len(call.turns):
            speaker = SPEAKER_LABELS[call.turns[f.turn_index].speaker]  # a StrEnum is its value
        yield [call.id, f.rule_id, titles.get(f.rule_id, ""), f.dimension, SEVERITY_LABELS[f.severity],
               taken, "是" if f.veto else "否", "" if f.turn_index is None else f.turn_index + 1, speaker,
               f.evidence, f.message, f.suggestion]


def findings_path(path: Path) -> Path:
    """Where the findings CSV goes beside the per-call CSV ``path``."""
    return path.with_name(f"{path.stem}_问题明细{path.suffix or '.csv'}")


def write_csv(pairs: Iterable[Pair], fh: IO[str], info: ReportInfo, findings_fh: IO[str] | None = None) -> int:
    """One row per call on ``fh``; one row per finding on ``findings_fh`` when given."""
    findings: list[list[Any]] = []

    def rows() -> Iterator[list[Any]]:
        for call, card in pairs:
            if findings_fh is not None:
                findings.extend(finding_rows(call, card, info.titles))
            yield call_row(call, card, info)

    n = sheets.write_csv(fh, call_headers(info), rows())
    if findings_fh is not None:
        sheets.write_csv(findings_fh, FINDING_HEADERS, findings)
    return n


def _call_columns(info: ReportInfo) -> list[Column]:
    fixed = [Column("通话ID", 22), Column("坐席工号", 10), Column("日期", 17), Column("总分", 8, DECIMAL),
             Column("结论", 10), Column("一票否决", 9)]
    dims = [Column(d, max(9, 2 * len(d) + 3), DECIMAL) for d in info.dimensions]
    counts = [Column("问题数", 8), *(Column(s, 6) for s in SEVERITY_COLUMNS), Column("实际扣分", 9, DECIMAL)]
    citizen = [Column("复核分流", 9), Column("分流原因", 30, wrap=True), Column(CITIZEN_HEADERS[2], 16),
               Column("情绪走势", 9), Column("预测不满意", 10, DECIMAL), Column("升级风险", 14)]
    return [*fixed, *dims, *counts, *citizen, Column("说明", 50, wrap=True)]


def _finding_columns() -> list[Column]:
    return [Column(h, w, DECIMAL if h == "实际扣分" else None, h in WRAPPED)
            for h, w in zip(FINDING_HEADERS, FINDING_WIDTHS, strict=True)]


def write_xlsx(pairs: Iterable[Pair], path: Path, info: ReportInfo,
               rejected: list[HotlineError] | None = None) -> int:
    """汇总 / 问题明细 / 规则统计 (/ 未导入记录) sheets, streamed with openpyxl's write-only mode;
    ``rejected`` is read after ``pairs`` is used up, so a reader's errors can fill it on the way."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    counts: Counter[str] = Counter()
    failed_calls: Counter[str] = Counter()
    taken: dict[str, float] = {}  # points really taken off, per rule
    findings: list[list[Any]] = []

    def summary_rows() -> Iterator[list[Any]]:
        for call, card in pairs:
            for row in finding_rows(call, card, info.titles):
                findings.append(row)
                counts[row[1]] += 1
                taken[row[1]] = taken.get(row[1], 0.0) + row[5]
            failed_calls.update({f.rule_id for f in card.findings})
            yield call_row(call, card, info)

    n = sheets.add_sheet(wb, "汇总", _call_columns(info), summary_rows())
    sheets.add_sheet(wb, "问题明细", _finding_columns(), findings)
    stats = [[rule_id, info.titles.get(rule_id, ""), count, failed_calls[rule_id],
              failed_calls[rule_id] / n if n else 0.0, round(taken.get(rule_id, 0.0), 2)]
             for rule_id, count in counts.most_common()]
    sheets.add_sheet(wb, "规则统计", [Column("规则ID", 30), Column("规则", 24, wrap=True), Column("命中次数", 10),
                                    Column("涉及通话数", 11), Column("涉及通话占比", 13, PERCENT),
                                    Column("实际扣分合计", 13, DECIMAL)], stats)
    if rejected:
        rows = [[e.source or "", e.location or "", e.message] for e in rejected]
        sheets.add_sheet(wb, "未导入记录", [Column("文件", 40, wrap=True), Column("位置", 18), Column("原因", 70, wrap=True)],
                         rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return n


def tee(pairs: Iterable[Pair], sink: list[Pair]) -> Iterator[Pair]:
    for p in pairs:
        sink.append(p)
        yield p
