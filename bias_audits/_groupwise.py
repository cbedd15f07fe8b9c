"""Per-group estimates with intervals, and disparities against a reference group.

Shared by the model audit and the audit of supervisors' decisions: both reduce a group to
cell counts, resample them, and judge each group's gap to the reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bias_audits._bootstrap import percentile_interval
from bias_audits._policy import Tolerance
from bias_audits._results import Disparity, GroupResult, MetricEstimate
from bias_audits._verdict import judge_difference, judge_ratio, worst

__all__ = ["GroupMetricSamples", "choose_reference", "judge_groups"]


@dataclass(frozen=True, kw_only=True)
class GroupMetricSamples:
    """One metric over the groups of one attribute.

    ``values`` and ``denominators`` have shape ``(n_groups,)``; ``samples`` has shape
    ``(n_resamples, n_groups)`` and holds the metric in each bootstrap resample.
    """

    values: np.ndarray
    denominators: np.ndarray
    samples: np.ndarray


def choose_reference(
    groups: Sequence[str], sizes: Sequence[int], *, wanted: str | None
) -> tuple[str, str]:
    """The reference group and where it came from (the policy or the largest group)."""
    if wanted is not None and wanted in groups:
        return wanted, "policy"
    largest = groups[int(np.argmax(sizes))]
    if wanted is not None:
        return largest, f"largest group (policy's '{wanted}' is absent from the data)"
    return largest, "largest group"


def _ratio(group: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``group / reference`` with 0/0 read as parity (1) and x/0 as infinitely far."""
    group = np.asarray(group, dtype=float)
    reference = np.asarray(reference, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = group / reference
    ratio = np.where((group == 0) & (reference == 0), 1.0, ratio)
    return np.clip(ratio, 0.0, 1e12)


def judge_groups(
    *,
    attribute: str,
    is_intersection: bool,
    groups: Sequence[str],
    sizes: Sequence[int],
    reference: str,
    metrics: Mapping[str, GroupMetricSamples],
    tolerances: Mapping[str, Tolerance],
    min_denominator: int,
    ci_level: float,
) -> tuple[list[GroupResult], list[Disparity]]:
    """Group estimates with intervals, and each group's gated disparities to the reference."""
    ref = list(groups).index(reference)
    intervals = {
        name: percentile_interval(m.samples, level=ci_level) for name, m in metrics.items()
    }
    minimum = {
        name: (tolerances[name].min_denominator if name in tolerances else None) or min_denominator
        for name in metrics
    }
    results = []
    for g, group in enumerate(groups):
        estimates = {}
        for name, m in metrics.items():
            low, high = intervals[name]
            n = int(m.denominators[g])
            estimates[name] = MetricEstimate(
                value=float(m.values[g]),
                ci_low=float(low[g]),
                ci_high=float(high[g]),
                n=n,
                sufficient=n >= minimum[name] and not np.isnan(m.values[g]),
            )
        gated_ok = all(estimates[name].sufficient for name in tolerances if name in estimates)
        results.append(
            GroupResult(
                attribute=attribute,
                group=str(group),
                n=int(sizes[g]),
                sufficient=gated_ok,
                is_reference=g == ref,
                is_intersection=is_intersection,
                metrics=estimates,
            )
        )

    disparities = []
    for name, tolerance in tolerances.items():
        if name not in metrics:
            continue
        m = metrics[name]
        differences = m.samples - m.samples[:, [ref]]
        ratios = _ratio(m.samples, m.samples[:, [ref]])
        diff_low, diff_high = percentile_interval(differences, level=ci_level)
        ratio_low, ratio_high = percentile_interval(ratios, level=ci_level)
        for g, group in enumerate(groups):
            if g == ref:
                continue
            difference = float(m.values[g] - m.values[ref])
            ratio = float(_ratio(m.values[g], m.values[ref]))
            n_group, n_ref = int(m.denominators[g]), int(m.denominators[ref])
            thin = min(n_group, n_ref) < minimum[name] or np.isnan(difference)
            verdicts = {}
            if thin:
                reason = (
                    f"too few to judge: denominator {n_group} for {group}, {n_ref} for "
                    f"{reference}; the policy needs {minimum[name]}"
                )
                verdict = "insufficient"
            else:
                if tolerance.max_difference is not None:
                    verdicts["difference"] = judge_difference(
                        difference,
                        float(diff_low[g]),
                        float(diff_high[g]),
                        max_difference=tolerance.max_difference,
                    )
                if tolerance.max_ratio is not None:
                    verdicts["ratio"] = judge_ratio(
                        ratio,
                        float(ratio_low[g]),
                        float(ratio_high[g]),
                        max_ratio=tolerance.max_ratio,
                    )
                verdict = worst(list(verdicts.values()))
                reason = _reason(verdict)
            disparities.append(
                Disparity(
                    attribute=attribute,
                    group=str(group),
                    reference=str(reference),
                    metric=name,
                    is_intersection=is_intersection,
                    group_value=float(m.values[g]),
                    reference_value=float(m.values[ref]),
                    difference=difference,
                    difference_ci=(float(diff_low[g]), float(diff_high[g])),
                    ratio=ratio,
                    ratio_ci=(float(ratio_low[g]), float(ratio_high[g])),
                    max_difference=tolerance.max_difference,
                    max_ratio=tolerance.max_ratio,
                    n_group=n_group,
                    n_reference=n_ref,
                    verdict=verdict,
                    reason=reason,
                    criteria=verdicts,
                )
            )
    return results, disparities


def _reason(verdict: str) -> str:
    return {
        "fail": "even the interval bound nearest to parity lies beyond the tolerance",
        "review": "the estimate lies beyond the tolerance but the interval reaches within it",
        "pass": "within the tolerance",
        "insufficient": "the interval is undefined",
    }[verdict]
