"""Decision events for case systems: built and queued in the transaction of the change.

A supervisor's decision, its amendment and a case's erasure each put one event in the
outbox (``event_outbox``) and one delivery per active webhook (``event_deliveries``) in
the same session as the change, so a rollback leaves no event behind and a commit never
loses one; :mod:`serving.event_delivery` sends them later, at least once.

An event carries ids, tiers, actions and times, never note text, decision reasons, names
or sensitive attributes. Its body is the canonical JSON of the stored envelope, so every
retry sends the same bytes under the same signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from serving.tables import ApiKey, Decision, EventDelivery, Outbox, ScoreRecord, Webhook

__all__ = [
    "EVENT_TYPES",
    "SIGNATURE_PREFIX",
    "decision_event",
    "erasure_event",
    "event_body",
    "queue_event",
    "sign",
]

EVENT_TYPES = ("decision", "decision_amended", "erasure")
SIGNATURE_PREFIX = "sha256="


def _iso(moment: datetime) -> str:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _envelope(
    event_type: str, *, case_id: str, score_id: str | None, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "case_id": case_id,
        "score_id": score_id,
        "data": data,
    }


def decision_event(
    *, record: ScoreRecord, row: Decision, suggested_worker_id: str | None
) -> dict[str, Any]:
    """The event of a decision (``decision_amended`` when it amends one); no reason text."""
    return _envelope(
        "decision" if row.amends_decision_id is None else "decision_amended",
        case_id=record.case_id,
        score_id=record.score_id,
        data={
            "decision_id": row.decision_id,
            "amends_decision_id": row.amends_decision_id,
            "action": row.action,
            "suggested_tier": record.tier,
            "tier": row.tier,
            "suggested_worker_id": suggested_worker_id,
            "worker_id": row.worker_id,
            "model_version": record.model_version,
            "decided_by_key_id": row.decided_by_key_id,
            "decided_at": _iso(row.decided_at),
        },
    )


def erasure_event(
    *, case_id: str, reason: str, erased_at: datetime, scores: int, decisions: int
) -> dict[str, Any]:
    """The event of an erasure: why (``request`` or ``retention``) and how much was scrubbed."""
    return _envelope(
        "erasure",
        case_id=case_id,
        score_id=None,
        data={
            "reason": reason,
            "erased_at": _iso(erased_at),
            "scores_scrubbed": scores,
            "decisions_scrubbed": decisions,
        },
    )


def queue_event(session: Session, event: dict[str, Any]) -> str | None:
    """Put ``event`` in the outbox with a delivery for each active webhook, in ``session``'s
    transaction; returns its id, or None when no webhook is active (nothing is kept then:
    a webhook registered later receives the events from its registration on)."""
    if event["type"] not in EVENT_TYPES:
        raise ValueError(f"type: expected one of {EVENT_TYPES}, got {event['type']!r}")
    webhook_ids = list(session.execute(_active_webhooks()).scalars())
    if not webhook_ids:
        return None
    now = datetime.now(UTC)
    # plain executemany of cached statements: building them per decision cost more CPU
    # than the rest of the decision's transaction
    session.execute(
        insert(Outbox.__table__),
        [
            {
                "event_id": event["event_id"],
                "event_type": event["type"],
                "case_id": event["case_id"],
                "score_id": event["score_id"],
                "payload": event,
                "created_at": now,
            }
        ],
    )
    session.execute(
        insert(EventDelivery.__table__),
        [
            {
                "event_id": event["event_id"],
                "webhook_id": webhook_id,
                "attempts": 0,
                "next_attempt_at": now,
            }
            for webhook_id in webhook_ids
        ],
    )
    return event["event_id"]


@cache
def _active_webhooks() -> Select:
    return (
        select(Webhook.webhook_id)
        .join(ApiKey, ApiKey.key_id == Webhook.owner_key_id)
        .where(Webhook.active.is_(True), ApiKey.revoked_at.is_(None))
    )


def event_body(payload: dict[str, Any]) -> bytes:
    """The bytes sent for a stored event: canonical JSON, the same on every attempt."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign(secret: str, body: bytes) -> str:
    """The ``X-Casetriage-Signature`` header: ``sha256=`` and the hex HMAC-SHA256 of ``body``."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
