"""Training configuration, read from the versioned ``core/config/model.yaml``."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.config import ConfigError, format_validation_error

__all__ = ["ModelConfig", "ModelConfigError", "default_config_path", "load_model_config"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SplitConfig(_Strict):
    seed: int
    holdout_fraction: float = Field(gt=0, lt=1)
    selection_fraction: float = Field(gt=0, lt=1)


class CalibrationConfig(_Strict):
    method: Literal["isotonic", "sigmoid"] = "isotonic"
    folds: int = Field(default=5, ge=2, le=20)
    seed: int = 0


class BaselineConfig(_Strict):
    C: float = Field(default=1.0, gt=0)


class LogisticConfig(_Strict):
    C: float = Field(default=0.5, gt=0)
    age_knots: int = Field(default=5, ge=3, le=12)


class BoostingConfig(_Strict):
    learning_rate: float = Field(default=0.06, gt=0, le=1)
    max_iter: int = Field(default=250, ge=10)
    max_leaf_nodes: int = Field(default=15, ge=2)
    min_samples_leaf: int = Field(default=40, ge=1)
    l2_regularization: float = Field(default=1.0, ge=0)
    seed: int = 0


class FamiliesConfig(_Strict):
    baseline: BaselineConfig = BaselineConfig()
    logistic: LogisticConfig = LogisticConfig()
    gradient_boosting: BoostingConfig = BoostingConfig()


class SelectionConfig(_Strict):
    metric: Literal["log_loss", "brier", "auc"] = "log_loss"
    interpretable_tolerance: float = Field(default=0.0, ge=0)
    interpretable_family: Literal["baseline", "logistic", "gradient_boosting"] = "logistic"


class EvaluationConfig(_Strict):
    ece_bins: int = Field(default=10, ge=2, le=100)


class ReasonsConfig(_Strict):
    top_k: int = Field(default=4, ge=1, le=20)
    min_abs_weight: float = Field(default=0.05, ge=0)


class AssignmentWeights(_Strict):
    skills: float = Field(default=3.0, ge=0)
    language: float = Field(default=1.0, ge=0)
    capacity: float = Field(default=1.0, ge=0)
    region: float = Field(default=0.75, ge=0)
    continuity: float = Field(default=1.5, ge=0)


class AssignmentConfig(_Strict):
    top_k: int = Field(default=3, ge=1, le=20)
    weights: AssignmentWeights = AssignmentWeights()
    balance_penalty: float = Field(default=1.0, ge=0)


class ModelConfig(_Strict):
    """Everything that decides how a risk model is trained, as validated settings.

    ``sha256`` is the hash of the source text, so a training run can say which version of
    the file it used.
    """

    version: int
    split: SplitConfig
    needs_source: Literal["extracted", "precomputed"] = "extracted"
    calibration: CalibrationConfig = CalibrationConfig()
    families: FamiliesConfig = FamiliesConfig()
    selection: SelectionConfig = SelectionConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    reasons: ReasonsConfig = ReasonsConfig()
    assignment: AssignmentConfig = AssignmentConfig()
    sha256: str = ""

    @classmethod
    def from_yaml_text(cls, text: str, *, source: str = "<text>") -> ModelConfig:
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ModelConfigError(f"{source}: not valid YAML: {error}") from None
        if not isinstance(raw, dict):
            raise ModelConfigError(f"{source}: expected a mapping at the top level")
        raw = {key: value for key, value in raw.items() if key != "sha256"}
        try:
            return cls(**raw, sha256=hashlib.sha256(text.encode()).hexdigest())
        except ValidationError as error:
            raise ModelConfigError(f"{source}: {format_validation_error(error)}") from None


class ModelConfigError(ConfigError):
    """The model configuration file is missing, malformed or has an invalid field."""


def default_config_path() -> Path:
    """The shipped ``core/config/model.yaml``."""
    from core.config import config_file

    return config_file("model.yaml")


def load_model_config(path: str | Path | None = None) -> ModelConfig:
    """Read and validate a model configuration file (default: ``core/config/model.yaml``)."""
    path = Path(path) if path is not None else default_config_path()
    try:
        text = path.read_text()
    except OSError as error:
        raise ModelConfigError(f"cannot read model config {path}: {error.strerror}") from None
    return ModelConfig.from_yaml_text(text, source=str(path))
