"""The retention policy: when a case is closed and how long its personal data outlive that.

Read from the versioned ``core/config/retention_policy.yaml``; see the file for the reasons
behind each number.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from core.config import load_config, read_config_text
from serving.api_schemas import MAX_OUTCOME_WINDOW_DAYS

__all__ = ["RetentionPolicy"]


class RetentionPolicy(BaseModel):
    """When a decided case closes, and how many days after that its personal data go."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    close_without_outcome_after_days: int = Field(ge=1, le=3650)
    keep_after_closed_days: int = Field(ge=0, le=36500)
    keep_settled_events_days: int = Field(ge=1, le=3650)
    _sha256: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _outcomes_can_still_arrive(self) -> RetentionPolicy:
        # a case closed for lack of an outcome must outlive the longest outcome window,
        # or an outcome told on its last day would find the case erased (410)
        total = self.close_without_outcome_after_days + self.keep_after_closed_days
        if total <= MAX_OUTCOME_WINDOW_DAYS:
            raise ValueError(
                "keep_after_closed_days: with close_without_outcome_after_days it must exceed "
                f"the longest outcome window ({MAX_OUTCOME_WINDOW_DAYS} days), or a case "
                "could be erased before its outcome is told"
            )
        return self

    @property
    def sha256(self) -> str:
        """SHA-256 of the file the policy was read from ("" when built in code)."""
        return self._sha256

    @classmethod
    def load(cls, path: str | Path | None = None) -> RetentionPolicy:
        """Read ``path``, else the shipped ``core/config/retention_policy.yaml``.

        Raises
        ------
        core.config.ConfigError
            Naming the file and field when the file is missing or a value is wrong.
        """
        policy = load_config("retention_policy.yaml", cls, path=path)
        _, text = read_config_text("retention_policy.yaml", path)
        policy._sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return policy
