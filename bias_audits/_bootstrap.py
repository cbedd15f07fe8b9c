"""Bootstrap of per-group counts: resample cells, not rows.

A group's rows fall into a few cells (e.g. TP, FP, FN, TN). Resampling ``n`` rows with
replacement from the group is the same as drawing the cell counts from a multinomial with
the group's ``n`` and observed cell shares, so a million rows cost no more than a hundred.
Groups are resampled independently with their sizes held fixed (a stratified bootstrap),
which is what a per-group interval conditions on; a difference between two groups is
taken within each resample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "CountMetric",
    "percentile_interval",
    "ratio_of_sums",
    "resample_counts",
    "safe_ratio",
]


@dataclass(frozen=True, kw_only=True)
class CountMetric:
    """A metric that is a share of cells: ``sum(numerator cells) / sum(denominator cells)``."""

    name: str
    numerator: tuple[int, ...]
    denominator: tuple[int, ...]


def resample_counts(counts: np.ndarray, *, n_resamples: int, seed: int) -> np.ndarray:
    """Multinomial resamples of each group's cell counts.

    Parameters
    ----------
    counts : ndarray of shape (n_groups, n_cells)
        Non-negative integer counts; every group must have at least one row.
    n_resamples : int
    seed : int

    Returns
    -------
    ndarray of shape (n_resamples, n_groups, n_cells)
    """
    counts = np.asarray(counts, dtype=np.int64)
    totals = counts.sum(axis=1)
    if (totals == 0).any():
        raise ValueError("every group needs at least one row to be resampled")
    shares = counts / totals[:, None]
    rng = np.random.default_rng(seed)
    return rng.multinomial(totals, shares, size=(n_resamples, counts.shape[0]))


def ratio_of_sums(counts: np.ndarray, metric: CountMetric) -> tuple[np.ndarray, np.ndarray]:
    """Value and denominator of ``metric`` over the last axis of ``counts``.

    The value is NaN where the denominator is zero (a rate over no one is undefined,
    not zero).
    """
    numerator = counts[..., list(metric.numerator)].sum(axis=-1)
    denominator = counts[..., list(metric.denominator)].sum(axis=-1)
    return safe_ratio(numerator, denominator), denominator


def safe_ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` with NaN where the denominator is zero."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def percentile_interval(samples: np.ndarray, *, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0, ignoring resamples where the value is undefined."""
    alpha = (1 - level) / 2
    samples = np.asarray(samples, dtype=float)
    defined = ~np.isnan(samples)
    low = np.full(samples.shape[1:], np.nan)
    high = np.full(samples.shape[1:], np.nan)
    enough = defined.sum(axis=0) > 0
    if enough.any():
        filled = np.where(defined, samples, np.nan)
        # nanquantile warns on all-NaN slices; those are masked out by ``enough``.
        with np.errstate(all="ignore"):
            subset = filled[:, enough]
            low[enough] = np.nanquantile(subset, alpha, axis=0)
            high[enough] = np.nanquantile(subset, 1 - alpha, axis=0)
    return low, high
