"""The monitoring policy: drift thresholds, the test's correction, minimum cases, bootstrap."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.config import ConfigError, format_validation_error, read_config_text

__all__ = ["DriftPolicy", "LivePolicy", "MonitoringPolicy", "load_monitoring_policy"]

POLICY_FILE = "monitoring_policy.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DriftPolicy(_Strict):
    psi_review: float = Field(gt=0)
    psi_drift: float = Field(gt=0)
    alpha: float = Field(gt=0, lt=1)
    correction: Literal["holm", "bh"] = "holm"
    min_cases: int = Field(ge=1)
    numeric_bins: int = Field(default=10, ge=2, le=100)
    score_bins: int = Field(default=10, ge=2, le=100)
    psi_floor: float = Field(default=1e-4, gt=0, lt=0.1)

    @model_validator(mode="after")
    def _ordered(self) -> DriftPolicy:
        if self.psi_drift < self.psi_review:
            raise ValueError("psi_drift must be at least psi_review")
        return self


class LivePolicy(_Strict):
    ci_level: float = Field(default=0.95, ge=0.5, lt=1)
    n_resamples: int = Field(default=200, ge=50)
    seed: int = 0
    probability_cells: int = Field(default=2000, ge=10)
    calibration_bins: int = Field(default=10, ge=2, le=100)
    min_group_cases: int = Field(default=100, ge=1)
    min_group_events: int = Field(default=10, ge=1)


class MonitoringPolicy(_Strict):
    """A versioned monitoring policy; ``sha256`` is the hash of the file's bytes."""

    version: int
    name: str
    drift: DriftPolicy
    live: LivePolicy = LivePolicy()
    sha256: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump()


def load_monitoring_policy(path: str | Path | None = None) -> MonitoringPolicy:
    """Read ``core/config/monitoring_policy.yaml`` (or ``path``) and validate it.

    Raises
    ------
    core.config.ConfigError
        Naming the file and the key at fault.
    """
    file, text = read_config_text(POLICY_FILE, path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{file}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: expected a mapping of settings at the top level")
    raw = {key: value for key, value in raw.items() if key not in ("sha256", "source")}
    try:
        return MonitoringPolicy.model_validate(
            raw | {"sha256": hashlib.sha256(text.encode()).hexdigest(), "source": str(file)}
        )
    except ValidationError as error:
        raise ConfigError(f"{file}: {format_validation_error(error)}") from None
