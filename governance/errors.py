"""The one error of release governance."""

from __future__ import annotations

from core.errors import DomainError

__all__ = ["ReleaseError"]


class ReleaseError(DomainError):
    """The release cannot go ahead as asked (unknown version, wrong state, bad data)."""
