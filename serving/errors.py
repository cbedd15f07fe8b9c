"""Errors the API returns as JSON bodies that name the field at fault."""

from __future__ import annotations

__all__ = ["ApiError", "ConflictError", "GoneError", "NotFoundError"]


class ApiError(Exception):
    """An error with its HTTP status, a message for people and the field it concerns."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(ApiError):
    status_code = 404


class ConflictError(ApiError):
    status_code = 409


class GoneError(ApiError):
    status_code = 410
