"""Errors of the domain, raised by storage and governance, mapped to HTTP by ``serving``.

Each names the field at fault, so whoever shows it (an API body, a page, the CLI) can
point at what to fix. None of them knows about status codes.
"""

from __future__ import annotations

__all__ = ["ConflictError", "DomainError", "GoneError", "InvalidRequestError", "NotFoundError"]


class DomainError(Exception):
    """A request the domain refuses, with a message for people and the field it concerns."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundError(DomainError, LookupError):
    """The case, score, release or document named does not exist."""


class ConflictError(DomainError):
    """The thing exists but its state does not allow the request (e.g. decided already)."""


class GoneError(DomainError):
    """The thing existed and was erased."""


class InvalidRequestError(DomainError, ValueError):
    """A value is well-formed but not acceptable (e.g. an unknown caseworker)."""
