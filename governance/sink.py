"""Where release decisions are recorded: any object with ``record_event``."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["AuditSink"]


class AuditSink(Protocol):
    """An append-only audit log, e.g. ``serving.case_store.CaseStore``.

    ``actor`` is the log's own notion of who acted (an API key or the operator's CLI);
    governance passes it through untouched. Entries never hold names or reasons in
    clear: a reason travels as its SHA-256.
    """

    def record_event(self, *, actor: Any, action: str, **fields: Any) -> None: ...
