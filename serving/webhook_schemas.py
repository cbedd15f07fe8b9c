"""Request and response bodies of ``/v1/webhooks``: a case system's endpoint for events."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["MAX_URL_CHARS", "WebhookCreated", "WebhookIn", "WebhookOut"]

MAX_URL_CHARS = 2048


class WebhookIn(BaseModel):
    """Where to POST decision events: an absolute ``http`` or ``https`` URL."""

    model_config = ConfigDict(extra="forbid", strict=True)

    url: str = Field(
        min_length=1,
        max_length=MAX_URL_CHARS,
        description="absolute http(s) URL that receives the signed events",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if url != url.strip() or any(ord(char) < 33 or ord(char) == 127 for char in url):
            raise ValueError("no spaces or control characters")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise ValueError(f"not a valid URL ({error})") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise ValueError("the scheme must be http or https")
        if not parts.hostname:
            raise ValueError("a host is required")
        if parts.username is not None or parts.password is not None:
            raise ValueError("no user or password in the URL (the events are signed)")
        if parts.fragment:
            raise ValueError("no #fragment (it is never sent)")
        if port == 0:
            raise ValueError("port 0 is not a port")
        return url


class WebhookOut(BaseModel):
    webhook_id: str
    url: str
    active: bool
    created_at: datetime
    removed_at: datetime | None = None


class WebhookCreated(WebhookOut):
    """A new webhook with its signing secret: shown this once, stored only encrypted."""

    secret: str = Field(description="HMAC-SHA256 key of X-Casetriage-Signature; shown once")
