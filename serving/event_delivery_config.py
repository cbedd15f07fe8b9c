"""How decision events are sent: retry schedule, timeouts, leases, batch sizes.

Read from the versioned ``core/config/event_delivery.yaml``; see the file for the reasons
behind each number.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.config import load_config

__all__ = ["EventDeliveryConfig"]


class EventDeliveryConfig(BaseModel):
    """Retry schedule and limits of :mod:`serving.event_delivery`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    base_delay_s: float = Field(gt=0, le=86_400)
    max_delay_s: float = Field(gt=0, le=7 * 86_400)
    jitter: float = Field(ge=0, lt=1)
    timeout_s: float = Field(gt=0, le=300)
    batch_size: int = Field(ge=1, le=1000)
    concurrency: int = Field(ge=1, le=64)
    lease_s: float = Field(gt=0, le=86_400)
    interval_s: float = Field(gt=0, le=3600)

    @model_validator(mode="after")
    def _consistent(self) -> EventDeliveryConfig:
        if self.max_delay_s < self.base_delay_s:
            raise ValueError("max_delay_s: must be at least base_delay_s")
        # a lease shorter than a batch of timeouts hands deliveries still in flight to
        # another worker: duplicates for every slow receiver
        rounds = math.ceil(self.batch_size / self.concurrency)
        if self.lease_s <= self.timeout_s * rounds:
            raise ValueError(
                f"lease_s: must exceed timeout_s * ceil(batch_size / concurrency) "
                f"= {self.timeout_s * rounds:g} s, the longest a batch can take"
            )
        return self

    def retry_delay_s(self, failed_attempts: int, rng: random.Random) -> float:
        """Seconds until the next attempt after ``failed_attempts`` (>= 1) failures."""
        exponent = min(failed_attempts - 1, 60)  # 2**60 * base is past any cap
        delay = min(self.max_delay_s, self.base_delay_s * 2.0**exponent)
        return delay * (1 - self.jitter * rng.random())

    @classmethod
    def load(cls, path: str | Path | None = None) -> EventDeliveryConfig:
        """Read ``path``, else the shipped ``core/config/event_delivery.yaml``.

        Raises
        ------
        core.config.ConfigError
            Naming the file and field when the file is missing or a value is wrong.
        """
        return load_config("event_delivery.yaml", cls, path=path)
