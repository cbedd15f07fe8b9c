"""Fit, compare and calibrate the risk model families; pick a winner; report on the holdout."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from models._config import ModelConfig
from models._featurize import CaseFeaturizer
from models._logistic import BoundedLogisticRegression
from models._metrics import evaluate_probabilities
from models._needs import attach_needs
from models._split import split_holdout, split_selection

__all__ = ["FAMILIES", "LABEL", "TrainingResult", "build_family", "train_risk_model"]

logger = logging.getLogger(__name__)

LABEL = "crisis_90d"
FAMILIES: tuple[str, ...] = ("baseline", "logistic", "gradient_boosting")
LINEAR_FAMILIES = frozenset({"baseline", "logistic"})


def build_family(name: str, config: ModelConfig) -> Pipeline:
    """An unfitted, calibrated pipeline of one model family.

    Calibration fits each family on k-1 folds and its isotonic (or sigmoid) map on the
    remaining fold, averaging the k calibrated models, so no probability is calibrated on
    the data that fitted it.
    """
    families = config.families
    if name == "baseline":
        featurizer = CaseFeaturizer(design="baseline")
    elif name == "logistic":
        featurizer = CaseFeaturizer(design="linear", age_knots=families.logistic.age_knots)
    elif name == "gradient_boosting":
        featurizer = CaseFeaturizer(design="tree")
    else:
        raise ValueError(f"model family: expected one of {FAMILIES}, got {name!r}")
    monotone = np.asarray(featurizer.layout()[2], dtype=bool)
    if name == "baseline":
        estimator = BoundedLogisticRegression(C=families.baseline.C, nonnegative=monotone)
    elif name == "logistic":
        estimator = BoundedLogisticRegression(C=families.logistic.C, nonnegative=monotone)
    else:
        gb = families.gradient_boosting
        estimator = HistGradientBoostingClassifier(
            learning_rate=gb.learning_rate,
            max_iter=gb.max_iter,
            max_leaf_nodes=gb.max_leaf_nodes,
            min_samples_leaf=gb.min_samples_leaf,
            l2_regularization=gb.l2_regularization,
            monotonic_cst=monotone.astype(int).tolist(),
            early_stopping=False,
            random_state=gb.seed,
        )
    folds = StratifiedKFold(
        n_splits=config.calibration.folds, shuffle=True, random_state=config.calibration.seed
    )
    calibrated = CalibratedClassifierCV(estimator, method=config.calibration.method, cv=folds)
    return Pipeline([("features", featurizer), ("model", calibrated)])


def _labels(cases: pd.DataFrame) -> np.ndarray:
    if LABEL not in cases.columns:
        raise ValueError(f"cases: missing label column '{LABEL}'")
    labels = pd.to_numeric(cases[LABEL], errors="coerce")
    bad = labels.isna() | ~labels.isin([0, 1])
    if bad.any():
        row = cases.index[bad.to_numpy()][0]
        raise ValueError(f"{LABEL} (row {row}): expected 0 or 1, got {cases.at[row, LABEL]!r}")
    return labels.to_numpy(dtype=int)


@dataclass(kw_only=True)
class TrainingResult:
    """What a training run produced: the chosen pipeline and the evidence for choosing it."""

    pipeline: Pipeline
    family: str
    comparison: pd.DataFrame
    holdout_metrics: dict[str, float]
    baseline_holdout_metrics: dict[str, float]
    oracle_auc: float | None
    train_ids: list[str]
    holdout_ids: list[str]
    holdout_probability: np.ndarray
    baseline_holdout_probability: np.ndarray
    holdout_labels: np.ndarray
    train_cases: pd.DataFrame = field(repr=False)

    @property
    def metrics(self) -> dict[str, float]:
        """Flat metric names for logging: holdout metrics of the winner and the baseline."""
        flat = {f"holdout_{k}": v for k, v in self.holdout_metrics.items()}
        flat |= {f"baseline_holdout_{k}": v for k, v in self.baseline_holdout_metrics.items()}
        if self.oracle_auc is not None:
            flat["oracle_auc"] = self.oracle_auc
        for row in self.comparison.itertuples(index=False):
            for metric in ("auc", "brier", "ece", "log_loss"):
                flat[f"selection_{row.family}_{metric}"] = float(getattr(row, metric))
        return flat


def _choose(comparison: pd.DataFrame, config: ModelConfig) -> str:
    metric = config.selection.metric
    higher_is_better = metric == "auc"
    scores = comparison.set_index("family")[metric]
    best = scores.idxmax() if higher_is_better else scores.idxmin()
    preferred = config.selection.interpretable_family
    if preferred in scores.index:
        gap = (scores[best] - scores[preferred]) * (1 if higher_is_better else -1)
        if gap <= config.selection.interpretable_tolerance:
            return preferred
    return str(best)


def train_risk_model(cases: pd.DataFrame, config: ModelConfig) -> TrainingResult:
    """Split, extract needs once, compare families on a selection split, refit the winner.

    The holdout (``split_holdout``) is used only for the final report; the family is chosen
    on a separate selection split carved out of the training cases.
    """
    cases = attach_needs(cases, source=config.needs_source)
    train, holdout = split_holdout(cases, config)
    fit_part, selection_part = split_selection(train, config)
    y_fit, y_sel = _labels(fit_part), _labels(selection_part)
    y_train, y_holdout = _labels(train), _labels(holdout)
    for name, labels in (("train", y_fit), ("selection", y_sel), ("holdout", y_holdout)):
        if len(np.unique(labels)) < 2:
            raise ValueError(f"cases: the {name} split has only one class of {LABEL}")

    rows = []
    for name in FAMILIES:
        model = build_family(name, config).fit(fit_part, y_fit)
        probability = model.predict_proba(selection_part)[:, 1]
        metrics = evaluate_probabilities(y_sel, probability, n_bins=config.evaluation.ece_bins)
        rows.append({"family": name, **metrics})
        logger.info("family %s on the selection split: %s", name, metrics)
    comparison = pd.DataFrame(rows)
    family = _choose(comparison, config)
    comparison["chosen"] = comparison["family"] == family
    logger.info("chosen family: %s", family)

    pipeline = build_family(family, config).fit(train, y_train)
    baseline = build_family("baseline", config).fit(train, y_train)
    probability = pipeline.predict_proba(holdout)[:, 1]
    baseline_probability = baseline.predict_proba(holdout)[:, 1]
    bins = config.evaluation.ece_bins
    oracle_auc = None
    if "true_probability" in holdout.columns:
        from sklearn.metrics import roc_auc_score

        oracle_auc = float(roc_auc_score(y_holdout, holdout["true_probability"].astype(float)))
    return TrainingResult(
        pipeline=pipeline,
        family=family,
        comparison=comparison,
        holdout_metrics=evaluate_probabilities(y_holdout, probability, n_bins=bins),
        baseline_holdout_metrics=evaluate_probabilities(
            y_holdout, baseline_probability, n_bins=bins
        ),
        oracle_auc=oracle_auc,
        train_ids=train["case_id"].astype(str).tolist(),
        holdout_ids=holdout["case_id"].astype(str).tolist(),
        holdout_probability=probability,
        baseline_holdout_probability=baseline_probability,
        holdout_labels=y_holdout,
        train_cases=train,
    )
