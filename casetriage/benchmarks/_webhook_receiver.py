"""A real HTTP receiver of decision events on 127.0.0.1, for the events benchmark and tests.

It checks every signature with the webhook's secret, records what it accepted, and can be
made slow, made to fail the next requests with a status, or taken down and brought back
on the same port (connections refused meanwhile), as a case system's endpoint might.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Received", "WebhookReceiver"]


@dataclass(frozen=True, kw_only=True)
class Received:
    """One request: its event id, body, headers, whether it was answered 2xx."""

    event_id: str
    body: bytes
    headers: dict[str, str]
    accepted: bool
    signature_ok: bool


class WebhookReceiver:
    """Listens on ``url`` once started; ``secret`` checks ``X-Casetriage-Signature``."""

    def __init__(self, *, secret: str = "", delay_s: float = 0.0) -> None:
        self.secret = secret
        self.delay_s = delay_s
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._fail: list[int] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/events"

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status`` instead of 204."""
        with self._lock:
            self._fail.extend([status] * count)

    def accepted(self) -> list[Received]:
        with self._lock:
            return [request for request in self.requests if request.accepted]

    def accepted_ids(self) -> set[str]:
        return {request.event_id for request in self.accepted()}

    def start(self) -> WebhookReceiver:
        """Listen (on the same port as before, after :meth:`stop`)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                receiver._answer(self, body)

            def log_message(self, *_args) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until :meth:`start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        presented = handler.headers.get("X-Casetriage-Signature", "")
        with self._lock:
            status = self._fail.pop(0) if self._fail else 204
            self.requests.append(
                Received(
                    event_id=handler.headers.get("X-Casetriage-Event-Id", ""),
                    body=body,
                    headers=dict(handler.headers.items()),
                    accepted=status < 300,
                    signature_ok=hmac.compare_digest(expected, presented),
                )
            )
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
