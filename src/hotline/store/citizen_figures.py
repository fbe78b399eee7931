"""市民感受看板: predicted satisfaction (1 − mean predicted dissatisfaction) per agent, team and
week; the calls with a high escalation risk; the agents whose calls end angrier than they began.
Under the same filters as the main 看板 (team, agent, dates)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.store.dashboard import Filters, _people, filtered
from hotline.store.models import Call, Scorecard


@dataclass(slots=True)
class Group:
    """Figures of a set of calls (an agent's, a team's, a week's)."""

    key: str
    name: str = ""
    team: str = ""
    calls: int = 0
    judged: list[float] = field(default_factory=list)  # predicted dissatisfaction of the calls that have one
    deltas: list[float] = field(default_factory=list)  # end − start emotion
    escalated: int = 0
    calmed: int = 0

    def add(self, dissatisfaction: float | None, start: float | None, end: float | None, escalated: bool | None,
            calmed: bool | None) -> None:
        self.calls += 1
        if dissatisfaction is not None:
            self.judged.append(dissatisfaction)
        if start is not None and end is not None:
            self.deltas.append(end - start)
        self.escalated += bool(escalated)
        self.calmed += bool(calmed)

    @property
    def dissatisfaction(self) -> float | None:
        return sum(self.judged) / len(self.judged) if self.judged else None

    @property
    def satisfaction(self) -> float | None:
        d = self.dissatisfaction
        return None if d is None else 1 - d

    @property
    def with_emotion(self) -> int:
        return len(self.deltas)

    @property
    def escalated_share(self) -> float | None:
        return self.escalated / self.with_emotion if self.with_emotion else None

    @property
    def calmed_share(self) -> float | None:
        return self.calmed / self.with_emotion if self.with_emotion else None

    @property
    def mean_delta(self) -> float | None:
        return sum(self.deltas) / len(self.deltas) if self.deltas else None


@dataclass(slots=True)
class RiskCall:
    call_id: int
    external_id: str
    agent: str
    day: date | None
    risk: float
    escalation: list[dict[str, Any]]  # kind, turn_index, evidence (unmasked: the page masks it)
    level: str | None


@dataclass(slots=True)
class CitizenFigures:
    agents: list[Group]
    teams: list[Group]
    weeks: list[Group]
    risky: list[RiskCall]
    angrier: list[Group]
    risk_from: float


def _latest() -> Any:
    """Each call's newest scorecard (correlated: the call_id index answers it per call)."""
    return select(func.max(Scorecard.id)).where(Scorecard.call_id == Call.id).correlate(Call).scalar_subquery()


def _rows(db: Session, flt: Filters, codes: set[str] | None) -> list[Any]:
    query = (select(Call.agent_code, Call.call_date, Scorecard.dissatisfaction, Scorecard.emotion_start, Scorecard.emotion_end,
                    Scorecard.escalated, Scorecard.calmed)
             .join(Scorecard, Scorecard.id == _latest()).where(Scorecard.emotion_start.is_not(None)))
    return list(db.execute(filtered(query, flt, codes)).all())


def figures(db: Session, flt: Filters, risk_from: float, risky_limit: int = 100) -> CitizenFigures:
    people = _people(db, flt)
    codes = set(people) if flt.team_id else None
    agents: dict[str, Group] = {}
    teams: dict[str, Group] = {}
    weeks: dict[str, Group] = {}
    for code, day, dis, start, end, escalated, calmed in _rows(db, flt, codes):
        u = people.get(code)
        team = u.team.name if u and u.team else ""
        groups = [agents.setdefault(code or "", Group(code or "", u.display_name if u else "", team))]
        groups.append(teams.setdefault(team, Group(team, team or "未分组")))
        if day is not None:
            year, week, _ = day.isocalendar()
            label = f"{year}-W{week:02d}"
            groups.append(weeks.setdefault(label, Group(label)))
        for g in groups:
            g.add(dis, start, end, escalated, calmed)
    risky_query = (select(Call.id, Call.external_id, Call.agent_code, Call.call_date, Scorecard.escalation_risk, Scorecard.citizen,
                          Scorecard.review_level)
                   .join(Scorecard, Scorecard.id == _latest())
                   .where(Scorecard.escalation_risk >= risk_from)
                   .order_by(Scorecard.escalation_risk.desc(), Call.call_date.desc().nulls_last(), Call.id.desc()).limit(risky_limit))
    risky = [RiskCall(cid, ext, code, day, risk, list((citizen or {}).get("escalation") or []), level)
             for cid, ext, code, day, risk, citizen, level in db.execute(filtered(risky_query, flt, codes))]
    by_dis = sorted(agents.values(), key=lambda g: (g.satisfaction is None, -(g.satisfaction or 0), g.key))
    angrier = [g for g in agents.values() if g.escalated or (g.mean_delta or 0) > 0]
    angrier.sort(key=lambda g: (-(g.escalated_share or 0), -(g.mean_delta or 0), g.key))
    return CitizenFigures(by_dis, sorted(teams.values(), key=lambda g: g.key), [weeks[k] for k in sorted(weeks)], risky, angrier,
                          risk_from)


def week_series(weeks: list[Group]) -> dict[str, list[Any]]:
    """The trend chart's data: predicted satisfaction (%) per week."""
    return {"labels": [g.key for g in weeks],
            "values": [round(100 * g.satisfaction, 1) if g.satisfaction is not None else "-" for g in weeks]}


def by_kind(risky: list[RiskCall]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in risky:
        for kind in dict.fromkeys(e.get("kind", "") for e in r.escalation):
            counts[kind] += 1
    return dict(counts)
