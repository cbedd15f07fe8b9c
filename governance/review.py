"""An ethics reviewer's sign-off or block of a ``review`` release, checked in one place."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from core.release_tags import ReleaseTags
from governance.errors import ReleaseError
from governance.sink import AuditSink

__all__ = [
    "MIN_REASON_CHARS",
    "ReviewerDecision",
    "check_reviewer_decision",
    "record_reviewer_decision",
]

MIN_REASON_CHARS = 10


@dataclass(frozen=True, kw_only=True)
class ReviewerDecision:
    """A reviewer's checked decision: who, sign off or block, and why in words."""

    reviewer: str
    reason: str
    block: bool

    @property
    def action(self) -> Literal["release.signed_off", "release.blocked"]:
        return "release.blocked" if self.block else "release.signed_off"


def check_reviewer_decision(
    *, reviewer: str | None, reason: str | None, block: bool = False
) -> ReviewerDecision:
    """The decision with its text trimmed, or a :class:`ReleaseError` naming the field.

    Raises
    ------
    ReleaseError
        ``reviewer`` is empty, or ``reason`` has fewer than ten characters.
    """
    reviewer = (reviewer or "").strip()
    reason = (reason or "").strip()
    if not reviewer:
        raise ReleaseError(
            "reviewer: give the reviewer's name; it is recorded with the decision",
            field="reviewer",
        )
    if len(reason) < MIN_REASON_CHARS:
        raise ReleaseError(
            f"reason: give the reason in words (at least {MIN_REASON_CHARS} characters); "
            "nothing was saved",
            field="reason",
        )
    return ReviewerDecision(reviewer=reviewer, reason=reason, block=block)


def record_reviewer_decision(
    version: str, decision: ReviewerDecision, *, sink: AuditSink, actor: Any
) -> str:
    """Sign off (promote to ``champion``) or block a ``review`` release; returns the version.

    A ``fail`` cannot be signed off: it must be retrained or mitigated. The reviewer's
    name and reason go to the model version's tags; the audit log gets the reason's hash.

    Raises
    ------
    ReleaseError
        Unknown version, a verdict other than ``review``, or a decision already taken.
    """
    from models import registry

    try:
        version = registry.resolve_version(version)
    except LookupError as error:
        raise ReleaseError(str(error), field="version") from None
    tags = ReleaseTags.of(registry.get_version_tags(version))
    if tags.audit_verdict != "review":
        raise ReleaseError(
            f"version {version}: only a 'review' verdict can be signed off or blocked "
            f"(this version's audit says {tags.audit_verdict or 'nothing: it was never audited'})",
            field="version",
        )
    if tags.decided:
        raise ReleaseError(
            f"version {version}: a reviewer has already decided on it", field="version"
        )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if decision.block:
        new_tags = {
            "blocked_by": decision.reviewer,
            "blocked_reason": decision.reason,
            "blocked_at": now,
        }
    else:
        new_tags = {
            "signoff_reviewer": decision.reviewer,
            "signoff_reason": decision.reason,
            "signoff_at": now,
        }
    registry.set_version_tags(version, new_tags)
    if not decision.block:
        registry.set_alias(version, "champion")
    sink.record_event(
        actor=actor,
        action=decision.action,
        model_version=version,
        details={"reason_sha256": hashlib.sha256(decision.reason.encode()).hexdigest()},
    )
    return version
