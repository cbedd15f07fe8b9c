"""The decided cases with outcomes, de-identified, as rows of the caseload ``train`` reads.

Each row is a case's structured fields, its needs as the scorer extracted them (names and
statuses only: the evidence, offsets and wording are note text), its sensitive attributes
in their own columns (which the risk model never reads, as in ``casetriage synth`` files),
the label ``crisis_90d`` computed from the outcome, and the supervisors' last decided
tier in ``supervisor_final_tier``, which describes a human decision and is never a label.

Everything is read in one snapshot, together with the audit chain's head, so an export can
be tied to the exact state of the database it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.schemas import CASE_CATEGORICAL_FIELDS, CASE_NUMERIC_FIELDS, SENSITIVE_ATTRIBUTES
from serving.audit_log import Actor, append_entry
from serving.case_store import CaseStore, utc
from serving.database import read_one_snapshot
from serving.outcome_rules import crisis_within
from serving.tables import (
    AuditEntry,
    AuditHead,
    Case,
    Decision,
    Outcome,
    ScoreRecord,
    SensitiveAttributes,
)

__all__ = [
    "EXPORT_COLUMNS",
    "LABEL",
    "LABEL_WINDOW_DAYS",
    "NEED_KEYS",
    "SUPERVISOR_TIER",
    "TrainingCases",
    "read_training_cases",
    "record_training_export",
]

LABEL = "crisis_90d"
LABEL_WINDOW_DAYS = 90
SUPERVISOR_TIER = "supervisor_final_tier"
#: What of an extracted need is kept: what it is and how it was found, no text or offsets.
NEED_KEYS = ("need", "status", "experiencer", "code", "safety", "confidence", "source")
EXPORT_COLUMNS: tuple[str, ...] = (
    "case_id",
    "referral_date",
    *CASE_NUMERIC_FIELDS,
    *CASE_CATEGORICAL_FIELDS,
    "preferred_language",
    *SENSITIVE_ATTRIBUTES,
    "needs",
    LABEL,
    SUPERVISOR_TIER,
    "model_version",
)


@dataclass(frozen=True, kw_only=True)
class TrainingCases:
    """Rows to train on, what was left out and why, and the state they were read from."""

    rows: list[dict[str, Any]]
    excluded: dict[str, int]
    table_rows: dict[str, int]
    audit_head: dict[str, Any]
    database: str
    includes_note_text: bool = False
    columns: tuple[str, ...] = field(default=EXPORT_COLUMNS)


def _deidentified_needs(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [{key: need.get(key) for key in NEED_KEYS} for need in (result or {}).get("needs", [])]


def read_training_cases(
    store: CaseStore, *, since: date | None = None, include_notes: bool = False
) -> TrainingCases:
    """The decided, not erased cases with an outcome, created on or after ``since``.

    A case counts as decided by its latest decision on a score that was not erased. Its
    label is whether a crisis came within 90 days of the case; an outcome that cannot
    tell (no crisis in a shorter window, or a crisis whose day was erased) is left out
    and counted as ``outcome_cannot_tell_90_days``.

    Parameters
    ----------
    store : CaseStore
        The service's store.
    since : date, optional
        Only cases first scored on or after this (UTC) day.
    include_notes : bool
        Add the decrypted ``note`` column.

    Returns
    -------
    TrainingCases
    """
    latest = (
        select(ScoreRecord.case_id, func.max(Decision.decision_id).label("decision_id"))
        .join(Decision, Decision.score_id == ScoreRecord.score_id)
        .where(ScoreRecord.status.in_(("confirmed", "overridden")))
        .group_by(ScoreRecord.case_id)
        .subquery()
    )
    query = (
        select(Case, Outcome, Decision, ScoreRecord, SensitiveAttributes)
        .join(Outcome, Outcome.case_id == Case.case_id)
        .join(latest, latest.c.case_id == Case.case_id)
        .join(Decision, Decision.decision_id == latest.c.decision_id)
        .join(ScoreRecord, ScoreRecord.score_id == Decision.score_id)
        .outerjoin(SensitiveAttributes, SensitiveAttributes.case_id == Case.case_id)
        .where(Case.erased_at.is_(None))
        .order_by(Case.case_id)
    )
    if since is not None:
        query = query.where(Case.created_at >= datetime.combine(since, time(), UTC))
    rows: list[dict[str, Any]] = []
    unlabelled = 0
    with store.read_sessions() as session:
        read_one_snapshot(session)
        for case, outcome, decision, record, attributes in session.execute(query):
            created_at = utc(case.created_at)
            label = crisis_within(
                LABEL_WINDOW_DAYS,
                crisis=outcome.crisis,
                crisis_on=outcome.crisis_on,
                window_days=outcome.window_days,
                case_created_at=created_at,
            )
            if label is None or not case.fields:
                unlabelled += 1
                continue
            row = {
                "case_id": case.case_id,
                "referral_date": created_at.date().isoformat(),
                **{name: case.fields.get(name) for name in CASE_NUMERIC_FIELDS},
                **{name: case.fields.get(name) for name in CASE_CATEGORICAL_FIELDS},
                "preferred_language": case.fields.get("preferred_language"),
                **{name: getattr(attributes, name, None) for name in SENSITIVE_ATTRIBUTES},
                "needs": _deidentified_needs(record.result),
                LABEL: int(label),
                SUPERVISOR_TIER: decision.tier,
                "model_version": record.model_version,
            }
            if include_notes:
                row["note"] = (
                    store.cipher.decrypt(case.note_ciphertext) if case.note_ciphertext else ""
                )
            rows.append(row)
        excluded = _excluded(session, since=since) | {"outcome_cannot_tell_90_days": unlabelled}
        table_rows = {
            table.__tablename__: session.scalar(select(func.count()).select_from(table))
            for table in (Case, ScoreRecord, Decision, Outcome, AuditEntry)
        }
        head = session.get(AuditHead, 1)
        audit_head = {"seq": head.seq, "entry_hash": head.entry_hash}
        database = session.get_bind().dialect.name
    columns = EXPORT_COLUMNS
    if include_notes:
        columns = (*EXPORT_COLUMNS[:2], "note", *EXPORT_COLUMNS[2:])
    return TrainingCases(
        rows=rows,
        excluded=excluded,
        table_rows=table_rows,
        audit_head=audit_head,
        database=database,
        includes_note_text=include_notes,
        columns=columns,
    )


def _excluded(session: Session, *, since: date | None) -> dict[str, int]:
    """How many cases were left out for lacking a decision, an outcome or their details."""
    decided = (
        select(ScoreRecord.case_id)
        .join(Decision, Decision.score_id == ScoreRecord.score_id)
        .where(ScoreRecord.status.in_(("confirmed", "overridden")))
    )
    cases = select(Case.case_id)
    if since is not None:
        cases = cases.where(Case.created_at >= datetime.combine(since, time(), UTC))
    cases = cases.subquery()

    def count(*conditions) -> int:
        return session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.case_id.in_(select(cases.c.case_id)), *conditions)
        )

    has_outcome = Case.case_id.in_(select(Outcome.case_id))
    is_decided = Case.case_id.in_(decided)
    return {
        "erased": count(Case.erased_at.is_not(None), has_outcome),
        "outcome_but_not_decided": count(Case.erased_at.is_(None), has_outcome, ~is_decided),
        "decided_but_no_outcome_yet": count(Case.erased_at.is_(None), is_decided, ~has_outcome),
    }


def record_training_export(store: CaseStore, *, actor: Actor, details: dict[str, Any]) -> dict:
    """Chain the export as an event (counts and hashes, never rows); its ``seq`` and hash."""
    with store.sessions.begin() as session:
        entry = append_entry(session, actor=actor, action="training_export", details=details)
    return {"seq": entry.seq, "entry_hash": entry.entry_hash}
