"""How errors become HTTP responses: JSON bodies that name the field at fault.

Domain errors (``core.errors``) carry no status code; :data:`STATUS_OF_DOMAIN_ERROR` maps
them here, in the HTTP layer. :class:`ApiError` is for what only HTTP knows about:
authentication, roles, overload, body limits.
"""

from __future__ import annotations

from core.errors import ConflictError, DomainError, GoneError, InvalidRequestError, NotFoundError

__all__ = ["STATUS_OF_DOMAIN_ERROR", "ApiError", "status_of"]

STATUS_OF_DOMAIN_ERROR: dict[type[DomainError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    GoneError: 410,
    InvalidRequestError: 422,
}


class ApiError(Exception):
    """An error with its HTTP status, a message for people and the field it concerns."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error (400 for one this table does not know)."""
    for kind in type(error).__mro__:
        if kind in STATUS_OF_DOMAIN_ERROR:
            return STATUS_OF_DOMAIN_ERROR[kind]
    return 400
