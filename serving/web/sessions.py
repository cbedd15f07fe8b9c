"""Signed session cookies for the web pages.

A session is the API key's id, its role, a per-session CSRF token and an expiry, signed
with HMAC-SHA256 under a secret kept in a key file beside the note key (created on first
use, mode 0600). The cookie never holds the API key itself. Because the cookie is
stateless, every request also checks that the key is still valid (not revoked), so
revoking a key ends its sessions at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["SESSION_COOKIE", "SessionCodec", "WebSession", "session_key_file"]

SESSION_COOKIE = "ct_session"


@dataclass(frozen=True, kw_only=True)
class WebSession:
    key_id: str
    role: str
    csrf_token: str
    expires_at: int

    @classmethod
    def start(cls, *, key_id: str, role: str, max_age_s: int) -> WebSession:
        return cls(
            key_id=key_id,
            role=role,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=int(time.time()) + max_age_s,
        )

    def csrf_matches(self, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf_token, presented)


def session_key_file() -> Path:
    """The web session signing key file named by the settings."""
    from core.settings import get_settings

    return get_settings().web_session_key_file


def _load_or_create_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        secret = secrets.token_bytes(32).hex().encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it first: use theirs
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secret)
            return secret
    secret = path.read_bytes().strip()
    if len(secret) < 32:
        raise ValueError(f"web session key file {path} holds fewer than 32 bytes")
    return secret


class SessionCodec:
    """Turns a :class:`WebSession` into a cookie value and back, refusing forged or old ones."""

    def __init__(self, *, secret: bytes | None = None, key_file: Path | None = None) -> None:
        if secret is None:
            secret = _load_or_create_secret(key_file or session_key_file())
        self._secret = secret

    def _signature(self, body: bytes) -> str:
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def encode(self, session: WebSession) -> str:
        payload = json.dumps(asdict(session), sort_keys=True, separators=(",", ":")).encode()
        body = base64.urlsafe_b64encode(payload).rstrip(b"=")
        return f"{body.decode()}.{self._signature(body)}"

    def decode(self, value: str | None, *, now: float | None = None) -> WebSession | None:
        """The session in ``value``, or None if it is missing, tampered with or expired."""
        if not value or value.count(".") != 1:
            return None
        body, signature = value.split(".")
        if not hmac.compare_digest(self._signature(body.encode()), signature):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            session = WebSession(**data)
        except (ValueError, TypeError):
            return None
        if session.expires_at <= (time.time() if now is None else now):
            return None
        return session
