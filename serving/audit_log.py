"""The append-only, hash-chained audit log, and its verification.

Every entry's hash covers its own fields and the previous entry's hash. Writers lock the
single ``audit_head`` row (``SELECT ... FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE``
on SQLite) inside the same transaction as the change they record, so several workers or
replicas append one after another and can never fork the chain; a unique ``prev_hash``
makes a fork impossible even if that lock were bypassed.

Writers take that lock as late as they can: :func:`append_entries` reads the head, chains
a whole batch of entries and moves the head once, as the last step before the commit, so
concurrent transactions overlap their other work and queue only for the append.

Entries carry ids, roles, actions, model versions and numbers, never note text, names,
reasons (only their SHA-256) or keys.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from serving.tables import GENESIS_HASH, AuditEntry, AuditHead

__all__ = [
    "Actor",
    "ChainReport",
    "NewEntry",
    "append_entries",
    "append_entry",
    "append_entry_rows",
    "entry_hash",
    "iter_entries",
    "verify_chain",
]


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Who did something: an API key id and its role, or the operator's CLI."""

    key_id: str
    role: str


CLI_ACTOR = Actor(key_id="cli", role="operator")


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_hash(*, prev_hash: str, payload: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's canonical JSON."""
    return hashlib.sha256(f"{prev_hash}\n{_canonical(payload)}".encode()).hexdigest()


_PAYLOAD_FIELDS = (
    "seq",
    "at",
    "actor_key_id",
    "actor_role",
    "action",
    "case_id",
    "score_id",
    "model_version",
    "details",
)


def _payload(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _PAYLOAD_FIELDS}


def _row_payload(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in _PAYLOAD_FIELDS}


@dataclass(frozen=True, kw_only=True)
class NewEntry:
    """An entry to append: everything but its place in the chain and its time."""

    actor: Actor
    action: str
    case_id: str | None = None
    score_id: str | None = None
    model_version: str | None = None
    details: dict[str, Any] | None = None


def append_entries(session: Session, entries: Sequence[NewEntry]) -> list[AuditEntry]:
    """Append ``entries`` in order in ``session``'s transaction, under one head lock.

    The head is locked (``FOR UPDATE``) and re-read from the database, the entries are
    chained onto it, go in as one batch and the head moves once. Call it as the
    transaction's last step: the lock is held from here to the commit.
    """
    return [AuditEntry(**row) for row in append_entry_rows(session, entries)]


def append_entry_rows(session: Session, entries: Sequence[NewEntry]) -> list[dict[str, Any]]:
    """:func:`append_entries` returning the inserted rows as dicts, for callers that do
    not need ORM objects (building one costs more than hashing the entry)."""
    if not entries:
        return []
    seq, prev_hash = session.execute(
        select(AuditHead.seq, AuditHead.entry_hash).where(AuditHead.id == 1).with_for_update()
    ).one()
    rows = []
    for new in entries:
        seq += 1
        row = {
            "seq": seq,
            "prev_hash": prev_hash,
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "actor_key_id": new.actor.key_id,
            "actor_role": new.actor.role,
            "action": new.action,
            "case_id": new.case_id,
            "score_id": new.score_id,
            "model_version": new.model_version,
            "details": _canonical(new.details or {}),
        }
        row["entry_hash"] = prev_hash = entry_hash(prev_hash=prev_hash, payload=_row_payload(row))
        rows.append(row)
    session.execute(insert(AuditEntry.__table__), rows)
    session.execute(
        update(AuditHead.__table__)
        .where(AuditHead.__table__.c.id == 1)
        .values(seq=seq, entry_hash=prev_hash)
    )
    return rows


def append_entry(
    session: Session,
    *,
    actor: Actor,
    action: str,
    case_id: str | None = None,
    score_id: str | None = None,
    model_version: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in ``session``'s transaction; it commits with the change it records."""
    (entry,) = append_entries(
        session,
        [
            NewEntry(
                actor=actor,
                action=action,
                case_id=case_id,
                score_id=score_id,
                model_version=model_version,
                details=details,
            )
        ],
    )
    return entry


def iter_entries(session: Session, *, batch: int = 1000) -> Iterator[AuditEntry]:
    """Entries in chain order, read in batches so a long log needs little memory."""
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


@dataclass(frozen=True, kw_only=True)
class ChainReport:
    """The outcome of :func:`verify_chain`: ``ok``, how many entries, the first problem."""

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash; report the first entry that was edited, removed or reordered."""
    prev = GENESIS_HASH
    expected = 1
    for entry in iter_entries(session):
        if entry.seq != expected:
            return ChainReport(
                ok=False,
                entries=expected - 1,
                first_bad_seq=expected,
                problem=f"entry {expected} is missing (next entry found is {entry.seq})",
            )
        if entry.prev_hash != prev:
            return ChainReport(
                ok=False,
                entries=expected - 1,
                first_bad_seq=entry.seq,
                problem=f"entry {entry.seq} does not link to entry {entry.seq - 1}",
            )
        if entry_hash(prev_hash=entry.prev_hash, payload=_payload(entry)) != entry.entry_hash:
            return ChainReport(
                ok=False,
                entries=expected - 1,
                first_bad_seq=entry.seq,
                problem=f"entry {entry.seq} ({entry.action}) was edited: its hash does not match",
            )
        prev = entry.entry_hash
        expected += 1
    count = expected - 1
    head = session.get(AuditHead, 1)
    if head is None:
        return ChainReport(ok=False, entries=count, problem="the chain head row is missing")
    if head.seq != count or head.entry_hash != prev:
        return ChainReport(
            ok=False,
            entries=count,
            first_bad_seq=count + 1,
            problem=(
                f"entry {count + 1} is missing: the head records {head.seq} entries "
                f"but the log ends at {count}"
            ),
        )
    return ChainReport(ok=True, entries=count)
