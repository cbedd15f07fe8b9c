"""Discrimination and calibration metrics, and the calibration plot logged with each run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

__all__ = ["calibration_plot", "evaluate_probabilities", "expected_calibration_error"]


def expected_calibration_error(y_true, probability, *, n_bins: int = 10) -> float:
    """Expected calibration error over equal-width probability bins.

    The weighted mean, over bins, of |observed rate - mean predicted probability|: the
    average distance between what the score says and what happens.
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    probability = np.asarray(probability, dtype=np.float64)
    bins = np.minimum((probability * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    observed = np.bincount(bins, weights=y_true, minlength=n_bins)
    predicted = np.bincount(bins, weights=probability, minlength=n_bins)
    filled = counts > 0
    gaps = np.abs(observed[filled] - predicted[filled])
    return float(gaps.sum() / len(y_true))


def evaluate_probabilities(y_true, probability, *, n_bins: int = 10) -> dict[str, float]:
    """AUC, Brier score, ECE and log loss of predicted probabilities."""
    y_true = np.asarray(y_true, dtype=int)
    probability = np.clip(np.asarray(probability, dtype=np.float64), 1e-6, 1 - 1e-6)
    return {
        "auc": float(roc_auc_score(y_true, probability)),
        "brier": float(brier_score_loss(y_true, probability)),
        "ece": expected_calibration_error(y_true, probability, n_bins=n_bins),
        "log_loss": float(log_loss(y_true, probability, labels=[0, 1])),
    }


def calibration_plot(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> Path:
    """Reliability diagram (quantile bins) of several models' holdout probabilities."""
    from matplotlib.figure import Figure
    from sklearn.calibration import calibration_curve

    figure = Figure(figsize=(5, 5))
    axis = figure.subplots()
    axis.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfectly calibrated")
    for name, (y_true, probability) in curves.items():
        observed, predicted = calibration_curve(y_true, probability, n_bins=10, strategy="quantile")
        axis.plot(predicted, observed, marker="o", label=name)
    axis.set_xlabel("predicted probability of crisis within 90 days")
    axis.set_ylabel("observed rate (holdout)")
    axis.set_title("Calibration on the holdout")
    axis.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return path
