"""Risk model, priority tiers, per-case reasons, caseworker suggestions and MLflow helpers.

Importing this package does no work: no model is loaded and no file is read until a
function is called.
"""

from models._config import ModelConfig, ModelConfigError, load_model_config
from models._featurize import CaseFeaturizer
from models._logistic import BoundedLogisticRegression
from models._metrics import evaluate_probabilities, expected_calibration_error
from models._split import dataset_hash, split_holdout
from models._training import FAMILIES, TrainingResult, build_family, train_risk_model

__all__ = [
    "FAMILIES",
    "BoundedLogisticRegression",
    "CaseFeaturizer",
    "ModelConfig",
    "ModelConfigError",
    "TrainingResult",
    "build_family",
    "dataset_hash",
    "evaluate_probabilities",
    "expected_calibration_error",
    "load_model_config",
    "split_holdout",
    "train_risk_model",
]
