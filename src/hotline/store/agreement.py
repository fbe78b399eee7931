"""Agreement between the engine and the inspectors, from 复核 results, and between inspectors.

Per rule, over the calls people reviewed (a call with at least one reviewed finding or a 漏判 an
inspector added; each call's latest scorecard):

* precision = engine findings upheld in review / engine findings reviewed;
* the per-call decision "does this rule apply to the call": the engine's (it fired) against the
  inspectors' (a finding of the rule upheld, or the rule added as 漏判) — a 2×2 table, Cohen's κ
  and, where inspectors added findings, recall = both / (both + inspectors only).

The maths (``Table``) is plain; calibration sessions use the same κ between two inspectors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.store.models import AddedFinding, FindingRow, Review, Scorecard, Verdict


@dataclass(frozen=True, slots=True)
class Table:
    """Two raters' yes/no decisions on the same items: ``both`` said yes, ``only_a`` (A yes, B no),
    ``only_b`` (A no, B yes), ``neither``."""

    both: int = 0
    only_a: int = 0
    only_b: int = 0
    neither: int = 0

    @classmethod
    def of(cls, pairs: Iterable[tuple[bool, bool]]) -> Table:
        counts = [0, 0, 0, 0]
        for a, b in pairs:
            counts[0 if a and b else 1 if a else 2 if b else 3] += 1
        return cls(*counts)

    @property
    def n(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def observed(self) -> float | None:
        """Share of items both raters decided alike."""
        return (self.both + self.neither) / self.n if self.n else None

    @property
    def kappa(self) -> float | None:
        """Cohen's κ = (pₒ − pₑ) / (1 − pₑ); None when there is nothing to judge or chance agreement
        is already total (both raters gave one answer throughout)."""
        n = self.n
        if not n:
            return None
        a_yes, b_yes = self.both + self.only_a, self.both + self.only_b
        expected = (a_yes * b_yes + (n - a_yes) * (n - b_yes)) / (n * n)
        if expected >= 1:
            return None
        return ((self.both + self.neither) / n - expected) / (1 - expected)

    @property
    def recall(self) -> float | None:
        """B's yes items that A also found (A: the engine, B: the inspectors)."""
        found = self.both + self.only_b
        return self.both / found if found else None


@dataclass(slots=True)
class RuleAgreement:
    rule_id: str
    reviewed: int = 0  # engine findings reviewed
    upheld: int = 0  # … and confirmed
    added: int = 0  # calls where inspectors added the rule as 漏判
    table: Table = field(default_factory=Table)  # engine (A) × inspectors (B), per reviewed call

    @property
    def precision(self) -> float | None:
        return self.upheld / self.reviewed if self.reviewed else None

    @property
    def recall(self) -> float | None:
        """Only where inspectors added findings of this rule: otherwise nothing says what the engine missed."""
        return self.table.recall if self.added else None


def rule_agreement(findings: Iterable[tuple[int, str, str | None]], added: Iterable[tuple[int, str]]) -> dict[str, RuleAgreement]:
    """From the engine's findings (scorecard, rule, review verdict or None) and the 漏判 inspectors
    added (scorecard, rule): the agreement per rule over the reviewed scorecards."""
    verdicts: dict[tuple[int, str], list[str | None]] = defaultdict(list)
    for card, rule, verdict in findings:
        verdicts[(card, rule)].append(verdict)
    extra = set(added)
    reviewed_cards = {card for (card, _), vs in verdicts.items() if any(v is not None for v in vs)} | {c for c, _ in extra}
    rules = sorted({r for _, r in verdicts} | {r for _, r in extra})
    out = {r: RuleAgreement(r) for r in rules}
    pairs: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for (card, rule), vs in verdicts.items():
        judged = [v for v in vs if v is not None]
        out[rule].reviewed += len(judged)
        out[rule].upheld += sum(v == Verdict.CONFIRMED.value for v in judged)
        if card not in reviewed_cards:
            continue
        if judged:  # the inspectors' decision on a rule the engine fired: at least one finding upheld
            pairs[rule].append((True, (card, rule) in extra or any(v == Verdict.CONFIRMED.value for v in judged)))
        elif (card, rule) in extra:
            pairs[rule].append((True, True))
    for card, rule in extra:
        out[rule].added += 1
        if (card, rule) not in verdicts:
            pairs[rule].append((False, True))
    for rule, agreement in out.items():
        t = Table.of(pairs[rule])
        silent = len(reviewed_cards) - sum(1 for card in reviewed_cards if (card, rule) in verdicts or (card, rule) in extra)
        agreement.table = Table(t.both, t.only_a, t.only_b, t.neither + silent)
    return out


def engine_agreement(db: Session) -> tuple[list[RuleAgreement], int]:
    """Per rule (most reviewed first), and how many calls were reviewed."""
    latest = select(func.max(Scorecard.id)).group_by(Scorecard.call_id)
    findings = db.execute(select(FindingRow.scorecard_id, FindingRow.rule_id, Review.verdict).outerjoin(Review)
                          .where(FindingRow.scorecard_id.in_(latest))).all()
    added = db.execute(select(AddedFinding.scorecard_id, AddedFinding.rule_id).where(AddedFinding.scorecard_id.in_(latest))).all()
    rows = rule_agreement([(f[0], f[1], f[2]) for f in findings], [(a[0], a[1]) for a in added])
    reviewed = len({c for c, _, v in findings if v is not None} | {c for c, _ in added})
    ranked = sorted((r for r in rows.values() if r.reviewed or r.added), key=lambda r: (-(r.reviewed + r.added), r.rule_id))
    return ranked, reviewed
