"""Demo data for a first look: one user per role (passwords generated and shown once), the
sample calls imported and inspected, a few reviews and one appeal, the trainees' lessons, quizzes,
exams and drills. Described by ``data/web/demo.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hotline.content import Strict, data_path, load_yaml_model
from hotline.store.accounts import create_team, create_user, generate_password
from hotline.store.demo_learning import DemoLearner, load_learning
from hotline.store.imports import Inspector, create_batch, run_import
from hotline.store.models import Call, FindingRow, ImportBatch, Role, Scorecard, Team, User, Verdict
from hotline.store.reviews import appeal_finding, review_finding


class DemoUser(Strict):
    username: str
    display_name: str
    role: Role
    team: str | None = None
    lead: str | None = None
    trainee_from_calls: bool = False


class DemoReviews(Strict):
    reviewer: str
    count: int = Field(8, ge=0)
    overturn_every: int = Field(4, ge=1)


class DemoAppeal(Strict):
    by: str
    reason: str


class DemoSpec(Strict):
    teams: list[str] = Field(default_factory=list)
    users: list[DemoUser]
    reviews: DemoReviews
    appeal: DemoAppeal | None = None
    learning: list[DemoLearner] = Field(default_factory=list)
    scripts: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _scripts_exist(self) -> DemoSpec:
        missing = sorted({d.script for x in self.learning for d in x.drills} - set(self.scripts))
        if missing:
            raise ValueError(f"learning 中引用了 scripts 里没有的话术：{'、'.join(missing)}")
        return self


@dataclass(slots=True)
class DemoResult:
    created: bool
    passwords: dict[str, tuple[str, str]]  # username -> (role label, password)
    calls: int
    errors: int


def load_spec(path: Path | None = None) -> DemoSpec:
    return load_yaml_model(path or data_path("web", "demo.yaml"), DemoSpec)


def sample_files() -> list[Path]:
    return sorted(p for p in data_path("samples", "calls").iterdir() if p.is_file())


def load_demo(factory: sessionmaker[Session], inspector: Inspector | None = None, files: list[Path] | None = None) -> DemoResult:
    """Load the demo once; a database that already has users is left alone."""
    spec = load_spec()
    with factory() as db:
        if db.scalar(select(func.count()).select_from(User)):
            return DemoResult(False, {}, db.scalar(select(func.count()).select_from(Call)) or 0, 0)
    files = sample_files() if files is None else files
    batch_id = _import(factory, files, inspector)
    with factory() as db:
        passwords = _users(db, spec)
        _reviews(db, spec)
        load_learning(db, spec.learning, spec.scripts)
        db.commit()
        batch = db.get_one(ImportBatch, batch_id)
        return DemoResult(True, passwords, batch.calls_ok, len(batch.errors))


def _import(factory: sessionmaker[Session], files: list[Path], inspector: Inspector | None) -> int:
    with factory() as db:
        batch = create_batch(db, [f.name for f in files], None)
        db.commit()
        batch_id = batch.id
    run_import(factory, batch_id, [(f.name, f) for f in files], inspector)
    return batch_id


def _agents_by_findings(db: Session) -> list[str]:
    query = (
        select(Call.agent_code, func.count(FindingRow.id).label("n"))
        .join(Scorecard, Scorecard.call_id == Call.id).join(FindingRow, FindingRow.scorecard_id == Scorecard.id)
        .where(Call.agent_code != "").group_by(Call.agent_code).order_by(func.count(FindingRow.id).desc(), Call.agent_code)
    )
    return [code for code, _ in db.execute(query)]


def _users(db: Session, spec: DemoSpec) -> dict[str, tuple[str, str]]:
    teams = {name: create_team(db, name) for name in spec.teams}
    codes = iter(_agents_by_findings(db))
    made: dict[str, User] = {}
    passwords: dict[str, tuple[str, str]] = {}
    for u in spec.users:
        password = generate_password()  # meets the password policy
        team: Team | None = teams.get(u.team) if u.team else None
        made[u.username] = create_user(
            db, u.username, password, u.role, display_name=u.display_name, team_id=team.id if team else None,
            agent_code=next(codes, None) if u.trainee_from_calls else None,
            lead_id=made[u.lead].id if u.lead in made else None,
        )
        passwords[u.username] = (u.role.label, password)
    return passwords


def _reviews(db: Session, spec: DemoSpec) -> None:
    """Review the first findings of the demo trainee's calls, then the others', and file one appeal."""
    reviewer = db.scalar(select(User).where(User.username == spec.reviews.reviewer))
    appellant = db.scalar(select(User).where(User.username == spec.appeal.by)) if spec.appeal else None
    if reviewer is None:
        return
    mine = appellant.agent_code if appellant else ""
    query = select(FindingRow).join(Scorecard).join(Call).order_by((Call.agent_code != mine), FindingRow.id)
    reviewed = []
    for n, finding in enumerate(db.scalars(query.limit(spec.reviews.count)), start=1):
        verdict = Verdict.OVERTURNED if n % spec.reviews.overturn_every == 0 else Verdict.CONFIRMED
        reviewed.append(review_finding(db, finding.id, reviewer, verdict, "演示复核"))
    target = next((r for r in reviewed if r.verdict == Verdict.CONFIRMED.value), None)
    if spec.appeal and appellant and target is not None and appellant.agent_code:
        call_code = db.get_one(Call, db.get_one(Scorecard, target.finding.scorecard_id).call_id).agent_code
        if call_code == appellant.agent_code:
            appeal_finding(db, target.finding_id, appellant, spec.appeal.reason)
