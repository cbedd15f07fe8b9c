"""Webhooks of case systems: register, list and remove, each change in the audit log.

The signing secret is returned once at registration and kept only as ciphertext under the
note key (:class:`serving.note_cipher.NoteCipher`): the delivery worker must read it back
to sign, so a one-way hash would not do. Audit entries name the webhook, the URL's scheme
and host, never the full URL (its path or query may hold a token) nor the secret.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.errors import InvalidRequestError, NotFoundError
from serving.audit_log import Actor, append_entry
from serving.serving_config import THIS_MACHINE
from serving.tables import EventDelivery, Webhook

if TYPE_CHECKING:
    from serving.case_store import CaseStore

__all__ = ["host_allowed", "list_webhooks", "register_webhook", "remove_webhook"]

SECRET_PREFIX = "whsec_"


def _where(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    return {"scheme": parts.scheme.lower(), "host": parts.hostname or ""}


def host_allowed(url: str, patterns: Iterable[str]) -> bool:
    """Whether ``url``'s host matches one of the operator's ``patterns`` (shell style)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(fnmatchcase(host, pattern.lower()) for pattern in patterns)


def register_webhook(
    store: CaseStore, *, actor: Actor, url: str, allowed_hosts: Iterable[str] = THIS_MACHINE
) -> tuple[Webhook, str]:
    """Store a webhook owned by ``actor``'s key; returns it and its secret (shown once).

    ``url`` must already be well formed (:class:`serving.webhook_schemas.WebhookIn`); its
    host must match ``allowed_hosts`` (``webhook_hosts`` of ``core/config/serving.yaml``),
    else :class:`~core.errors.InvalidRequestError` naming ``url``.
    """
    if not host_allowed(url, allowed_hosts):
        raise InvalidRequestError(
            "url: the host is not one the operator allows for webhooks "
            "(webhook_hosts in the serving config)",
            field="url",
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    webhook = Webhook(
        webhook_id=uuid.uuid4().hex,
        owner_key_id=actor.key_id,
        url=url,
        secret_ciphertext=store.cipher.encrypt(secret),
        active=True,
        created_at=datetime.now(UTC),
    )
    with store.sessions.begin() as session:
        session.add(webhook)
        session.flush()
        append_entry(
            session,
            actor=actor,
            action="webhook_registered",
            details={"webhook_id": webhook.webhook_id, **_where(url)},
        )
    return webhook, secret


def list_webhooks(store: CaseStore, *, owner_key_id: str) -> list[Webhook]:
    """The active webhooks of one key, oldest first."""
    with store.read_sessions() as session:
        return list(
            session.execute(
                select(Webhook)
                .where(Webhook.owner_key_id == owner_key_id, Webhook.active.is_(True))
                .order_by(Webhook.created_at, Webhook.webhook_id)
            ).scalars()
        )


def remove_webhook(store: CaseStore, *, actor: Actor, webhook_id: str) -> Webhook:
    """Deactivate one of ``actor``'s webhooks; its undelivered events are given up.

    Removing it again changes nothing. Another key's webhook is reported as missing,
    as one that does not exist, so ids of other case systems cannot be probed.

    Raises
    ------
    core.errors.NotFoundError
        No webhook of this key has that id.
    """
    with store.sessions.begin() as session:
        webhook = session.execute(
            select(Webhook).where(Webhook.webhook_id == webhook_id).with_for_update()
        ).scalar_one_or_none()
        if webhook is None or webhook.owner_key_id != actor.key_id:
            raise NotFoundError(f"webhook_id: no webhook {webhook_id!r}", field="webhook_id")
        if webhook.active:
            webhook.active = False
            webhook.removed_at = datetime.now(UTC)
            given_up = _give_up_undelivered(session, webhook_id)
            append_entry(
                session,
                actor=actor,
                action="webhook_removed",
                details={"webhook_id": webhook_id, "undelivered": given_up, **_where(webhook.url)},
            )
    return webhook


def _give_up_undelivered(session: Session, webhook_id: str) -> int:
    result = session.execute(
        update(EventDelivery)
        .where(EventDelivery.webhook_id == webhook_id, EventDelivery.delivered_at.is_(None))
        .values(next_attempt_at=None, lease_until=None, last_status="webhook_removed")
    )
    return result.rowcount
