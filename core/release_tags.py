"""The tags a release decision leaves on an MLflow model version, and what they mean.

The release gate (``governance``) writes them; the model loader (``models``) and the
service (``serving``) read them. One schema, so "approved" means the same everywhere: the
audit passed, or an ethics reviewer signed off a ``review`` verdict (and nobody blocked it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["AUDIT_TAGS", "ReleaseTags", "Verdict"]

Verdict = Literal["pass", "review", "fail"]

#: the tags the release gate writes when it audits a version
AUDIT_TAGS: tuple[str, ...] = (
    "audit_verdict",
    "audit_policy_hash",
    "audit_report_uri",
    "audit_at",
    "audit_holdout_cases",
)


class ReleaseTags(BaseModel):
    """A model version's release tags (MLflow keeps every tag as text).

    Build it with :meth:`of` from the version's tag mapping; other tags are ignored.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    audit_verdict: Verdict | None = None
    audit_policy_hash: str | None = None
    audit_report_uri: str | None = None
    audit_at: str | None = None
    audit_holdout_cases: str | None = None
    signoff_reviewer: str | None = None
    signoff_reason: str | None = None
    signoff_at: str | None = None
    blocked_by: str | None = None
    blocked_reason: str | None = None
    blocked_at: str | None = None

    @classmethod
    def of(cls, tags: Mapping[str, str] | None) -> ReleaseTags:
        """The release tags among ``tags``; an unknown verdict reads as no verdict."""
        tags = dict(tags or {})
        if tags.get("audit_verdict") not in ("pass", "review", "fail"):
            tags.pop("audit_verdict", None)
        return cls.model_validate(tags)

    @property
    def approved(self) -> bool:
        """May this version serve? A pass, or a reviewer's sign-off that nobody blocked."""
        if self.blocked_by:
            return False
        return self.audit_verdict == "pass" or bool(self.signoff_reviewer)

    @property
    def decided(self) -> bool:
        """Has a reviewer already signed off or blocked this version?"""
        return bool(self.signoff_reviewer or self.blocked_by)

    def reviewer_decision(self) -> dict[str, str | None]:
        """Who decided on a ``review`` release and how (empty if nobody yet)."""
        if self.signoff_reviewer:
            return {
                "decision": "signed off",
                "reviewer": self.signoff_reviewer,
                "reason": self.signoff_reason,
                "at": self.signoff_at,
            }
        if self.blocked_by:
            return {
                "decision": "blocked",
                "reviewer": self.blocked_by,
                "reason": self.blocked_reason,
                "at": self.blocked_at,
            }
        return {}
