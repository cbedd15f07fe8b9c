"""Removing decision events that every subscriber has settled, once they are old enough.

An event is settled for a webhook when it was delivered or given up (the webhook was
removed). The outbox otherwise grows with every decision; :func:`apply_retention
<serving.retention.apply_retention>` prunes it with the retention policy's
``keep_settled_events_days``. An event still waiting for any subscriber is never pruned.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, exists, func, select
from sqlalchemy.orm import Session

from serving.tables import EventDelivery, Outbox

__all__ = ["count_prunable_events", "prune_settled_events"]


def _prunable(before: datetime):
    waiting = exists().where(
        and_(EventDelivery.event_id == Outbox.event_id, EventDelivery.next_attempt_at.is_not(None))
    )
    return and_(Outbox.created_at < before, ~waiting)


def count_prunable_events(session: Session, *, before: datetime) -> int:
    """How many settled events were queued before ``before``."""
    return session.execute(
        select(func.count()).select_from(Outbox).where(_prunable(before))
    ).scalar_one()


def prune_settled_events(session: Session, *, before: datetime) -> int:
    """Delete the settled events queued before ``before`` with their deliveries, in
    ``session``'s transaction; returns how many events went."""
    event_ids = select(Outbox.event_id).where(_prunable(before)).scalar_subquery()
    session.execute(delete(EventDelivery).where(EventDelivery.event_id.in_(event_ids)))
    return session.execute(delete(Outbox).where(Outbox.event_id.in_(event_ids))).rowcount
