"""Scores, decisions, the review queue and erasure, each in one audited transaction.

Every change and the audit entry that records it commit together, so the log never
claims something that did not happen and nothing happens unlogged.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, exists, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.errors import ConflictError, GoneError, InvalidRequestError, NotFoundError
from core.schemas import SENSITIVE_ATTRIBUTES
from core.scoring import CaseScore
from serving.api_keys import authenticate
from serving.api_schemas import CaseIn, DecisionIn, OutcomeIn
from serving.audit_log import Actor, NewEntry, append_entry, append_entry_rows
from serving.decision_events import decision_event, erasure_event, queue_event
from serving.note_cipher import NoteCipher
from serving.outcome_rules import check_outcome, days_to_crisis
from serving.tables import (
    Case,
    Decision,
    IdempotencyRecord,
    Outcome,
    ScoreNeed,
    ScoreRecord,
    SensitiveAttributes,
)

__all__ = [
    "ERASURE_REASONS",
    "CaseStore",
    "IdempotencyRaceError",
    "OutcomeRecording",
    "QueueFilter",
    "erase_locked_case",
    "lock_case",
    "utc",
]

#: Why a case was erased: a person's request (the right to erasure) or the retention policy.
ERASURE_REASONS = ("request", "retention")


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class IdempotencyRaceError(Exception):
    """Another request with the same Idempotency-Key committed first."""


@dataclass(frozen=True, kw_only=True)
class OutcomeRecording:
    """A case's stored outcome and what the request did: recorded, unchanged or amended."""

    outcome: Outcome
    status: str


@dataclass(frozen=True, kw_only=True)
class QueueFilter:
    tier: int | None = None
    region: str | None = None
    need: str | None = None


class CaseStore:
    """The service's storage, behind a small API the HTTP layer calls from a thread pool."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        cipher: NoteCipher,
        read_sessions: sessionmaker[Session] | None = None,
    ) -> None:
        """``sessions`` write; ``read_sessions`` (``sessions`` when not given) only read, and
        on SQLite they neither take nor wait for the writer's lock."""
        self.sessions = sessions
        self.read_sessions = read_sessions or sessions
        self.cipher = cipher

    def authenticate(self, presented: str | None) -> Actor | None:
        with self.read_sessions() as session:
            return authenticate(session, presented)

    def close(self) -> None:
        """Release the database connections (the engine is shared by both session makers)."""
        self.sessions.kw["bind"].dispose()

    def ping(self) -> None:
        with self.read_sessions() as session:
            session.execute(select(1))

    def find_idempotent(self, *, scope: str, key: str) -> IdempotencyRecord | None:
        with self.read_sessions() as session:
            return session.execute(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.scope == scope, IdempotencyRecord.idempotency_key == key
                )
            ).scalar_one_or_none()

    def get_scores(self, score_ids: list[str]) -> list[ScoreRecord]:
        with self.read_sessions() as session:
            found = {
                record.score_id: record
                for record in session.execute(
                    select(ScoreRecord).where(ScoreRecord.score_id.in_(score_ids))
                ).scalars()
            }
        return [found[score_id] for score_id in score_ids if score_id in found]

    def save_scores(
        self,
        *,
        actor: Actor,
        cases: list[CaseIn],
        results: list[CaseScore],
        idempotency: tuple[str, str, str] | None = None,
    ) -> list[ScoreRecord]:
        """Store the cases, their scores (``pending_review``) and one audit entry per score.

        ``idempotency`` is ``(scope, key, request_hash)``; a concurrent request that
        stored the same key first makes this raise :class:`IdempotencyRaceError`.

        The audit chain's lock is taken only for the final append, so transactions of
        several workers or replicas overlap everything else. What keeps them correct
        without it: cases and sensitive attributes are upserts (``INSERT ... ON CONFLICT
        DO UPDATE``), written in ``case_id`` order so two batches sharing cases queue on
        the row locks instead of deadlocking; a second transaction with the same
        Idempotency-Key waits on the unique constraint until the first commits, then
        fails and rolls back everything; and the case row stays locked until the commit,
        so an erasure or a later score of that case comes after this one in the chain too.
        """
        now = datetime.now(UTC)
        scored = list(zip(cases, results, strict=True))
        score_rows = [_score_row(case, result, now) for case, result in scored]
        try:
            with self.sessions.begin() as session:
                self._upsert_cases(session, cases, now)
                # Core executemany, not ORM objects: the unit of work cost more CPU per
                # score than the rest of the write path together
                session.execute(insert(ScoreRecord.__table__), score_rows)
                need_rows = [
                    {"score_id": row["score_id"], "need": need}
                    for row, (_, result) in zip(score_rows, scored, strict=True)
                    for need in result.active_needs()
                ]
                if need_rows:
                    session.execute(insert(ScoreNeed.__table__), need_rows)
                if idempotency is not None:
                    scope, key, request_hash = idempotency
                    session.execute(
                        insert(IdempotencyRecord.__table__).values(
                            scope=scope,
                            idempotency_key=key,
                            request_hash=request_hash,
                            score_ids=[row["score_id"] for row in score_rows],
                            created_at=now,
                        )
                    )
                append_entry_rows(
                    session,
                    [
                        NewEntry(
                            actor=actor,
                            action="score",
                            case_id=row["case_id"],
                            score_id=row["score_id"],
                            model_version=row["model_version"],
                            details={
                                "tier": row["tier"],
                                "probability": round(row["probability"], 6),
                            },
                        )
                        for row in score_rows
                    ],
                )
        except IntegrityError as error:
            if idempotency is not None and "idempotency" in str(error.orig).lower():
                raise IdempotencyRaceError from error
            raise
        return [ScoreRecord(**row) for row in score_rows]

    def _upsert_cases(self, session: Session, cases: list[CaseIn], now: datetime) -> None:
        """Insert or refresh each case (and its sensitive attributes, when given).

        A case sent twice in one call ends as its last version, and keeps the last
        attributes that were given, as one update after another would leave it.
        """
        latest: dict[str, CaseIn] = {}
        attributes: dict[str, dict[str, Any]] = {}
        for case in cases:
            latest[case.case_id] = case
            if case.audit_attributes is not None:
                attributes[case.case_id] = case.audit_attributes.model_dump()
        case_rows = [
            {
                "case_id": case_id,
                "region": case.region,
                "fields": case.model_dump(
                    exclude={"case_id", "note", "audit_attributes", "previous_worker_id"}
                ),
                "note_ciphertext": self.cipher.encrypt(case.note),
                "created_at": now,
                "erased_at": None,
            }
            for case_id, case in sorted(latest.items())
        ]
        _upsert(
            session,
            Case.__table__,
            case_rows,
            update=("region", "fields", "note_ciphertext", "erased_at"),
        )
        _upsert(
            session,
            SensitiveAttributes.__table__,
            [{"case_id": case_id, **attributes[case_id]} for case_id in sorted(attributes)],
            update=SENSITIVE_ATTRIBUTES,
        )

    def queue(self, *, where: QueueFilter, limit: int, offset: int) -> tuple[list[dict], bool]:
        """Pending scores, most urgent first: tier, then risk, then the longest wait."""
        query = (
            select(ScoreRecord, Case.region)
            .join(Case, Case.case_id == ScoreRecord.case_id)
            .where(ScoreRecord.status == "pending_review")
        )
        if where.tier is not None:
            query = query.where(ScoreRecord.tier == where.tier)
        if where.region is not None:
            query = query.where(Case.region == where.region)
        if where.need is not None:
            query = query.where(
                exists().where(
                    ScoreNeed.score_id == ScoreRecord.score_id, ScoreNeed.need == where.need
                )
            )
        query = query.order_by(
            ScoreRecord.tier.asc(),
            ScoreRecord.probability.desc(),
            ScoreRecord.created_at.asc(),
            ScoreRecord.score_id.asc(),
        )
        now = datetime.now(UTC)
        with self.read_sessions() as session:
            rows = session.execute(query.offset(offset).limit(limit + 1)).all()
            ids = [record.score_id for record, _ in rows[:limit]]
            needs: dict[str, list[str]] = {score_id: [] for score_id in ids}
            for score_id, need in session.execute(
                select(ScoreNeed.score_id, ScoreNeed.need)
                .where(ScoreNeed.score_id.in_(ids))
                .order_by(ScoreNeed.need)
            ):
                needs[score_id].append(need)
        items = []
        for record, region in rows[:limit]:
            result = record.score_result()
            items.append(
                {
                    "score_id": record.score_id,
                    "case_id": record.case_id,
                    "tier": record.tier,
                    "probability": record.probability,
                    "region": region,
                    "needs": needs[record.score_id],
                    "suggested_worker_id": result.suggested_worker_id if result else None,
                    "model_version": record.model_version,
                    "created_at": utc(record.created_at),
                    "waiting_seconds": (now - utc(record.created_at)).total_seconds(),
                }
            )
        return items, len(rows) > limit

    def decide(
        self,
        *,
        actor: Actor,
        score_id: str,
        decision: DecisionIn,
        known_worker_ids: frozenset[str] | None,
    ) -> Decision:
        """Record a supervisor's decision; a second one must be an explicit amendment."""
        if (
            decision.worker_id is not None
            and known_worker_ids is not None
            and decision.worker_id not in known_worker_ids
        ):
            raise InvalidRequestError(
                f"worker_id: no caseworker {decision.worker_id!r} on the roster",
                field="worker_id",
            )
        with self.sessions.begin() as session:
            record = session.execute(
                select(ScoreRecord).where(ScoreRecord.score_id == score_id).with_for_update()
            ).scalar_one_or_none()
            if record is None:
                raise NotFoundError(f"score_id: no score {score_id!r}", field="score_id")
            if record.status == "erased":
                raise ConflictError(
                    "score_id: the case was erased; nothing to decide", field="score_id"
                )
            latest = session.execute(
                select(Decision)
                .where(Decision.score_id == score_id)
                .order_by(Decision.decision_id.desc())
                .limit(1)
            ).scalar_one_or_none()
            if latest is not None and not decision.amend:
                raise ConflictError(
                    'amend: this score already has a decision; send "amend": true with a '
                    "reason to amend it",
                    field="amend",
                )
            if latest is None and decision.amend:
                raise ConflictError("amend: there is no decision to amend yet", field="amend")
            result = record.score_result()
            suggested_worker = result.suggested_worker_id if result else None
            if decision.action == "confirm":
                tier, worker_id = record.tier, suggested_worker
            else:
                tier = decision.tier if decision.tier is not None else record.tier
                worker_id = (
                    decision.worker_id if decision.worker_id is not None else suggested_worker
                )
            reason = decision.reason.strip() if decision.reason else None
            row = Decision(
                score_id=score_id,
                action=decision.action,
                tier=tier,
                worker_id=worker_id,
                reason=reason,
                amends_decision_id=latest.decision_id if latest is not None else None,
                decided_by_key_id=actor.key_id,
                decided_at=datetime.now(UTC),
            )
            session.add(row)
            session.flush()
            record.status = "confirmed" if decision.action == "confirm" else "overridden"
            queue_event(
                session,
                decision_event(record=record, row=row, suggested_worker_id=suggested_worker),
            )
            append_entry(
                session,
                actor=actor,
                action="decision_amended" if decision.amend else "decision",
                case_id=record.case_id,
                score_id=score_id,
                model_version=record.model_version,
                details={
                    "decision_id": row.decision_id,
                    "amends_decision_id": row.amends_decision_id,
                    "decision": decision.action,
                    "suggested_tier": record.tier,
                    "tier": tier,
                    "suggested_worker_id": suggested_worker,
                    "worker_id": worker_id,
                    "reason_sha256": hashlib.sha256(reason.encode()).hexdigest()
                    if reason
                    else None,
                },
            )
        return row

    def score_with_decisions(self, score_id: str) -> tuple[ScoreRecord, bool, list[Decision]]:
        with self.read_sessions() as session:
            record = session.get(ScoreRecord, score_id)
            if record is None:
                raise NotFoundError(f"score_id: no score {score_id!r}", field="score_id")
            case = session.get(Case, record.case_id)
            decisions = list(
                session.execute(
                    select(Decision)
                    .where(Decision.score_id == score_id)
                    .order_by(Decision.decision_id)
                ).scalars()
            )
        return record, bool(case and case.erased_at), decisions

    def decisions_for_audit(self) -> list[dict[str, Any]]:
        """Each decided score's suggested tier, its latest decision and the case's sensitive
        attributes: the table ``bias_audits.audit_decisions`` reads.

        The attributes are joined here, at export, and nowhere else: they stay in their own
        table for everything else. An amended decision counts as its latest amendment;
        erased cases (no attributes left) are left out.
        """
        latest = (
            select(func.max(Decision.decision_id).label("decision_id"))
            .group_by(Decision.score_id)
            .subquery()
        )
        query = (
            select(ScoreRecord, Decision, SensitiveAttributes)
            .join(Decision, Decision.score_id == ScoreRecord.score_id)
            .join(latest, latest.c.decision_id == Decision.decision_id)
            .outerjoin(SensitiveAttributes, SensitiveAttributes.case_id == ScoreRecord.case_id)
            .where(ScoreRecord.status.in_(("confirmed", "overridden")))
            .order_by(Decision.decision_id)
        )
        rows = []
        with self.read_sessions() as session:
            for record, decision, attributes in session.execute(query):
                overridden = decision.action == "override"
                if decision.tier < record.tier:
                    direction = "up"
                elif decision.tier > record.tier:
                    direction = "down"
                else:
                    direction = "none"
                rows.append(
                    {
                        "model_version": record.model_version,
                        "suggested_tier": record.tier,
                        "final_tier": decision.tier,
                        "overridden": overridden,
                        "override_direction": direction,
                        "decided_at": utc(decision.decided_at),
                        **{name: getattr(attributes, name, None) for name in SENSITIVE_ATTRIBUTES},
                    }
                )
        return rows

    def note_of(self, case_id: str) -> str | None:
        with self.read_sessions() as session:
            case = session.get(Case, case_id)
            if case is None or case.note_ciphertext is None:
                return None
            return self.cipher.decrypt(case.note_ciphertext)

    def record_outcome(self, *, actor: Actor, case_id: str, outcome: OutcomeIn) -> OutcomeRecording:
        """Record what followed a case; the same outcome again changes nothing.

        A different outcome for a case that has one is refused unless ``outcome.amend``;
        an amendment replaces the row and its audit entry keeps what it replaced.

        Raises
        ------
        core.errors.NotFoundError
            No such case.
        core.errors.GoneError
            The case was erased.
        core.errors.ConflictError
            A different outcome is stored and this is no amendment, or an amendment of
            nothing.
        core.errors.InvalidRequestError
            The outcome does not fit the case (see :func:`serving.outcome_rules.check_outcome`).
        """
        now = datetime.now(UTC)
        with self.sessions.begin() as session:
            # the case row lock orders this after a concurrent recording or erasure
            case = lock_case(session, case_id)
            if case.erased_at is not None:
                raise GoneError(
                    f"case_id: case {case_id!r} was erased; its outcome is no longer kept",
                    field="case_id",
                )
            stored = session.get(Outcome, case_id)
            if stored is not None and outcome.same_as(
                stored.crisis, stored.crisis_on, stored.window_days
            ):
                return OutcomeRecording(outcome=stored, status="unchanged")
            if stored is not None and not outcome.amend:
                raise ConflictError(
                    "amend: this case already has a different outcome; send "
                    '"amend": true to replace it',
                    field="amend",
                )
            if stored is None and outcome.amend:
                raise ConflictError("amend: there is no outcome to amend yet", field="amend")
            created_at = utc(case.created_at)
            check_outcome(
                crisis=outcome.crisis,
                crisis_on=outcome.crisis_on,
                window_days=outcome.window_days,
                case_created_at=created_at,
                now=now,
            )
            details: dict[str, Any] = {
                "crisis": outcome.crisis,
                "window_days": outcome.window_days,
                # days since the case, not the date: the chain outlives an erasure
                "days_to_crisis": days_to_crisis(outcome.crisis_on, created_at),
            }
            if stored is None:
                stored = Outcome(case_id=case_id)
                session.add(stored)
            else:
                details |= {
                    "replaces_crisis": stored.crisis,
                    "replaces_window_days": stored.window_days,
                    "replaces_days_to_crisis": days_to_crisis(stored.crisis_on, created_at),
                }
            status = "amended" if outcome.amend else "recorded"
            stored.crisis = outcome.crisis
            stored.crisis_on = outcome.crisis_on
            stored.window_days = outcome.window_days
            stored.recorded_by_key_id = actor.key_id
            stored.recorded_at = now
            session.flush()
            append_entry(
                session,
                actor=actor,
                action="outcome_amended" if outcome.amend else "outcome",
                case_id=case_id,
                details=details,
            )
        return OutcomeRecording(outcome=stored, status=status)

    def erase_case(self, *, actor: Actor, case_id: str, reason: str = "request") -> tuple[int, int]:
        """Erase a case (see :func:`erase_locked_case`); returns (scores, decisions) scrubbed.

        Raises
        ------
        core.errors.NotFoundError
            No such case.
        """
        with self.sessions.begin() as session:
            case = lock_case(session, case_id)
            return erase_locked_case(session, actor=actor, case=case, reason=reason)

    def record_event(self, *, actor: Actor, action: str, **fields: Any) -> None:
        """An audit entry for an event with no other row, e.g. a model version starting to serve."""
        with self.sessions.begin() as session:
            append_entry(session, actor=actor, action=action, **fields)


def lock_case(session: Session, case_id: str) -> Case:
    """The case row, locked until the transaction ends; :class:`NotFoundError` if none."""
    case = session.execute(
        select(Case).where(Case.case_id == case_id).with_for_update()
    ).scalar_one_or_none()
    if case is None:
        raise NotFoundError(f"case_id: no case {case_id!r}", field="case_id")
    return case


def erase_locked_case(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    reason: str,
    details: dict[str, Any] | None = None,
) -> tuple[int, int]:
    """Remove the note, fields, sensitive attributes, score details, decision reasons and
    the day of the outcome's crisis, in ``session``'s transaction; the one erasure that
    both a person's request and the retention policy go through.

    What stays is de-identified: ids, tiers, probabilities, model versions, who decided
    what and when, whether a crisis followed, and the audit chain. The audit entry says
    why (``reason``, one of :data:`ERASURE_REASONS`) and carries ``details`` besides; an
    ``erasure`` event for the webhooks (:mod:`serving.decision_events`) commits with it.
    ``case`` must be locked (:func:`lock_case`). Returns (scores, decisions) scrubbed.
    """
    if reason not in ERASURE_REASONS:
        raise ValueError(f"reason: expected one of {ERASURE_REASONS}, got {reason!r}")
    score_ids = list(
        session.execute(
            select(ScoreRecord.score_id).where(ScoreRecord.case_id == case.case_id)
        ).scalars()
    )
    case.note_ciphertext = None
    case.fields = None
    case.region = None
    case.erased_at = datetime.now(UTC)
    session.execute(delete(SensitiveAttributes).where(SensitiveAttributes.case_id == case.case_id))
    session.execute(delete(ScoreNeed).where(ScoreNeed.score_id.in_(score_ids)))
    for record in session.execute(
        select(ScoreRecord).where(ScoreRecord.case_id == case.case_id)
    ).scalars():
        record.result = None
        record.status = "erased"
    decisions = list(
        session.execute(select(Decision).where(Decision.score_id.in_(score_ids))).scalars()
    )
    for row in decisions:
        row.reason = None
    outcome = session.get(Outcome, case.case_id)
    if outcome is not None:
        outcome.crisis_on = None
    queue_event(
        session,
        erasure_event(
            case_id=case.case_id,
            reason=reason,
            erased_at=case.erased_at,
            scores=len(score_ids),
            decisions=len(decisions),
        ),
    )
    append_entry(
        session,
        actor=actor,
        action="erasure",
        case_id=case.case_id,
        details={
            "reason": reason,
            "scores": len(score_ids),
            "decisions": len(decisions),
            **(details or {}),
        },
    )
    return len(score_ids), len(decisions)


def _score_row(case: CaseIn, result: CaseScore, now: datetime) -> dict[str, Any]:
    """The ``scores`` row of one scored case, still ``pending_review``."""
    return {
        "score_id": uuid.uuid4().hex,
        "case_id": case.case_id,
        "model_version": result.model_version,
        "tier": result.tier.tier,
        "probability": result.risk.probability,
        "status": "pending_review",
        "result": result.result().model_dump(mode="json"),
        "created_at": now,
    }


def _upsert(
    session: Session, table: Table, rows: list[dict[str, Any]], *, update: tuple[str, ...]
) -> None:
    """``INSERT ... ON CONFLICT (primary key) DO UPDATE`` of ``update``, rows in the given order.

    Concurrent upserts of the same key wait for each other instead of one failing on the
    primary key, which the ORM's look-then-insert would do without a table-wide lock.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect](table)
    key = [column.name for column in table.primary_key.columns]
    # executemany of one cached statement, which the engine sends as multi-row INSERTs
    # ("insertmanyvalues") instead of compiling a statement of len(rows) VALUES each call;
    # SQLAlchemy batches an upsert like that only when it has a RETURNING clause
    session.execute(
        statement.on_conflict_do_update(
            index_elements=key, set_={name: statement.excluded[name] for name in update}
        ).returning(*table.primary_key.columns),
        rows,
    )
