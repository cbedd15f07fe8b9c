"""Risk model, priority tiers, per-case reasons, caseworker suggestions and MLflow helpers.

Importing this package does no work: no model is loaded and no file is read until a
function is called. MLflow helpers live in ``models.registry``.
"""

from models._assignment import BatchAssignment, CaseworkerMatcher, load_roster
from models._config import ModelConfig, ModelConfigError, load_model_config
from models._data import read_cases, read_roster
from models._featurize import INPUT_COLUMNS, CaseFeaturizer
from models._logistic import BoundedLogisticRegression
from models._metrics import evaluate_probabilities, expected_calibration_error
from models._priority import PriorityPolicy, PriorityPolicyError, TierDecision
from models._reasons import factor_contributions, reasons_for_cases
from models._split import dataset_hash, split_holdout
from models._training import FAMILIES, TrainingResult, build_family, train_risk_model
from models._triage import CaseInputError, TriageModel

__all__ = [
    "FAMILIES",
    "INPUT_COLUMNS",
    "BatchAssignment",
    "BoundedLogisticRegression",
    "CaseFeaturizer",
    "CaseInputError",
    "CaseworkerMatcher",
    "ModelConfig",
    "ModelConfigError",
    "PriorityPolicy",
    "PriorityPolicyError",
    "TierDecision",
    "TrainingResult",
    "TriageModel",
    "build_family",
    "dataset_hash",
    "evaluate_probabilities",
    "expected_calibration_error",
    "factor_contributions",
    "load_model_config",
    "load_roster",
    "read_cases",
    "read_roster",
    "reasons_for_cases",
    "split_holdout",
    "train_risk_model",
]
