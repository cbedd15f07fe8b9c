"""API keys per role: generated with high entropy, stored as SHA-256, checked in constant time.

A key looks like ``ct_<key_id>_<secret>``. The key id is not secret; it finds the stored
hash without scanning, names the key in the audit log, and lets an operator revoke it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from serving.audit_log import Actor, append_entry
from serving.tables import ApiKey

__all__ = [
    "ROLES",
    "IssuedKey",
    "authenticate",
    "create_key",
    "hash_key",
    "list_keys",
    "revoke_key",
]

ROLES: tuple[str, ...] = ("case_system", "supervisor", "ethics_reviewer", "admin")
_KEY_PATTERN = re.compile(r"^ct_(?P<key_id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class IssuedKey:
    """A newly created key: ``key`` is shown once and never stored."""

    key_id: str
    role: str
    name: str
    key: str


def create_key(session: Session, *, role: str, name: str, actor: Actor) -> IssuedKey:
    """Create a key for ``role`` (256 bits of entropy) and record it in the audit log."""
    if role not in ROLES:
        raise ValueError(f"role: must be one of {', '.join(ROLES)}, not {role!r}")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("name: give a name of 1 to 100 characters")
    key_id = secrets.token_hex(6)
    key = f"ct_{key_id}_{secrets.token_urlsafe(32)}"
    session.add(
        ApiKey(
            key_id=key_id,
            key_hash=hash_key(key),
            role=role,
            name=name,
            created_at=datetime.now(UTC),
        )
    )
    append_entry(
        session, actor=actor, action="key_created", details={"key_id": key_id, "role": role}
    )
    return IssuedKey(key_id=key_id, role=role, name=name, key=key)


def revoke_key(session: Session, *, key_id: str, actor: Actor) -> ApiKey:
    record = session.get(ApiKey, key_id)
    if record is None:
        raise LookupError(f"key_id: no key {key_id!r}")
    if record.revoked_at is None:
        record.revoked_at = datetime.now(UTC)
        append_entry(
            session,
            actor=actor,
            action="key_revoked",
            details={"key_id": key_id, "role": record.role},
        )
    return record


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.execute(select(ApiKey).order_by(ApiKey.created_at)).scalars())


def authenticate(session: Session, presented: str | None) -> Actor | None:
    """The actor behind ``presented``, or None for a missing, malformed, unknown or revoked key.

    The stored hash is compared with :func:`hmac.compare_digest`; an unknown key id is
    compared against a dummy hash so that both paths do the same work.
    """
    if not presented:
        return None
    match = _KEY_PATTERN.match(presented)
    record = session.get(ApiKey, match["key_id"]) if match else None
    stored = record.key_hash if record is not None else _DUMMY_HASH
    matches = hmac.compare_digest(stored, hash_key(presented))
    if record is None or not matches or record.revoked_at is not None:
        return None
    return Actor(key_id=record.key_id, role=record.role)
