"""SQLAlchemy tables of the service: keys, cases, scores, decisions, audit log, events.

Sensitive attributes live in their own table, keyed by case, so that nothing that reads
cases or scores for the model can pick them up by accident. Note text is stored only as
ciphertext (see :mod:`serving.note_cipher`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.scoring import ScoreResult

__all__ = [
    "GENESIS_HASH",
    "ApiKey",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Case",
    "Decision",
    "EventDelivery",
    "IdempotencyRecord",
    "Outbox",
    "Outcome",
    "ScoreNeed",
    "ScoreRecord",
    "SensitiveAttributes",
    "Webhook",
]

GENESIS_HASH = "0" * 64


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class Case(Base):
    __tablename__ = "cases"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region: Mapped[str | None] = mapped_column(String(32), index=True)
    note_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    fields: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class SensitiveAttributes(Base):
    """Race/ethnicity, sex, age band, disability: for fairness audits only, never the model."""

    __tablename__ = "sensitive_attributes"

    case_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("cases.case_id", ondelete="CASCADE"), primary_key=True
    )
    race_ethnicity: Mapped[str | None] = mapped_column(String(64))
    sex: Mapped[str | None] = mapped_column(String(64))
    age_band: Mapped[str | None] = mapped_column(String(64))
    disability: Mapped[str | None] = mapped_column(String(64))


class ScoreRecord(Base):
    __tablename__ = "scores"

    score_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), ForeignKey("cases.case_id"), index=True)
    model_version: Mapped[str] = mapped_column(String(64))
    tier: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(24), index=True)
    result: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    def score_result(self) -> ScoreResult | None:
        """The stored result, typed; None once the case is erased."""
        return None if self.result is None else ScoreResult.model_validate(self.result)


class ScoreNeed(Base):
    """The active needs of a score, one row each, so the queue can filter on them."""

    __tablename__ = "score_needs"

    score_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("scores.score_id", ondelete="CASCADE"), primary_key=True
    )
    need: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Decision(Base):
    __tablename__ = "decisions"

    decision_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    score_id: Mapped[str] = mapped_column(String(32), ForeignKey("scores.score_id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    tier: Mapped[int] = mapped_column(Integer)
    worker_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    amends_decision_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("decisions.decision_id"), unique=True
    )
    decided_by_key_id: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Outcome(Base):
    """What followed a case: whether a crisis came within the window, told by the case system.

    One row per case; recording the same outcome again changes nothing (idempotent).
    Outcomes are what live calibration and fairness are measured against, and what the
    next release may be trained on.
    """

    __tablename__ = "outcomes"

    case_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("cases.case_id", ondelete="CASCADE"), primary_key=True
    )
    crisis: Mapped[bool] = mapped_column(Boolean)
    crisis_on: Mapped[date | None] = mapped_column(Date, default=None)
    window_days: Mapped[int] = mapped_column(Integer)
    recorded_by_key_id: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class IdempotencyRecord(Base):
    """A caller's ``Idempotency-Key``: the unique constraint is what makes retries safe."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("scope", "idempotency_key", name="uq_idempotency_scope_key"),
    )

    record_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    score_ids: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One link of the hash chain; ``payload`` is the canonical JSON that was hashed."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[str] = mapped_column(String(40))
    actor_key_id: Mapped[str] = mapped_column(String(32))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40), index=True)
    case_id: Mapped[str | None] = mapped_column(String(64), index=True)
    score_id: Mapped[str | None] = mapped_column(String(32))
    model_version: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text)


class AuditHead(Base):
    """The single row every writer locks before appending: it serialises the chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))


class Webhook(Base):
    """A case system's endpoint for decision events; its signing secret is encrypted with
    the note key (:mod:`serving.note_cipher`): the worker needs it back to sign, so a hash
    would not do, and a stolen database alone does not reveal it."""

    __tablename__ = "webhooks"

    webhook_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_key_id: Mapped[str] = mapped_column(String(32), ForeignKey("api_keys.key_id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class Outbox(Base):
    """One decision, amendment or erasure to tell subscribers, written in the transaction of
    the change itself (:mod:`serving.decision_events`); ids, tiers and times, no text."""

    __tablename__ = "event_outbox"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(24))
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    score_id: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class EventDelivery(Base):
    """One event to one webhook: its own attempts and schedule, so one receiver that is
    down delays nobody else. ``next_attempt_at`` is None once delivered."""

    __tablename__ = "event_deliveries"

    event_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("event_outbox.event_id", ondelete="CASCADE"), primary_key=True
    )
    webhook_id: Mapped[str] = mapped_column(
        String(32),
        ForeignKey("webhooks.webhook_id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_status: Mapped[str | None] = mapped_column(String(40), default=None)
