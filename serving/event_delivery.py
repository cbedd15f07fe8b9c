"""The delivery worker: sends due decision events to webhooks, at least once.

One pass claims up to ``batch_size`` due deliveries with a lease (``lease_until``), sends
them over ``concurrency`` connections and records every result in one transaction: a 2xx
marks the delivery done, anything else schedules the next attempt on the back-off of
:class:`~serving.event_delivery_config.EventDeliveryConfig`.

Claiming is safe with several workers and replicas: on PostgreSQL the due rows are read
``FOR UPDATE SKIP LOCKED`` (workers skip each other's rows instead of queueing); on both
databases the lease is taken by one conditional ``UPDATE ... RETURNING``, which takes
only rows no live lease holds. A worker killed mid-batch leaves its lease to run out;
the next worker then sends those events again: a receiver may see an event twice, always
with the same ``X-Casetriage-Event-Id`` and the same signed bytes, and never zero times.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Update, and_, bindparam, func, or_, select, tuple_, update

from serving.decision_events import event_body, sign
from serving.event_delivery_config import EventDeliveryConfig
from serving.tables import ApiKey, EventDelivery, Outbox, Webhook

if TYPE_CHECKING:
    import httpx

    from serving.case_store import CaseStore

__all__ = [
    "Claimed",
    "DeliveryTotals",
    "claim_due",
    "deliver_forever",
    "drain",
    "pending_deliveries",
    "send",
]

USER_AGENT = "casetriage-events/1"


@dataclass(frozen=True, kw_only=True)
class Claimed:
    """A delivery this worker holds the lease of, with what it needs to send it."""

    event_id: str
    webhook_id: str
    attempts: int
    lease_until: datetime
    url: str
    secret_ciphertext: bytes
    payload: dict[str, Any]


@dataclass(kw_only=True)
class DeliveryTotals:
    """Counts of a drain: deliveries claimed, delivered and failed (retry scheduled), and
    the failures by status (HTTP code or error kind)."""

    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    failures: dict[str, int] = field(default_factory=dict)

    def add(self, other: DeliveryTotals) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.failed += other.failed
        for status, count in other.failures.items():
            self.failures[status] = self.failures.get(status, 0) + count


def _due(now: datetime, due_by: datetime):
    return and_(
        EventDelivery.delivered_at.is_(None),
        EventDelivery.next_attempt_at <= due_by,
        or_(EventDelivery.lease_until.is_(None), EventDelivery.lease_until < now),
    )


def claim_due(
    store: CaseStore, config: EventDeliveryConfig, *, due_by: datetime | None = None
) -> list[Claimed]:
    """Lease up to ``config.batch_size`` deliveries due by ``due_by`` (default now), oldest
    first, to active webhooks of unrevoked keys; an empty list when none is due."""
    now = datetime.now(UTC)
    due_by = min(due_by or now, now)
    lease_until = now + timedelta(seconds=config.lease_s)
    due = (
        select(
            EventDelivery.event_id,
            EventDelivery.webhook_id,
            EventDelivery.attempts,
            Webhook.url,
            Webhook.secret_ciphertext,
            Outbox.payload,
        )
        .join(Outbox, Outbox.event_id == EventDelivery.event_id)
        .join(Webhook, Webhook.webhook_id == EventDelivery.webhook_id)
        .join(ApiKey, ApiKey.key_id == Webhook.owner_key_id)
        .where(_due(now, due_by), Webhook.active.is_(True), ApiKey.revoked_at.is_(None))
    )
    # a reader first: an idle worker polling every interval must not queue for the
    # writers' lock (on SQLite, the decisions' lock) only to find nothing due
    with store.read_sessions() as session:
        if session.execute(due.limit(1)).first() is None:
            return []
    with store.sessions.begin() as session:
        candidates = session.execute(
            due.order_by(EventDelivery.next_attempt_at)
            .limit(config.batch_size)
            .with_for_update(of=EventDelivery, skip_locked=True)
        ).all()
        if not candidates:
            return []
        keys = [(row.event_id, row.webhook_id) for row in candidates]
        leased = {
            (event_id, webhook_id)
            for event_id, webhook_id in session.execute(
                update(EventDelivery)
                .where(
                    tuple_(EventDelivery.event_id, EventDelivery.webhook_id).in_(keys),
                    _due(now, due_by),
                )
                .values(lease_until=lease_until)
                .returning(EventDelivery.event_id, EventDelivery.webhook_id)
            )
        }
    return [
        Claimed(
            event_id=row.event_id,
            webhook_id=row.webhook_id,
            attempts=row.attempts,
            lease_until=lease_until,
            url=row.url,
            secret_ciphertext=row.secret_ciphertext,
            payload=row.payload,
        )
        for row in candidates
        if (row.event_id, row.webhook_id) in leased
    ]


def send(client: httpx.Client, claimed: Claimed, secret: str) -> tuple[bool, str]:
    """POST one event; ``(delivered, status)`` where status is the HTTP code or the kind of
    error (``ConnectError``, ``ReadTimeout``...). Redirects are not followed: a 3xx fails."""
    import httpx

    body = event_body(claimed.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Casetriage-Event-Id": claimed.event_id,
        "X-Casetriage-Event-Type": claimed.payload["type"],
        "X-Casetriage-Signature": sign(secret, body),
        "X-Casetriage-Timestamp": str(int(time.time())),
        "X-Casetriage-Attempt": str(claimed.attempts + 1),
    }
    try:
        response = client.post(claimed.url, content=body, headers=headers)
    except httpx.HTTPError as error:
        return False, type(error).__name__[:40]
    return 200 <= response.status_code < 300, str(response.status_code)


def _record(
    store: CaseStore,
    config: EventDeliveryConfig,
    results: list[tuple[Claimed, bool, str]],
    rng: random.Random,
) -> None:
    """Write a batch's results in one transaction. A success is recorded whoever holds the
    lease now; a failure only by the holder of the lease it was sent under, so a worker
    whose lease ran out cannot push back an attempt another worker has made since."""
    now = datetime.now(UTC)
    delivered = [
        {"k_event": c.event_id, "k_webhook": c.webhook_id, "k_status": status, "k_at": now}
        for c, ok, status in results
        if ok
    ]
    failed = [
        {
            "k_event": c.event_id,
            "k_webhook": c.webhook_id,
            "k_lease": c.lease_until,
            "k_status": status,
            "k_next": now + timedelta(seconds=config.retry_delay_s(c.attempts + 1, rng)),
        }
        for c, ok, status in results
        if not ok
    ]
    # executemany of two cached statements: one UPDATE built per delivery held the
    # writers' lock (on SQLite, the decisions' too) several times longer
    with store.sessions.begin() as session:
        if delivered:
            session.execute(_mark_delivered(), delivered)
        if failed:
            session.execute(_schedule_retry(), failed)


def _this_delivery():
    table = EventDelivery.__table__
    return and_(
        table.c.event_id == bindparam("k_event"),
        table.c.webhook_id == bindparam("k_webhook"),
        table.c.delivered_at.is_(None),
    )


@cache
def _mark_delivered() -> Update:
    table = EventDelivery.__table__
    return (
        update(table)
        .where(_this_delivery())
        .values(
            attempts=table.c.attempts + 1,
            delivered_at=bindparam("k_at"),
            next_attempt_at=None,
            lease_until=None,
            last_status=bindparam("k_status"),
        )
    )


@cache
def _schedule_retry() -> Update:
    table = EventDelivery.__table__
    return (
        update(table)
        .where(_this_delivery(), table.c.lease_until == bindparam("k_lease"))
        .values(
            attempts=table.c.attempts + 1,
            next_attempt_at=bindparam("k_next"),
            lease_until=None,
            last_status=bindparam("k_status"),
        )
    )


def _deliver_batch(
    store: CaseStore,
    config: EventDeliveryConfig,
    client: httpx.Client,
    pool: ThreadPoolExecutor,
    rng: random.Random,
    due_by: datetime,
) -> DeliveryTotals:
    claimed = claim_due(store, config, due_by=due_by)
    totals = DeliveryTotals(claimed=len(claimed))
    if not claimed:
        return totals
    secrets: dict[str, str] = {}
    for item in claimed:
        if item.webhook_id not in secrets:
            secrets[item.webhook_id] = store.cipher.decrypt(item.secret_ciphertext)
    outcomes = list(pool.map(lambda item: send(client, item, secrets[item.webhook_id]), claimed))
    _record(
        store,
        config,
        [(item, ok, status) for item, (ok, status) in zip(claimed, outcomes, strict=True)],
        rng,
    )
    for ok, status in outcomes:
        if ok:
            totals.delivered += 1
        else:
            totals.failed += 1
            totals.failures[status] = totals.failures.get(status, 0) + 1
    return totals


def _client(config: EventDeliveryConfig) -> httpx.Client:
    import httpx

    connections = config.concurrency
    return httpx.Client(
        timeout=config.timeout_s,
        follow_redirects=False,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


def drain(
    store: CaseStore,
    config: EventDeliveryConfig,
    *,
    rng: random.Random | None = None,
    stop: threading.Event | None = None,
    on_batch: Callable[[DeliveryTotals], None] | None = None,
) -> DeliveryTotals:
    """Send, batch after batch, every delivery due when the drain began; a failure is
    rescheduled past that moment, so a drain always ends. ``on_batch`` sees each batch."""
    rng = rng or random.Random()
    due_by = datetime.now(UTC)
    totals = DeliveryTotals()
    with _client(config) as client, ThreadPoolExecutor(config.concurrency) as pool:
        while stop is None or not stop.is_set():
            batch = _deliver_batch(store, config, client, pool, rng, due_by)
            if not batch.claimed:
                break
            totals.add(batch)
            if on_batch is not None:
                on_batch(batch)
    return totals


def deliver_forever(
    store: CaseStore,
    config: EventDeliveryConfig,
    *,
    interval_s: float,
    stop: threading.Event,
    on_drain: Callable[[DeliveryTotals], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
) -> None:
    """Drain, wait ``interval_s``, drain again, until ``stop`` is set. A database error
    (e.g. the database restarting) is passed to ``on_error`` and the next drain retries;
    the leases of the batch it hit run out and its events are sent again."""
    from sqlalchemy.exc import SQLAlchemyError

    rng = random.Random()
    while not stop.is_set():
        try:
            totals = drain(store, config, rng=rng, stop=stop)
        except SQLAlchemyError as error:
            if on_error is None:
                raise
            on_error(error)
        else:
            if on_drain is not None and totals.claimed:
                on_drain(totals)
        stop.wait(interval_s)


def pending_deliveries(store: CaseStore) -> int:
    """Deliveries not yet made to active webhooks, due now or later."""
    with store.read_sessions() as session:
        return session.execute(
            select(func.count())
            .select_from(EventDelivery)
            .join(Webhook, Webhook.webhook_id == EventDelivery.webhook_id)
            .where(EventDelivery.delivered_at.is_(None), Webhook.active.is_(True))
        ).scalar_one()
