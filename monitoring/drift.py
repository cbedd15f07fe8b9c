"""Drift of the live caseload from the release's reference: PSI beside a significance test.

Each structured field, each need's rate, the risk probabilities and the tiers get a
population stability index (PSI) and a test against the reference counts: a two-sample
Kolmogorov-Smirnov test for numbers, a chi-square test of the contingency table
(reference vs live) for categories, need rates and tiers. All the tests of one report
are one family, corrected together (Holm or Benjamini-Hochberg), since a report with
forty tests at 1 % would otherwise cry wolf in a third of runs.

A figure is ``drift`` when its PSI reaches the policy's drift threshold *and* its test is
significant after correction, ``review`` likewise at the review threshold, ``stable``
otherwise, and ``insufficient`` below the minimum number of live cases. PSI alone moves
with the noise of small samples; a p-value alone flags trivial shifts in large ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from core.schemas import CASE_CATEGORICAL_FIELDS, CASE_NUMERIC_FIELDS, NEEDS
from monitoring._json import json_safe
from monitoring.policy import DriftPolicy
from monitoring.reference import TrainingReference

__all__ = [
    "DRIFT_STATUSES",
    "DriftFigure",
    "adjust_p_values",
    "binned_shares",
    "drift_figures",
    "population_stability_index",
]

DRIFT_STATUSES = ("stable", "review", "drift", "insufficient")


@dataclass(frozen=True, kw_only=True)
class DriftFigure:
    """One compared distribution.

    Attributes
    ----------
    kind : {"numeric", "categorical", "need", "score", "tier"}
    reference, live : dict
        What a person reads: the mean (numbers), the shares (categories, tiers) or the rate.
    """

    kind: str
    name: str
    psi: float
    test: str
    statistic: float
    p_value: float
    p_adjusted: float
    n_reference: int
    n_live: int
    status: str
    reference: dict[str, float]
    live: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))


def binned_shares(values: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Shares of ``values`` in the bins ``(-inf, e0], (e0, e1], ..., (e_last, inf)``."""
    index = np.searchsorted(np.asarray(edges, dtype=float), values, side="left")
    counts = np.bincount(index, minlength=len(edges) + 1).astype(float)
    return counts / max(counts.sum(), 1.0)


def population_stability_index(
    reference: np.ndarray, live: np.ndarray, *, floor: float = 1e-4
) -> float:
    """``sum((live - reference) * ln(live / reference))`` over bins of shares.

    Shares below ``floor`` are raised to it (then renormalised), so an empty bin gives a
    large but finite index.
    """
    reference = np.maximum(np.asarray(reference, dtype=float), floor)
    live = np.maximum(np.asarray(live, dtype=float), floor)
    reference, live = reference / reference.sum(), live / live.sum()
    return float(np.sum((live - reference) * np.log(live / reference)))


def adjust_p_values(p_values: Sequence[float], method: str) -> np.ndarray:
    """Holm's step-down (family-wise error) or Benjamini-Hochberg (false discovery rate)."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    if method == "bh":
        return stats.false_discovery_control(p, method="bh")
    if method != "holm":
        raise ValueError(f"correction: expected holm or bh, got {method!r}")
    order = np.argsort(p)
    scaled = p[order] * (p.size - np.arange(p.size))
    adjusted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    out = np.empty_like(p)
    out[order] = adjusted
    return out


def _contingency(reference: np.ndarray, live: np.ndarray) -> tuple[float, float]:
    table = np.vstack([reference, live]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 0.0, 1.0
    result = stats.chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)


def _figure(kind: str, name: str, **fields: Any) -> DriftFigure:
    return DriftFigure(kind=kind, name=name, p_adjusted=np.nan, status="", **fields)


def _numeric(kind: str, name: str, sample: np.ndarray, edges, live: np.ndarray, floor: float):
    psi = population_stability_index(
        binned_shares(sample, edges), binned_shares(live, edges), floor=floor
    )
    if live.size:
        test = stats.ks_2samp(sample, live, method="asymp")
        statistic, p_value = float(test.statistic), float(test.pvalue)
    else:
        statistic, p_value = np.nan, np.nan
    return _figure(
        kind,
        name,
        psi=psi,
        test="ks",
        statistic=statistic,
        p_value=p_value,
        n_reference=int(sample.size),
        n_live=int(live.size),
        reference={"mean": float(sample.mean())},
        live={"mean": float(live.mean()) if live.size else np.nan},
    )


def _categorical(kind: str, name: str, reference: Mapping, live: Mapping, floor: float):
    categories = list(reference) + [c for c in live if c not in reference]
    ref = np.array([reference.get(c, 0) for c in categories], dtype=float)
    now = np.array([live.get(c, 0) for c in categories], dtype=float)
    statistic, p_value = _contingency(ref, now) if now.sum() else (np.nan, np.nan)
    return _figure(
        kind,
        name,
        psi=population_stability_index(ref / ref.sum(), now / max(now.sum(), 1), floor=floor),
        test="chi2",
        statistic=statistic,
        p_value=p_value,
        n_reference=int(ref.sum()),
        n_live=int(now.sum()),
        reference={str(c): float(v / ref.sum()) for c, v in zip(categories, ref, strict=True)},
        live={str(c): float(v / max(now.sum(), 1)) for c, v in zip(categories, now, strict=True)},
    )


def _rate(name: str, ref_k: int, ref_n: int, live_k: int, live_n: int, floor: float):
    figure = _categorical(
        "need",
        name,
        {"yes": ref_k, "no": ref_n - ref_k},
        {"yes": live_k, "no": live_n - live_k},
        floor,
    )
    return replace(
        figure, reference={"rate": figure.reference["yes"]}, live={"rate": figure.live["yes"]}
    )


def _judge(figure: DriftFigure, p_adjusted: float, policy: DriftPolicy) -> DriftFigure:
    if figure.n_live < policy.min_cases or not np.isfinite(figure.p_value):
        status = "insufficient"
    elif figure.psi >= policy.psi_drift and p_adjusted < policy.alpha:
        status = "drift"
    elif figure.psi >= policy.psi_review and p_adjusted < policy.alpha:
        status = "review"
    else:
        status = "stable"
    return replace(figure, p_adjusted=float(p_adjusted), status=status)


def drift_figures(
    reference: TrainingReference,
    *,
    fields: pd.DataFrame,
    need_counts: Mapping[str, int],
    n_need_cases: int,
    probabilities: np.ndarray,
    tiers: np.ndarray,
    policy: DriftPolicy,
) -> list[DriftFigure]:
    """Every drift figure of one report, tested as one family.

    Parameters
    ----------
    fields : DataFrame
        The live cases' structured fields (one row per case).
    need_counts, n_need_cases : mapping, int
        How many of ``n_need_cases`` live scores had each active need.
    probabilities, tiers : ndarray
        The live scores' risk probabilities and suggested tiers.
    """
    floor = policy.psi_floor
    figures = []
    for name in CASE_NUMERIC_FIELDS:
        values = pd.to_numeric(fields[name], errors="coerce").dropna().to_numpy(dtype=float)
        sample = reference.numeric_sample(name)
        edges = reference.numeric[name]["edges"]
        figures.append(_numeric("numeric", name, sample, edges, values, floor))
    for name in CASE_CATEGORICAL_FIELDS:
        live = fields[name].astype(str).value_counts().to_dict()
        figures.append(_categorical("categorical", name, reference.categorical[name], live, floor))
    ref_needs = reference.needs
    for need in NEEDS:
        figures.append(
            _rate(
                need,
                int(ref_needs["counts"][need]),
                int(ref_needs["n"]),
                int(need_counts.get(need, 0)),
                int(n_need_cases),
                floor,
            )
        )
    scores = reference.scores
    ref_probabilities = np.asarray(scores["probabilities"], dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    figures.append(
        _numeric(
            "score", "risk_probability", ref_probabilities, scores["edges"], probabilities, floor
        )
    )
    tier_values, tier_counts = np.unique(np.asarray(tiers, dtype=int), return_counts=True)
    live_tiers = {f"tier {t}": int(c) for t, c in zip(tier_values, tier_counts, strict=True)}
    ref_tiers = {f"tier {t}": int(c) for t, c in scores["tiers"].items()}
    figures.append(_categorical("tier", "suggested_tier", ref_tiers, live_tiers, floor))
    testable = [i for i, f in enumerate(figures) if np.isfinite(f.p_value)]
    adjusted = np.full(len(figures), np.nan)
    adjusted[testable] = adjust_p_values([figures[i].p_value for i in testable], policy.correction)
    return [_judge(f, p, policy) for f, p in zip(figures, adjusted, strict=True)]
