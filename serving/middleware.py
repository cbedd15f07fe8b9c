"""Plain ASGI middleware of the API: a body size limit and one log event per request."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable

from serving.json_logging import log_event

__all__ = ["BodySizeLimit", "RequestLog"]


class BodySizeLimit:
    """Refuse bodies above ``max_bytes`` with 413, whether or not Content-Length is sent."""

    def __init__(self, app, *, max_bytes: Callable[[], int]) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes()
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_too_large(send, limit)
            return
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLargeError
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLargeError:
            if not started:
                await _send_too_large(send, limit)


class _BodyTooLargeError(Exception):
    pass


class RequestLog:
    """Log one ``request`` event per HTTP request (route, status, time, key id; never the
    body) and return its id in ``X-Request-ID``.

    A plain ASGI middleware: Starlette's ``@app.middleware("http")`` streamed every
    response through a second task and queue, which under 32 concurrent single-case
    clients cost more of the API worker's time than storing the score.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = message | {"headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            actor = scope.get("state", {}).get("actor")
            log_event(
                "request",
                request_id=request_id,
                method=scope["method"],
                route=getattr(scope.get("route"), "path", "unmatched"),
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 2),
                key_id=actor.key_id if actor else None,
            )


async def _send_too_large(send, limit: int) -> None:
    body = json.dumps(
        {"error": f"body: the request body exceeds {limit} bytes", "field": "body"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
