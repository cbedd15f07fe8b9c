"""Enforce the retention policy: erase closed cases once their keeping period has passed.

Each case goes through :func:`serving.case_store.erase_locked_case`, the erasure a person's
request goes through, in its own transaction, after checking again under the case's lock
that it is still due (a case scored again meanwhile is open again). Erased cases are never
due, so running it twice erases nothing the second time.

Afterwards the bytes the erasures freed are cleared from the database files as far as the
database allows: SQLite (with ``secure_delete``, see :mod:`serving.database`) is
checkpointed and its write-ahead log truncated; PostgreSQL tables are vacuumed, which
removes the old row versions from the tables (their bytes may survive in PostgreSQL's own
write-ahead log and in backups until those expire).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from serving.audit_log import Actor, append_entry
from serving.case_store import CaseStore, erase_locked_case, lock_case, utc
from serving.event_pruning import count_prunable_events, prune_settled_events
from serving.retention_policy import RetentionPolicy
from serving.tables import Case, Decision, Outcome, ScoreRecord

__all__ = ["RetentionReport", "apply_retention", "purge_erased_residue"]

# The tables an erasure rewrites, vacuumed on PostgreSQL afterwards.
_ERASED_TABLES = ("cases", "sensitive_attributes", "scores", "score_needs", "decisions", "outcomes")


@dataclass(kw_only=True)
class RetentionReport:
    """What a run found and did; ``due`` lists the case ids erased (or due, in a dry run)."""

    dry_run: bool
    as_of: datetime
    policy_version: int
    policy_sha256: str
    due: list[str] = field(default_factory=list)
    erased: int = 0
    scores_scrubbed: int = 0
    decisions_scrubbed: int = 0
    closed_kept: int = 0
    open: int = 0
    events_pruned: int = 0
    purge: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"as_of": self.as_of.isoformat(timespec="seconds")}


def _state_query(case_id: str | None = None):
    """Every case not erased: its last decision time, its outcome's time, whether a score
    of it waits for review."""
    decisions = (
        select(ScoreRecord.case_id, func.max(Decision.decided_at).label("decided_at"))
        .join(Decision, Decision.score_id == ScoreRecord.score_id)
        .group_by(ScoreRecord.case_id)
    )
    if case_id is not None:
        # one case's decisions, not an aggregate of every case's for each case rechecked
        decisions = decisions.where(ScoreRecord.case_id == case_id)
    last_decided = decisions.subquery()
    pending = (
        exists()
        .where(ScoreRecord.case_id == Case.case_id, ScoreRecord.status == "pending_review")
        .correlate(Case)
        .label("pending")
    )
    query = (
        select(Case.case_id, last_decided.c.decided_at, Outcome.recorded_at, pending)
        .outerjoin(last_decided, last_decided.c.case_id == Case.case_id)
        .outerjoin(Outcome, Outcome.case_id == Case.case_id)
        .where(Case.erased_at.is_(None))
        .order_by(Case.case_id)
    )
    if case_id is not None:
        query = query.where(Case.case_id == case_id)
    return query


def _closes_at(
    policy: RetentionPolicy, decided_at: datetime | None, outcome_at: datetime | None, pending
) -> datetime | None:
    """When the case closed (or will, with no outcome); None while it is open."""
    if decided_at is None or pending:
        return None
    decided_at = utc(decided_at)
    if outcome_at is not None:
        return max(decided_at, utc(outcome_at))
    return decided_at + timedelta(days=policy.close_without_outcome_after_days)


def _classify(
    session: Session, policy: RetentionPolicy, now: datetime, *, case_id: str | None = None
) -> tuple[list[str], int, int]:
    """``(due case ids, closed but kept, open)`` as of ``now``."""
    keep = timedelta(days=policy.keep_after_closed_days)
    due, kept, still_open = [], 0, 0
    for found_id, decided_at, outcome_at, pending in session.execute(_state_query(case_id)):
        closes_at = _closes_at(policy, decided_at, outcome_at, pending)
        if closes_at is None or closes_at > now:
            still_open += 1
        elif closes_at + keep <= now:
            due.append(found_id)
        else:
            kept += 1
    return due, kept, still_open


def apply_retention(
    store: CaseStore,
    policy: RetentionPolicy,
    *,
    actor: Actor,
    dry_run: bool = False,
    now: datetime | None = None,
) -> RetentionReport:
    """Erase every case the policy says is due, or with ``dry_run`` only list them.

    A real run ends with one ``retention_run`` audit entry (counts and the policy's
    version and hash) and :func:`purge_erased_residue`.

    Parameters
    ----------
    store : CaseStore
        The service's store.
    policy : RetentionPolicy
        When cases close and how long they are kept after.
    actor : Actor
        Who runs it (the operator's CLI), for the audit entries.
    dry_run : bool
        Only list the cases due; write nothing.
    now : datetime, optional
        The moment to judge by (default: now).

    Returns
    -------
    RetentionReport
    """
    now = now or datetime.now(UTC)
    report = RetentionReport(
        dry_run=dry_run, as_of=now, policy_version=policy.version, policy_sha256=policy.sha256
    )
    with store.read_sessions() as session:
        due, report.closed_kept, report.open = _classify(session, policy, now)
    events_before = now - timedelta(days=policy.keep_settled_events_days)
    if dry_run:
        report.due = due
        with store.read_sessions() as session:
            report.events_pruned = count_prunable_events(session, before=events_before)
        return report
    because = {"policy_version": policy.version, "policy_sha256": policy.sha256}
    for case_id in due:
        with store.sessions.begin() as session:
            case = lock_case(session, case_id)
            if _classify(session, policy, now, case_id=case_id)[0] != [case_id]:
                continue  # scored again, decided or erased since it was listed
            scores, decisions = erase_locked_case(
                session, actor=actor, case=case, reason="retention", details=because
            )
        report.due.append(case_id)
        report.erased += 1
        report.scores_scrubbed += scores
        report.decisions_scrubbed += decisions
    with store.sessions.begin() as session:
        report.events_pruned = prune_settled_events(session, before=events_before)
        append_entry(
            session,
            actor=actor,
            action="retention_run",
            details=because
            | {
                "as_of": report.as_of.isoformat(timespec="seconds"),
                "erased": report.erased,
                "scores_scrubbed": report.scores_scrubbed,
                "decisions_scrubbed": report.decisions_scrubbed,
                "events_pruned": report.events_pruned,
                "closed_kept": report.closed_kept,
                "open": report.open,
            },
        )
    report.purge = purge_erased_residue(store)
    return report


def purge_erased_residue(store: CaseStore) -> dict[str, Any]:
    """Clear what erased rows left in the database files; says what it could do.

    SQLite: a ``TRUNCATE`` checkpoint copies the log into the file (whose freed cells
    ``secure_delete`` zeroed) and empties the log; ``complete`` is false when a reader
    kept it from finishing. PostgreSQL: ``VACUUM`` of the erased tables.
    """
    engine = store.sessions.kw["bind"]
    if engine.dialect.name == "sqlite":
        # the raw connection: the engine's "begin" hook would open a write transaction,
        # inside which SQLite cannot checkpoint
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            busy, _log_frames, _checkpointed = cursor.execute(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).fetchone()
            cursor.close()
        finally:
            connection.close()
        return {
            "database": "sqlite",
            "action": "wal_checkpoint(TRUNCATE)",
            "complete": busy == 0,
        }
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # VACUUM of a large table outlasts the short statement timeout requests have
        connection.exec_driver_sql("SET statement_timeout = 0")
        try:
            for table in _ERASED_TABLES:
                connection.exec_driver_sql(f"VACUUM {table}")
        finally:
            connection.exec_driver_sql("RESET statement_timeout")
    return {"database": engine.dialect.name, "action": "VACUUM", "complete": True}
