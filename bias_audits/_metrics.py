"""The audited metrics: point estimates through fairlearn's MetricFrame, counts for the bootstrap.

Rates come from each group's confusion counts (cells TP, FP, FN, TN). The calibration
error is the expected calibration error (ECE) over equal-width score bins; for the
bootstrap its cells are (bin, label) pairs, each keeping its observed mean score.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score

from bias_audits._bootstrap import CountMetric, safe_ratio

__all__ = [
    "CONFUSION_METRICS",
    "METRIC_NAMES",
    "calibration_cells",
    "cell_counts",
    "confusion_cells",
    "ece_from_cells",
    "expected_calibration_error",
    "metricframe_estimates",
    "weighted_confusion_rows",
]

TP, FP, FN, TN = 0, 1, 2, 3
CONFUSION_METRICS: tuple[CountMetric, ...] = (
    CountMetric(name="selection_rate", numerator=(TP, FP), denominator=(TP, FP, FN, TN)),
    CountMetric(name="true_positive_rate", numerator=(TP,), denominator=(TP, FN)),
    CountMetric(name="false_positive_rate", numerator=(FP,), denominator=(FP, TN)),
    CountMetric(name="false_negative_rate", numerator=(FN,), denominator=(TP, FN)),
    CountMetric(name="precision", numerator=(TP,), denominator=(TP, FP)),
    CountMetric(name="accuracy", numerator=(TP, TN), denominator=(TP, FP, FN, TN)),
)
METRIC_NAMES: tuple[str, ...] = (*(m.name for m in CONFUSION_METRICS), "calibration_error")


def confusion_cells(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Cell index per row: 0 TP, 1 FP, 2 FN, 3 TN."""
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    return np.where(y_pred, np.where(y_true, TP, FP), np.where(y_true, FN, TN)).astype(np.int64)


def cell_counts(group_codes: np.ndarray, cells: np.ndarray, *, n_groups: int, n_cells: int):
    """Counts of shape ``(n_groups, n_cells)`` in one pass (``bincount``)."""
    flat = np.asarray(group_codes, dtype=np.int64) * n_cells + cells
    return np.bincount(flat, minlength=n_groups * n_cells).reshape(n_groups, n_cells)


def _bin_index(y_prob: np.ndarray, n_bins: int) -> np.ndarray:
    return np.minimum((np.asarray(y_prob, dtype=float) * n_bins).astype(np.int64), n_bins - 1)


def expected_calibration_error(y_true, y_prob, *, n_bins: int = 10, sample_weight=None) -> float:
    """ECE: the share-weighted gap between observed rate and mean score per score bin.

    ``sum_b (n_b / n) * |mean(y in b) - mean(p in b)|`` over ``n_bins`` equal-width bins.
    """
    y_true = np.asarray(y_true, dtype=float)
    y_prob = np.asarray(y_prob, dtype=float)
    weight = np.ones_like(y_true) if sample_weight is None else np.asarray(sample_weight, float)
    total = weight.sum()
    if total == 0:
        return float("nan")
    bins = _bin_index(y_prob, n_bins)
    positives = np.bincount(bins, weights=y_true * weight, minlength=n_bins)
    scores = np.bincount(bins, weights=y_prob * weight, minlength=n_bins)
    return float(np.abs(positives - scores).sum() / total)


def calibration_cells(
    y_true: np.ndarray, y_prob: np.ndarray, group_codes: np.ndarray, *, n_groups: int, n_bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """Counts and mean scores per (group, bin, label) cell; cell index ``2 * bin + label``."""
    cells = 2 * _bin_index(y_prob, n_bins) + np.asarray(y_true, dtype=np.int64)
    n_cells = 2 * n_bins
    counts = cell_counts(group_codes, cells, n_groups=n_groups, n_cells=n_cells)
    flat = np.asarray(group_codes, dtype=np.int64) * n_cells + cells
    sums = np.bincount(flat, weights=y_prob, minlength=n_groups * n_cells)
    means = safe_ratio(sums.reshape(n_groups, n_cells), counts)
    return counts, np.nan_to_num(means)


def ece_from_cells(counts: np.ndarray, means: np.ndarray) -> np.ndarray:
    """ECE of each group from (bin, label) cell counts; works on resampled counts too."""
    negatives = counts[..., 0::2]
    positives = counts[..., 1::2]
    expected = negatives * means[..., 0::2] + positives * means[..., 1::2]
    gap = np.abs(positives - expected).sum(axis=-1)
    return safe_ratio(gap, counts.sum(axis=-1))


def weighted_confusion_rows(counts: np.ndarray, groups: list[str]):
    """One weighted row per non-empty (group, cell): the table MetricFrame needs, compressed.

    Rows with the same group, label and prediction are interchangeable for every
    confusion metric, so a row per cell weighted by its count gives the same values as
    the full table (fairlearn's ``MetricFrame`` costs seconds per million rows and metric).
    """
    g, cell = np.nonzero(counts)
    y_true = np.isin(cell, (TP, FN))
    y_pred = np.isin(cell, (TP, FP))
    return y_true, y_pred, np.asarray(groups, dtype=object)[g], counts[g, cell]


def metricframe_estimates(
    *,
    counts: np.ndarray,
    groups: list[str],
    calibration: tuple[np.ndarray, np.ndarray] | None,
    n_bins: int,
) -> pd.DataFrame:
    """Point estimates by group from fairlearn's ``MetricFrame`` (rows: groups).

    Parameters
    ----------
    counts : ndarray of shape (n_groups, 4)
        Confusion counts per group (TP, FP, FN, TN).
    groups : list of str
    calibration : (counts, mean scores) per (group, bin, label) cell, or None
    n_bins : int
    """
    y_true, y_pred, features, weight = weighted_confusion_rows(counts, groups)
    rates = {
        "selection_rate": selection_rate,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
        "false_negative_rate": false_negative_rate,
        "precision": functools.partial(precision_score, zero_division=np.nan),
        "accuracy": accuracy_score,
    }
    frame = MetricFrame(
        metrics=rates,
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=pd.Series(features, name="group"),
        sample_params={name: {"sample_weight": weight} for name in rates},
    )
    table = frame.by_group
    if calibration is not None:
        cell_counts_, means = calibration
        g, cell = np.nonzero(cell_counts_)
        ece = MetricFrame(
            metrics={
                "calibration_error": functools.partial(expected_calibration_error, n_bins=n_bins)
            },
            y_true=(cell % 2).astype(float),
            y_pred=means[g, cell],
            sensitive_features=pd.Series(np.asarray(groups, dtype=object)[g], name="group"),
            sample_params={"calibration_error": {"sample_weight": cell_counts_[g, cell]}},
        )
        table = table.join(ece.by_group)
    table.index = table.index.astype(str)
    return table.reindex(groups)
