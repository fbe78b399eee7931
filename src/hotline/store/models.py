"""SQLAlchemy 2 models: accounts, imported calls, scorecards and findings, reviews and appeals,
rulebook versions, server-side sessions and the audit log.

Part 2 adds lesson progress, quiz and exam attempts, drills (state, 工单 and debrief as JSON;
drill transcripts are not mixed into the real calls), rulebook overrides saved in the browser and edited content."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Role(StrEnum):
    TRAINEE = "trainee"
    INSPECTOR = "inspector"
    TRAINER = "trainer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {Role.TRAINEE: "学员", Role.INSPECTOR: "质检员", Role.TRAINER: "培训师", Role.ADMIN: "管理员"}


class Verdict(StrEnum):
    CONFIRMED = "confirmed"
    OVERTURNED = "overturned"


class AppealStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    agent_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The user's lead (组长): decides appeals against this user's reviews.
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # 等保: an initial or reset password must be changed at the next login
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    lead: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[lead_id])

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class WebSession(Base):
    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)  # for the idle timeout
    ip: Mapped[str] = mapped_column(String(45), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="", server_default="")


class PasswordHistory(Base):
    """Hashes of a user's earlier passwords: a new password may not repeat the last few."""

    __tablename__ = "password_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RulebookVersion(Base):
    __tablename__ = "rulebook_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(100), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ImportBatch(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    filenames: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    files_total: Mapped[int] = mapped_column(Integer, default=0)
    files_done: Mapped[int] = mapped_column(Integer, default=0)
    calls_ok: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class Call(Base):
    __tablename__ = "calls"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    source: Mapped[str] = mapped_column(String(20), default="import", index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)
    agent_code: Mapped[str] = mapped_column(String(32), default="", index=True)
    call_date: Mapped[date | None] = mapped_column(Date, index=True)
    turns: Mapped[list[Any]] = mapped_column(default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the caller's number, digits only (personal data: searched, never shown unmasked)
    caller_phone: Mapped[str] = mapped_column(String(32), default="", server_default="", index=True)
    # file name of the uploaded recording under the data directory's recordings/ folder
    recording: Mapped[str | None] = mapped_column(String(200))
    scorecards: Mapped[list[Scorecard]] = relationship(back_populates="call", order_by="Scorecard.id")

    @property
    def scorecard(self) -> Scorecard | None:
        return self.scorecards[-1] if self.scorecards else None


class Scorecard(Base):
    """``total``, ``vetoed`` and ``dimensions`` are the score in force (after 复核 and 申诉, so every
    list, chart and export reads them); ``engine_*`` keep what the engine gave."""

    __tablename__ = "scorecards"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    rulebook_version_id: Mapped[int] = mapped_column(ForeignKey("rulebook_versions.id"), index=True)
    total: Mapped[float] = mapped_column(Float, index=True)
    vetoed: Mapped[bool] = mapped_column(Boolean, default=False)
    dimensions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    engine_total: Mapped[float | None] = mapped_column(Float)
    engine_vetoed: Mapped[bool | None] = mapped_column(Boolean)
    engine_dimensions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    max_dimensions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outcomes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # issue 12: what the citizen felt (``CitizenBlock.to_dict()`` whole in ``citizen``, the figures
    # pages filter and sort by in their own columns) and the review triage under the center's settings
    review_level: Mapped[str | None] = mapped_column(String(20), index=True)  # mandatory | sample | auto_pass
    review_reasons: Mapped[list[Any] | None] = mapped_column(JSON)
    citizen: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dissatisfaction: Mapped[float | None] = mapped_column(Float, index=True)
    escalation_risk: Mapped[float | None] = mapped_column(Float, index=True)
    emotion_start: Mapped[float | None] = mapped_column(Float)
    emotion_peak: Mapped[float | None] = mapped_column(Float)
    emotion_end: Mapped[float | None] = mapped_column(Float)
    calmed: Mapped[bool | None] = mapped_column(Boolean)
    escalated: Mapped[bool | None] = mapped_column(Boolean)
    call: Mapped[Call] = relationship(back_populates="scorecards")
    rulebook_version: Mapped[RulebookVersion] = relationship()
    findings: Mapped[list[FindingRow]] = relationship(back_populates="scorecard", order_by="FindingRow.id")
    changes: Mapped[list[ScoreChange]] = relationship(order_by="ScoreChange.id")

    @property
    def original_total(self) -> float:
        return self.total if self.engine_total is None else self.engine_total

    @property
    def original_vetoed(self) -> bool:
        return self.vetoed if self.engine_vetoed is None else self.engine_vetoed

    @property
    def rescored(self) -> bool:
        """Whether review changed the score the engine gave."""
        return self.engine_total is not None and (self.total != self.engine_total or self.vetoed != self.engine_vetoed)

    def deductions(self) -> dict[int, float]:
        """Finding id → what that finding took off the engine's score (rule caps and dimension floors
        applied; a finding overturned in review keeps its engine deduction, the review says the rest)."""
        from hotline.model import real_deductions

        taken = real_deductions([(f.rule_id, f.dimension, f.points) for f in self.findings],
                                [(o["rule_id"], o["status"], o["points"]) for o in self.outcomes or []],
                                dict(self.engine_dimensions or self.dimensions), dict(self.max_dimensions))
        return {f.id: t for f, t in zip(self.findings, taken, strict=True)}


class ScoreChange(Base):
    """One change of a call's score in force: who, when, why (a review or an appeal decision)."""

    __tablename__ = "score_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cause: Mapped[str] = mapped_column(String(20))  # review | appeal
    verdict: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    total_before: Mapped[float] = mapped_column(Float)
    total_after: Mapped[float] = mapped_column(Float)
    vetoed_before: Mapped[bool] = mapped_column(Boolean, default=False)
    vetoed_after: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[User | None] = relationship()


class FindingRow(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(100), index=True)
    dimension: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(20))
    turn_index: Mapped[int | None] = mapped_column(Integer)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[float] = mapped_column(Float, default=0.0)
    veto: Mapped[bool] = mapped_column(Boolean, default=False)
    # the learned layer's probability and the threshold it had to reach (review triage reads them)
    confidence: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    scorecard: Mapped[Scorecard] = relationship(back_populates="findings")
    review: Mapped[Review | None] = relationship(back_populates="finding")
    appeal: Mapped[Appeal | None] = relationship(back_populates="finding")


class Review(Base):
    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), unique=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finding: Mapped[FindingRow] = relationship(back_populates="review")
    reviewer: Mapped[User] = relationship()


class Appeal(Base):
    __tablename__ = "appeals"
    __table_args__ = (UniqueConstraint("finding_id", name="uq_appeal_once_per_finding"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    appellant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=AppealStatus.PENDING.value, index=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    seen_at: Mapped[datetime | None] = mapped_column(DateTime)  # the appellant has read the decision
    finding: Mapped[FindingRow] = relationship(back_populates="appeal")
    appellant: Mapped[User] = relationship(foreign_keys=[appellant_id])


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    ip: Mapped[str] = mapped_column(String(45), default="", server_default="", index=True)
    target_type: Mapped[str] = mapped_column(String(30), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- Part 2: learning, drills, rulebook versions and content edited in the browser -------------


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", name="uq_progress_user_lesson"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(String(64))
    read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    best_quiz: Mapped[float | None] = mapped_column(Float)
    quizzes: Mapped[int] = mapped_column(Integer, default=0)


class Attempt(Base):
    """A topic quiz or an exam: the paper (by seed), the answers and the graded result."""

    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)  # quiz | exam
    ref: Mapped[str] = mapped_column(String(64))  # lesson id or exam id
    seed: Mapped[int] = mapped_column(Integer)
    question_ids: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DrillAssignment(Base):
    """A trainer's exam-mode drill: one scenario and one seed for a whole team."""

    __tablename__ = "drill_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    scenario_id: Mapped[str] = mapped_column(String(100))
    seed: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # one attempt per trainee (a trainer grants more, DrillRetry); answers stay hidden until it closes
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class DrillRetry(Base):
    """One more attempt at an exam-mode drill, granted to one trainee by a trainer."""

    __tablename__ = "drill_retries"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("drill_assignments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    granted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Drill(Base):
    """One drill run; ``state`` is ``DrillSession.to_dict()`` so a reload continues where it was."""

    __tablename__ = "drills"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(100), index=True)
    seed: Mapped[int] = mapped_column(Integer)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("drill_assignments.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)  # active | ended | done
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    order: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    debrief: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    total: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class RulebookOverride(Base):
    """A city override saved from the browser; the newest one is the rulebook in use."""

    __tablename__ = "rulebook_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    rulebook_version_id: Mapped[int] = mapped_column(ForeignKey("rulebook_versions.id"), unique=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rulebook_version: Mapped[RulebookVersion] = relationship()


class ContentOverride(Base):
    """A scenario or question written in the browser: replaces (or adds to) the package data."""

    __tablename__ = "content_overrides"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_content_kind_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # scenario | question
    key: Mapped[str] = mapped_column(String(100))
    yaml_text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CallOrder(Base):
    """A 工单 written for an imported call in the browser, with the 工单 findings of the engine."""

    __tablename__ = "call_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    order: Mapped[dict[str, Any]] = mapped_column(default=dict)
    findings: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --- issue 12: triage settings, findings inspectors added, calibration sessions -----------------


class AppSetting(Base):
    """A setting the administrator changes in the browser (``review``: the triage thresholds)."""

    __tablename__ = "app_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50), unique=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AddedFinding(Base):
    """A rule an inspector says the engine missed on a call (漏判): the recall side of agreement."""

    __tablename__ = "added_findings"
    __table_args__ = (UniqueConstraint("scorecard_id", "rule_id", name="uq_added_card_rule"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(100), index=True)
    turn_index: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[User] = relationship()


class CalibrationSession(Base):
    """校准: several inspectors judge the same calls blind, then see each other's differences."""

    __tablename__ = "calibration_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    calls: Mapped[list[CalibrationCall]] = relationship(order_by="CalibrationCall.id", cascade="all, delete-orphan")
    members: Mapped[list[CalibrationMember]] = relationship(order_by="CalibrationMember.id", cascade="all, delete-orphan")
    creator: Mapped[User] = relationship()


class CalibrationCall(Base):
    __tablename__ = "calibration_calls"
    __table_args__ = (UniqueConstraint("session_id", "call_id", name="uq_calibration_call"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    call: Mapped[Call] = relationship()


class CalibrationMember(Base):
    __tablename__ = "calibration_members"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_calibration_member"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    user: Mapped[User] = relationship()


class CalibrationMark(Base):
    """One inspector's decision in a session: does ``rule_id`` apply to the call (fired) or not."""

    __tablename__ = "calibration_marks"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "call_id", "rule_id", name="uq_calibration_mark"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    fired: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
