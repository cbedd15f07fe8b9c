"""What the served model does on the live caseload: scores, people's overrides, safety
flags, calibration and discrimination against outcomes, and the release's fairness audit.

Calibration and AUC are bootstrapped on cells, not rows: each case falls into a cell of
(probability, outcome), where the probability grid is every distinct score (an isotonic
model gives few) or, beyond the policy's number of cells, quantile bins. A resample of
the cases is a multinomial draw of the cell counts, so a million cases cost no more than
a thousand, and every resample is computed at once as arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from core.schemas import SAFETY_NEEDS, SENSITIVE_ATTRIBUTES
from monitoring.caseload import LABEL, LiveCaseload
from monitoring.policy import LivePolicy
from monitoring.reference import TrainingReference

__all__ = [
    "CALIBRATION_METRICS",
    "calibration_by_group",
    "calibration_figures",
    "fairness_audit",
    "override_figures",
    "probability_cells",
    "safety_figures",
]

CALIBRATION_METRICS = ("auc", "brier", "ece", "calibration_intercept", "calibration_slope")
_EPS = 1e-6
#: Where the recalibration's intercept and slope stop on a separable (bootstrap) sample.
_MAX_COEFFICIENT = 50.0


def probability_cells(probability: np.ndarray, max_cells: int) -> np.ndarray:
    """Cell index of each probability on an ascending grid of at most ``max_cells`` cells."""
    unique = np.unique(probability)
    if unique.size <= max_cells:
        return np.searchsorted(unique, probability)
    quantiles = np.quantile(probability, np.linspace(0, 1, max_cells + 1)[1:-1])
    return np.searchsorted(np.unique(quantiles), probability, side="left")


def _cell_sums(
    y: np.ndarray, p: np.ndarray, cells: np.ndarray, n_cells: int
) -> tuple[np.ndarray, ...]:
    """Counts, mean probability and mean squared probability per (outcome, cell)."""
    flat = y.astype(np.int64) * n_cells + cells
    size = 2 * n_cells
    counts = np.bincount(flat, minlength=size).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(flat, weights=p, minlength=size) / counts
        square = np.bincount(flat, weights=p * p, minlength=size) / counts
    return (
        counts.reshape(2, n_cells),
        np.nan_to_num(mean).reshape(2, n_cells),
        np.nan_to_num(square).reshape(2, n_cells),
    )


def _logistic_recalibration(
    counts: np.ndarray, mean: np.ndarray, *, iterations: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and slope of ``logit P(y) = a + b logit(p)``, weighted by cell counts.

    ``counts`` is ``(..., 2, C)``; Newton's method on all leading rows at once.
    """
    x = np.log(np.clip(mean, _EPS, 1 - _EPS) / (1 - np.clip(mean, _EPS, 1 - _EPS)))
    x = np.broadcast_to(x, counts.shape)
    y = np.broadcast_to(np.array([0.0, 1.0])[:, None], counts.shape)
    lead = counts.shape[:-2]
    a, b = np.zeros(lead), np.ones(lead)
    for _ in range(iterations):
        eta = a[..., None, None] + b[..., None, None] * x
        mu = 0.5 * (1.0 + np.tanh(0.5 * eta))  # the logistic function, without overflow
        w = counts * mu * (1 - mu)
        r = counts * (y - mu)
        g0, g1 = r.sum((-2, -1)), (r * x).sum((-2, -1))
        h00, h01, h11 = w.sum((-2, -1)), (w * x).sum((-2, -1)), (w * x * x).sum((-2, -1))
        det = h00 * h11 - h01 * h01
        with np.errstate(invalid="ignore", divide="ignore"):
            da = (h11 * g0 - h01 * g1) / det
            db = (h00 * g1 - h01 * g0) / det
        # a separable sample has no finite estimate: the coefficients stop at a bound
        # that already means "as steep as it gets" rather than overflow
        # (a step of 0/0, where every case is in one cell, is no step)
        da, db = np.nan_to_num(da), np.nan_to_num(db)
        a = np.clip(a + da, -_MAX_COEFFICIENT, _MAX_COEFFICIENT)
        b = np.clip(b + db, -_MAX_COEFFICIENT, _MAX_COEFFICIENT)
        if np.max(np.abs(np.concatenate([np.ravel(da), np.ravel(db)]))) < 1e-8:
            break
    return a, b


def _metrics_from_cells(
    counts: np.ndarray, mean: np.ndarray, square: np.ndarray, bin_of_cell: np.ndarray, n_bins: int
) -> dict[str, np.ndarray]:
    """Each metric for counts of shape ``(..., 2, C)`` (cells ascending in probability)."""
    n0, n1 = counts[..., 0, :], counts[..., 1, :]
    total, events = counts.sum((-2, -1)), n1.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        brier = ((n0 * square[0]).sum(-1) + (n1 * (square[1] - 2 * mean[1] + 1)).sum(-1)) / total
        below = np.cumsum(n0, axis=-1) - n0
        auc = (n1 * (below + 0.5 * n0)).sum(-1) / (events * (total - events))
        one_hot = np.eye(n_bins)[bin_of_cell]
        observed = n1 @ one_hot
        expected = (n0 * mean[0] + n1 * mean[1]) @ one_hot
        ece = np.abs(observed - expected).sum(-1) / total
    intercept, slope = _logistic_recalibration(counts, mean)
    return {
        "auc": auc,
        "brier": brier,
        "ece": ece,
        "calibration_intercept": intercept,
        "calibration_slope": slope,
    }


def _estimates(
    y: np.ndarray,
    p: np.ndarray,
    cells: np.ndarray,
    n_cells: int,
    policy: LivePolicy,
    seed: int,
) -> dict[str, Any]:
    counts, mean, square = _cell_sums(y, p, cells, n_cells)
    cell_mean = np.where(
        counts.sum(0) > 0, (counts * mean).sum(0) / np.maximum(counts.sum(0), 1), 0.0
    )
    bins = policy.calibration_bins
    bin_of_cell = np.minimum((cell_mean * bins).astype(int), bins - 1)
    point = _metrics_from_cells(counts, mean, square, bin_of_cell, bins)
    rng = np.random.default_rng(seed)
    total = int(counts.sum())
    resampled = rng.multinomial(total, counts.ravel() / total, size=policy.n_resamples)
    samples = _metrics_from_cells(
        resampled.reshape(policy.n_resamples, 2, n_cells).astype(float),
        mean,
        square,
        bin_of_cell,
        bins,
    )
    tail = (1 - policy.ci_level) / 2 * 100
    figures = {}
    for name in CALIBRATION_METRICS:
        low, high = np.nanpercentile(samples[name], [tail, 100 - tail])
        figures[name] = {
            "value": float(point[name]),
            "ci": [float(low), float(high)],
            "n": total,
        }
    return figures


def _sufficient(y: np.ndarray, policy: LivePolicy) -> bool:
    events = int(y.sum())
    return len(y) >= policy.min_group_cases and min(events, len(y) - events) >= (
        policy.min_group_events
    )


def calibration_figures(labelled: pd.DataFrame, policy: LivePolicy) -> dict[str, Any]:
    """AUC, Brier, ECE and the calibration intercept and slope, with bootstrap intervals.

    ``insufficient`` (no figures) below the policy's minimum cases or events.
    """
    y = labelled[LABEL].to_numpy(dtype=np.int64)
    p = labelled["probability"].to_numpy(dtype=float)
    summary: dict[str, Any] = {"n": len(y), "n_events": int(y.sum())}
    if not _sufficient(y, policy):
        return summary | {"status": "insufficient", "metrics": {}}
    cells = probability_cells(p, policy.probability_cells)
    n_cells = int(cells.max()) + 1
    metrics = _estimates(y, p, cells, n_cells, policy, policy.seed)
    return summary | {"status": "measured", "metrics": metrics, "observed_rate": float(y.mean())}


def calibration_by_group(
    labelled: pd.DataFrame, attributes: Sequence[str], policy: LivePolicy
) -> list[dict[str, Any]]:
    """:func:`calibration_figures` for each group of each sensitive attribute."""
    if labelled.empty:
        return []
    y_all = labelled[LABEL].to_numpy(dtype=np.int64)
    p_all = labelled["probability"].to_numpy(dtype=float)
    cells_all = probability_cells(p_all, policy.probability_cells)
    n_cells = int(cells_all.max()) + 1
    rows = []
    for a, attribute in enumerate(attributes):
        values = labelled[attribute]
        present = values.notna().to_numpy()
        codes, groups = pd.factorize(values[present], sort=True)
        y, p, cells = y_all[present], p_all[present], cells_all[present]
        for g, group in enumerate(groups):
            mask = codes == g
            row: dict[str, Any] = {
                "attribute": attribute,
                "group": str(group),
                "n": int(mask.sum()),
                "n_events": int(y[mask].sum()),
            }
            if _sufficient(y[mask], policy):
                seed = policy.seed + 1000 * (a + 1) + g
                row |= {
                    "status": "measured",
                    "metrics": _estimates(y[mask], p[mask], cells[mask], n_cells, policy, seed),
                }
            else:
                row |= {"status": "insufficient", "metrics": {}}
            rows.append(row)
    return rows


def _share(k: int, n: int, level: float) -> dict[str, Any]:
    if n == 0:
        return {"value": None, "ci": [None, None], "n": 0}
    interval = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level)
    return {"value": k / n, "ci": [float(interval.low), float(interval.high)], "n": int(n)}


def override_figures(caseload: LiveCaseload, policy: LivePolicy) -> dict[str, Any]:
    """How often supervisors override the suggestion, and in which direction."""
    decided = caseload.scores[["score_id", "tier"]].merge(
        caseload.decisions, on="score_id", how="inner"
    )
    n = len(decided)
    overridden = int((decided["action"] == "override").sum())
    up = int((decided["final_tier"] < decided["tier"]).sum())
    down = int((decided["final_tier"] > decided["tier"]).sum())
    level = policy.ci_level
    return {
        "n_scores": len(caseload.scores),
        "n_decided": n,
        "override_rate": _share(overridden, n, level),
        "upgrade_rate": _share(up, n, level),
        "downgrade_rate": _share(down, n, level),
    }


def safety_figures(
    caseload: LiveCaseload, reference: TrainingReference, policy: LivePolicy
) -> dict[str, Any]:
    """Shares of scores with a safety need, and with one only the safety net saw."""
    n = len(caseload.scores)
    safety_ids = caseload.needs.loc[caseload.needs["need"].isin(SAFETY_NEEDS), "score_id"]
    with_safety = int(safety_ids.nunique())
    possible = int(caseload.scores["possible_safety"].astype(bool).sum())
    ref_n = max(int(reference.scores["n"]), 1)
    ref_safety = sum(int(reference.needs["counts"].get(need, 0)) for need in SAFETY_NEEDS)
    return {
        "possible_safety_share": _share(possible, n, policy.ci_level),
        "possible_among_safety": _share(possible, with_safety, policy.ci_level),
        "safety_need_share": _share(with_safety, n, policy.ci_level),
        "reference": {
            "possible_safety_share": reference.scores["possible_safety"] / ref_n,
            # a case may have several safety needs: an upper bound of the cases' share
            "safety_needs_per_case": ref_safety / ref_n,
        },
    }


def fairness_audit(
    labelled: pd.DataFrame, *, threshold: float, audit_policy, context: dict[str, str]
):
    """The release gate's audit (``bias_audits.audit_table``) on live decided cases with
    outcomes: same policy, same decision (risk at or above the tier-2 threshold).

    Returns None when no case has both an outcome and a recorded sensitive attribute.
    """
    from bias_audits import audit_table

    attributes = [a for a in SENSITIVE_ATTRIBUTES if a in labelled and labelled[a].notna().any()]
    if labelled.empty or not attributes:
        return None
    table = labelled[[LABEL, "probability", *attributes]].rename(
        columns={"probability": "risk_probability"}
    )
    return audit_table(
        table,
        label=LABEL,
        score="risk_probability",
        threshold=threshold,
        sensitive=attributes,
        policy=audit_policy,
        source="live decided cases with a 90-day outcome",
        context=context,
    )
